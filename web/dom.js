// @ts-check
/** Building DOM without HTML strings, so text is never parsed as markup. */

/**
 * @template {string} K
 * @param {K} tag an HTML tag or a custom element's name
 * @param {Record<string, string>} [attrs]
 * @param {...(Node | string | null | undefined | false)} children
 * @returns {K extends keyof HTMLElementTagNameMap ? HTMLElementTagNameMap[K] : HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const element = /** @type {any} */ (document.createElement(tag));
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, value);
  for (const child of children) {
    if (child || child === '') element.append(child);
  }
  return element;
}

/**
 * Makes `parent`'s children exactly `nodes`, in order, moving only those
 * that moved: nodes that stay keep their focus, selection and loaded images.
 * @param {Element} parent
 * @param {Element[]} nodes
 */
export function syncChildren(parent, nodes) {
  nodes.forEach((node, index) => {
    if (parent.children[index] !== node) parent.insertBefore(node, parent.children[index] ?? null);
  });
  while (parent.children.length > nodes.length) parent.lastElementChild?.remove();
}

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), video[controls], [tabindex]:not([tabindex="-1"])';

/**
 * Keeps Tab and Shift+Tab inside `places` (a dialog, the viewer; with the
 * toasts, so an Undo stays reachable): from the last control to the first
 * and back, never out to the page behind, while `active` says so (a
 * dialog opened above stands in). Answers the function that stops.
 * @param {() => Element[]} places
 * @param {() => boolean} active
 * @returns {() => void}
 */
export function trapFocus(places, active) {
  const onKey = (/** @type {KeyboardEvent} */ event) => {
    if (event.key !== 'Tab' || !active()) return;
    const controls = places()
      .flatMap((place) => [...place.querySelectorAll(FOCUSABLE)])
      .filter((el) => el instanceof HTMLElement && el.getClientRects().length > 0 && !el.closest('[hidden], [inert]'));
    if (!controls.length) return;
    const first = /** @type {HTMLElement} */ (controls[0]);
    const last = /** @type {HTMLElement} */ (controls[controls.length - 1]);
    const at = document.activeElement;
    const inside = at instanceof Element && controls.includes(at);
    if (!inside || (event.shiftKey && at === first) || (!event.shiftKey && at === last)) {
      event.preventDefault();
      (event.shiftKey ? last : first).focus();
    }
  };
  document.addEventListener('keydown', onKey, true);
  return () => document.removeEventListener('keydown', onKey, true);
}

/**
 * Adds one of the app's stylesheets to the page (once), for code that
 * loads after the page: the Photos view does not wait for the viewer's
 * styles. Resolves when it applies (or failed to load: the view still
 * works, unstyled, rather than never).
 * @param {string} path under `web/`, e.g. `styles/viewer.css`
 * @returns {Promise<void>}
 */
export function stylesheet(path) {
  const href = new URL(path, import.meta.url).href;
  const present = [...document.querySelectorAll('link[rel="stylesheet"]')].find((link) => link instanceof HTMLLinkElement && link.href === href);
  if (present) return Promise.resolve();
  const link = h('link', { rel: 'stylesheet', href });
  const loaded = new Promise((done) => {
    link.addEventListener('load', () => done(undefined), { once: true });
    link.addEventListener('error', () => done(undefined), { once: true });
  });
  document.head.append(link);
  return loaded;
}
