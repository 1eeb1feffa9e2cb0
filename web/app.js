// @ts-check
/**
 * Boot: registers the components, then routes on the History API. Each
 * route renders one view from `views/`. Views other than the public ones
 * (sign-in, setup, invite, recovery, cancelling an account's deletion) need a signed-in member.
 */
import './components/hearth-shell.js';
import './components/hearth-toasts.js';
import './components/hearth-empty-state.js';
import { api, ApiError, reportClientError, showError } from './api.js';
import { listen, throttled } from './events.js';
import { navigate, toSignIn } from './nav.js';
import { me } from './session.js';
import { photosView } from './views/photos.js';

/** @typedef {{ title: string, public?: boolean, render: () => HTMLElement }} View */

/**
 * A view whose code loads when it is first visited (Photos comes with the
 * app: it is where almost every visit starts).
 * @param {() => Promise<any>} load the view's module
 * @param {string} name the view's function in it
 * @returns {(...parts: any[]) => Promise<View>}
 */
const lazy = (load, name) => async (...parts) => (await load().then(loaded, reloadOnce))[name](...parts);

/**
 * @param {any} module a view's code, fetched
 * @returns {any}
 */
function loaded(module) {
  sessionStorage.removeItem('hearth:reloaded');
  return module;
}

/**
 * A view's code that cannot be fetched: after an upgrade the server no
 * longer has this page's version of it, so the page reloads (once: a
 * second failure is an error to show, not a loop).
 * @param {unknown} error
 * @returns {never}
 */
function reloadOnce(error) {
  if (!sessionStorage.getItem('hearth:reloaded')) {
    sessionStorage.setItem('hearth:reloaded', '1');
    location.reload();
  }
  throw error;
}

const linkView = lazy(() => import('./views/link.js'), 'linkView');
const collectionView = lazy(() => import('./views/collection.js'), 'collectionView');

/** @type {Record<string, () => View | Promise<View>>} */
const routes = {
  '/': photosView,
  '/albums': lazy(() => import('./views/albums.js'), 'albumsView'),
  '/search': lazy(() => import('./views/search.js'), 'searchView'),
  '/settings': lazy(() => import('./views/settings.js'), 'settingsView'),
  '/settings/security': lazy(() => import('./views/security.js'), 'securityView'),
  '/settings/devices': lazy(() => import('./views/devices.js'), 'devicesView'),
  '/settings/household': lazy(() => import('./views/household.js'), 'householdView'),
  '/settings/library': lazy(() => import('./views/library.js'), 'libraryView'),
  '/settings/privacy': lazy(() => import('./views/privacy.js'), 'privacyView'),
  '/settings/server': lazy(() => import('./views/server.js'), 'serverView'),
  '/notifications': lazy(() => import('./views/notifications.js'), 'notificationsView'),
  '/trash': lazy(() => import('./views/trash.js'), 'trashView'),
  '/favourites': () => collectionView('favourites'),
  '/archive': () => collectionView('archive'),
  '/signin': lazy(() => import('./views/signin.js'), 'signinView'),
  '/setup': linkView,
  '/invite': linkView,
  '/recover': linkView,
  '/cancel-deletion': lazy(() => import('./views/cancel-deletion.js'), 'cancelDeletionView'),
};

/**
 * Routes with a part that varies, e.g. `/albums/12`.
 * @type {[RegExp, (...parts: string[]) => Promise<View>][]}
 */
const patterns = [
  [/^\/albums\/(\d+)$/, (id) => lazy(() => import('./views/album.js'), 'albumView')(Number(id))],
  [/^\/shared\/([\w-]+)$/, lazy(() => import('./views/shared.js'), 'sharedView')],
];

/**
 * @param {string} path
 * @returns {Promise<View>}
 */
async function route(path) {
  const exact = routes[path];
  if (exact) return exact();
  for (const [pattern, view] of patterns) {
    const match = path.match(pattern);
    if (match) return view(...match.slice(1));
  }
  return lazy(() => import('./views/not-found.js'), 'notFoundView')();
}

/** @type {Promise<any> | null} */
let serverInfo = null;

