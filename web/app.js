// @ts-check
/**
 * Boot: registers the components, then routes on the History API. Each
 * route renders one view from `views/`.
 */
import './components/hearth-shell.js';
import './components/hearth-toasts.js';
import './components/hearth-empty-state.js';
import { ApiError, reportClientError, showError } from './api.js';
import { photosView } from './views/photos.js';
import { albumsView } from './views/albums.js';
import { searchView } from './views/search.js';
import { settingsView } from './views/settings.js';
import { notFoundView } from './views/not-found.js';

/** @typedef {{ title: string, render: () => HTMLElement }} View */

/** @type {Record<string, () => View>} */
const routes = {
  '/': photosView,
  '/albums': albumsView,
  '/search': searchView,
  '/settings': settingsView,
};

function render() {
  const shell = /** @type {import('./components/hearth-shell.js').HearthShell} */ (document.querySelector('hearth-shell'));
  const path = location.pathname.replace(/\/+$/, '') || '/';
  const view = (routes[path] ?? notFoundView)();
  document.title = view.title === 'Hearth' ? 'Hearth' : `${view.title} · Hearth`;
  shell.show(view.render(), path);
}

/**
 * Follows same-origin links without reloading the page.
 * @param {MouseEvent} event
 */
function onClick(event) {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.composedPath().find((node) => node instanceof HTMLAnchorElement);
  if (!(link instanceof HTMLAnchorElement) || link.target || link.hasAttribute('download')) return;
  const url = new URL(link.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
  event.preventDefault();
  if (url.pathname !== location.pathname) history.pushState(null, '', url);
  render();
}

window.addEventListener('error', (event) => {
  reportClientError({ message: event.message, source: event.filename, line: event.lineno, column: event.colno, stack: event.error?.stack });
});
window.addEventListener('unhandledrejection', (event) => {
  const reason = event.reason;
  showError(reason);
  // API errors are answers, not bugs in the UI: only the latter go to the log.
  if (!(reason instanceof ApiError)) reportClientError({ message: String(reason?.message ?? reason), stack: reason?.stack });
});
window.addEventListener('popstate', render);
document.addEventListener('click', onClick);
render();
