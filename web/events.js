// @ts-check
/**
 * What changes on the server, as it happens: one `EventSource` on
 * `/api/events` for the whole app, open while some view listens. Events
 * are signals (`library`: these assets changed; `jobs`: the queue moved;
 * `album`: an album's photos, members or details changed; `comments`: its
 * conversation or hearts changed; `notifications`: your unread count
 * changed); views fetch what they show through the API. Listeners get `resync` when
 * events may have been missed: they reload what they show.
 */

/** @typedef {{ kind: string, ids: number[], album?: number }} ServerEvent */
/** @typedef {'library' | 'jobs' | 'album' | 'comments' | 'notifications' | 'resync'} Kind */

const KINDS = /** @type {Kind[]} */ (['library', 'jobs', 'album', 'comments', 'notifications', 'resync']);

/** @type {Map<Kind, Set<(event: ServerEvent) => void>>} */
const handlers = new Map(KINDS.map((kind) => [kind, new Set()]));
/** @type {EventSource | null} */
let source = null;
let dropped = false;
let retry = 0;

/**
 * @param {Kind} kind
 * @param {ServerEvent} event
 */
function dispatch(kind, event) {
  for (const handler of handlers.get(kind) ?? []) handler(event);
}

const listening = () => [...handlers.values()].some((set) => set.size > 0);

function connect() {
  if (source || !listening()) return;
  const opened = new EventSource('/api/events');
  source = opened;
  for (const kind of KINDS) {
    opened.addEventListener(kind, (message) => {
      try {
        dispatch(kind, JSON.parse(/** @type {MessageEvent} */ (message).data));
      } catch {
        // Not JSON: not ours.
      }
    });
  }
  opened.addEventListener('open', () => {
    if (dropped) dispatch('resync', { kind: 'resync', ids: [] });
    dropped = false;
  });
  opened.addEventListener('error', () => {
    // The browser reconnects by itself, sending the last event's id: the
    // server replays what was missed (or says `resync`). If the server
    // refused (signed out, or gone), a new connection starts afresh later,
    // and views reload when it opens.
    if (opened.readyState === EventSource.CLOSED) {
      dropped = true;
      source = null;
      clearTimeout(retry);
      retry = window.setTimeout(connect, 5000);
    }
  });
}

/**
 * Calls `handler` for every event of `kind` until the returned function is
 * called.
 * @param {Kind} kind
 * @param {(event: ServerEvent) => void} handler
 */
export function listen(kind, handler) {
  handlers.get(kind)?.add(handler);
  connect();
  return () => {
    handlers.get(kind)?.delete(handler);
    if (!listening()) {
      source?.close();
      source = null;
      dropped = false;
      clearTimeout(retry);
    }
  };
}

/**
 * Runs `task` at most once per `ms` (the first call waits `ms`), so a
 * burst of events — an import of thousands of photos — costs a few
 * fetches, not thousands.
 * @param {() => void} task
 * @param {number} ms
 */
export function throttled(task, ms) {
  let timer = 0;
  const run = () => {
    if (timer) return;
    timer = window.setTimeout(() => {
      timer = 0;
      task();
    }, ms);
  };
  run.cancel = () => {
    clearTimeout(timer);
    timer = 0;
  };
  return run;
}
