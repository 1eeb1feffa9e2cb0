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
