// @ts-check
/** Moving between views without reloading the page. */

/**
 * @param {string} path
 * @param {{ replace?: boolean }} [how]
 */
export function navigate(path, how = {}) {
  if (how.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  window.dispatchEvent(new CustomEvent('hearth:navigate'));
}

/** Sends the person to sign in, then back here. */
export function toSignIn() {
  const here = location.pathname + location.search;
  navigate(here === '/' ? '/signin' : `/signin?next=${encodeURIComponent(here)}`, { replace: true });
}