/** Counts renders: a slower one (its view's code still loading) yields to a later one. */
let rendering = 0;

async function render() {
  const turn = ++rendering;
  const shell = /** @type {import('./components/hearth-shell.js').HearthShell} */ (document.querySelector('hearth-shell'));
  // A selection belongs to the view it was made in.
  document.body.classList.remove('selecting');
  const path = location.pathname.replace(/\/+$/, '') || '/';
  let view = await route(path);
  if (turn !== rendering) return;
  if (!view.public) {
    const user = await me({ fresh: true });
    if (turn !== rendering) return;
    if (!user) {
      serverInfo ??= api('/server/info');
      const info = await serverInfo.catch(() => null);
      if (turn !== rendering) return;
      if (info?.setup_pending) {
        serverInfo = null;
        view = await lazy(() => import('./views/link.js'), 'waitingView')();
      } else {
        toSignIn();
        return;
      }
    }
  }
  const user = view.public ? null : await me();
  if (turn !== rendering) return;
  shell.setSignedIn(!!user);
  followUnread(!!user);
  if (user) refreshUnread();
  document.title = view.title === 'Hearth' ? 'Hearth' : `${view.title} · Hearth`;
  shell.show(view.render(), path);
}

function refreshUnread() {
  api('/notifications')
    .then((list) => window.dispatchEvent(new CustomEvent('hearth:unread', { detail: list.unread })))
    .catch(() => {});
}

/** The bell's count follows the server while someone is signed in. */
const unreadChanged = throttled(refreshUnread, 300);
/** @type {(() => void)[]} */
let unreadStops = [];

/** @param {boolean} signedIn */
function followUnread(signedIn) {
  if (signedIn && !unreadStops.length) unreadStops = [listen('notifications', unreadChanged), listen('resync', unreadChanged)];
  if (!signedIn) {
    for (const stop of unreadStops) stop();
    unreadStops = [];
    unreadChanged.cancel();
  }
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
  if (url.pathname + url.search !== location.pathname + location.search) navigate(url.pathname + url.search);
  else render();
}

window.addEventListener('error', (event) => {
  // The browser's note that a resize was put off a frame is not a fault.
  if (/ResizeObserver loop/.test(event.message)) return;
  reportClientError({ message: event.message, source: event.filename, line: event.lineno, column: event.colno, stack: event.error?.stack });
});
window.addEventListener('unhandledrejection', (event) => {
  const reason = event.reason;
  // A session that ended mid-use: back to sign-in, not an error toast.
  if (reason instanceof ApiError && reason.status === 401 && reason.code === 'unauthorized') {
    event.preventDefault();
    toSignIn();
    return;
  }
  showError(reason);
  // API errors are answers, not bugs in the UI: only the latter go to the log.
  if (!(reason instanceof ApiError)) reportClientError({ message: String(reason?.message ?? reason), stack: reason?.stack });
});
window.addEventListener('hearth:unread', (event) => {
  const shell = /** @type {import('./components/hearth-shell.js').HearthShell} */ (document.querySelector('hearth-shell'));
  shell.setUnread(/** @type {CustomEvent} */ (event).detail);
});
// Back while the viewer is open closes the viewer (it listens itself).
window.addEventListener('popstate', () => {
  const viewer = /** @type {import('./components/hearth-viewer.js').HearthViewer | null} */ (document.querySelector('hearth-viewer'));
  if (viewer?.hasAttribute('open')) return;
  if (viewer?.swallowPop) {
    viewer.swallowPop = false;
    return;
  }
  render();
});
window.addEventListener('hearth:navigate', render);
window.addEventListener('hearth:me', (event) => {
  if (!(/** @type {CustomEvent} */ (event).detail)) followUnread(false);
});
document.addEventListener('click', onClick);
render();

// The app offline and "Share → Hearth": the service worker of this version
// (its files are under /v/<version>/; a new version installs a new worker).
if ('serviceWorker' in navigator) {
  const version = new URL(import.meta.url).pathname.match(/^\/v\/([^/]+)\//)?.[1] ?? 'dev';
  navigator.serviceWorker.register(`/sw.js?v=${version}`, { scope: '/' }).catch(() => {});
}
