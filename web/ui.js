// @ts-check
/** Small building blocks the views share: fields, buttons, cards, errors. */
import { api, ApiError } from './api.js';
import { confirmDialog } from './dialog.js';
import { h } from './dom.js';

/**
 * A labelled input.
 * @param {string} label
 * @param {Record<string, string>} attrs input attributes (name, type, autocomplete…)
 * @param {string} [hint]
 */
export function field(label, attrs, hint) {
  const id = `f-${attrs.name}-${Math.random().toString(36).slice(2, 8)}`;
  const input = h('input', { id, ...attrs });
  const hintEl = hint ? h('p', { class: 'field-hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) input.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, hintEl);
}

/**
 * A dropdown with its label shown above it.
 * @param {string} label
 * @param {Record<string, string>} attrs
 * @param {[string, string][]} options value and text of each choice
 */
export function selectField(label, attrs, options) {
  const id = `f-${attrs.name}-${Math.random().toString(36).slice(2, 8)}`;
  const select = h('select', { id, ...attrs }, ...options.map(([value, text]) => h('option', { value }, text)));
  return h('div', { class: 'field' }, h('label', { for: id }, label), select);
}

/**
 * @param {string} text
 * @param {Record<string, string>} [attrs]
 */
export function button(text, attrs = {}) {
  return h('button', { type: 'button', class: 'button', ...attrs }, text);
}

/**
 * @param {string} heading
 * @param {...(Node | string | null | false)} children
 */
export function card(heading, ...children) {
  const id = `c-${heading.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, heading), ...children);
}

/**
 * Says how something went, in a toast that goes away by itself (errors
 * use `showError`, and stay). `link` offers a way on ("Open the album");
 * `undo` takes it back ("Undo"), and the toast says when that is done.
 * @param {string} message
 * @param {{ href: string, text: string }} [link]
 * @param {() => Promise<string>} [undo] reverses it, answering what it did
 */
export function notice(message, link, undo) {
  window.dispatchEvent(new CustomEvent('hearth:notice', { detail: { message, link, undo } }));
}

/**
 * An unreadable search query (or live album rule) in words, saying where.
 * @param {unknown} err
 */
export function queryProblem(err) {
  if (err instanceof ApiError && err.code === 'invalid_query') return `${err.message}${err.position !== null ? ` (at character ${err.position + 1})` : ''}`;
  return err instanceof Error ? err.message : String(err);
}

/** How long typing pauses before a preview is asked for, in ms. */
const PREVIEW_DELAY = 350;

/**
 * A preview that follows what is typed (a live album's rule, a retention
 * rule's dry run): asked for after a pause in typing, the one before
 * cancelled, "Looking…" meanwhile, and a failure said in words in `status`.
 * @param {HTMLElement} status
 * @param {HTMLElement} grid emptied when there is nothing to show
 * @param {() => boolean} ready resets the form's marks; false when there is nothing to ask (having said why in `status`)
 * @param {(signal: AbortSignal) => Promise<void>} ask asks the server and fills `status` and `grid`
 * @param {(err: unknown) => void} failed what else a failure changes
 */
export function livePreview(status, grid, ready, ask, failed) {
  let timer = 0;
  /** @type {AbortController | null} */
  let asking = null;
  const run = async () => {
    asking?.abort();
    if (!ready()) {
      grid.replaceChildren();
      return;
    }
    const controller = new AbortController();
    asking = controller;
    status.textContent = 'Looking…';
    try {
      await ask(controller.signal);
    } catch (err) {
      if (controller.signal.aborted) return;
      grid.replaceChildren();
      status.replaceChildren(h('span', { class: 'inline-error' }, queryProblem(err)));
      failed(err);
    }
  };
  return {
    /** Asks now. */
    run,
    /** Asks once typing pauses. */
    schedule() {
      clearTimeout(timer);
      timer = window.setTimeout(run, PREVIEW_DELAY);
    },
    /** Stops asking (the form closed). */
    stop() {
      clearTimeout(timer);
      asking?.abort();
    },
  };
}

/**
 * Calls `done` once `page` (a view, just rendered) leaves the screen: for
 * stopping event listeners and timers.
 * @param {HTMLElement} page
 * @param {() => void} done
 */
export function onLeave(page, done) {
  const observer = new MutationObserver(() => {
    if (page.isConnected) return;
    observer.disconnect();
    done();
  });
  queueMicrotask(() => {
    if (page.parentElement) observer.observe(page.parentElement, { childList: true });
    else done();
  });
}

/** A place for one form's error, announced to screen readers. */
export function errorSlot() {
  return h('p', { class: 'inline-error', role: 'alert', hidden: '' });
}

/**
 * Shows an error in a slot, in the server's words when there are some.
 * @param {HTMLElement} slot
 * @param {unknown} err
 */
export function showIn(slot, err) {
  slot.hidden = false;
  slot.textContent = err instanceof ApiError || err instanceof Error ? err.message : String(err);
}

/**
 * Runs `work` while `control` is disabled and marked busy; errors go to `slot`.
 * @param {HTMLButtonElement} control
 * @param {HTMLElement} slot
 * @param {() => Promise<void>} work
 */
export async function busy(control, slot, work) {
  slot.hidden = true;
  control.disabled = true;
  control.setAttribute('aria-busy', 'true');
  try {
    await work();
  } catch (err) {
    showIn(slot, err);
  } finally {
    control.disabled = false;
    control.removeAttribute('aria-busy');
  }
}

/**
 * "3 minutes ago", "yesterday", or a date.
 * @param {string | null | undefined} iso
 */
export function when(iso) {
  if (!iso) return 'never';
  const date = new Date(iso);
  const seconds = (Date.now() - date.getTime()) / 1000;
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  if (Math.abs(seconds) < 60) return 'just now';
  if (Math.abs(seconds) < 3600) return rtf.format(-Math.round(seconds / 60), 'minute');
  if (Math.abs(seconds) < 86400) return rtf.format(-Math.round(seconds / 3600), 'hour');
  if (Math.abs(seconds) < 7 * 86400) return rtf.format(-Math.round(seconds / 86400), 'day');
  return date.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

/**
 * A day, for dates to come as well as past ones: "12 Dec 2026".
 * @param {string | null | undefined} iso
 */
export function day(iso) {
  if (!iso) return 'never';
  return new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

/**
 * A day and a time: "12 Dec 2026, 14:05".
 * @param {string | null | undefined} iso
 */
export function dayAndTime(iso) {
  if (!iso) return 'never';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * A size for people: "812 KB", "4.3 MB", "1.2 GB".
 * @param {number} bytes
 */
export function formatBytes(bytes) {
  if (!Number.isFinite(bytes) || bytes < 1000) return `${Math.max(0, Math.round(bytes || 0))} bytes`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toLocaleString(undefined, { maximumFractionDigits: value < 10 ? 1 : 0 })} ${units[unit]}`;
}

/**
 * A read-only text with a Copy button, for links shown once.
 * @param {string} text
 * @param {string} label
 */
export function copyable(text, label) {
  const input = h('input', { value: text, readonly: '', 'aria-label': label, class: 'copy-text' });
  const copy = button('Copy', { class: 'button button-quiet' });
  copy.addEventListener('click', async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(text);
      copy.textContent = 'Copied';
    } catch {
      copy.textContent = 'Select and copy';
    }
  });
  return h('div', { class: 'copy-row' }, input, copy);
}

/**
 * A link for someone else (an invite, a recovery or share link) to copy,
 * with a word on its address: made from the address in use when the owner
 * has not set `public_url` (and that it opens only on this computer when
 * that is localhost); a warning when `public_url` differs from the address
 * in use, so nobody hands out a link that cannot work.
 * @param {string} url
 * @param {string} label
 */
export function linkToSend(url, label) {
  const note = h('p', { class: 'muted link-note', hidden: '' });
  api('/server/info')
    .then((/** @type {{ public_url_set: boolean }} */ info) => {
      const address = new URL(url);
      const local = ['localhost', '127.0.0.1', '[::1]'].includes(address.hostname);
      if (!info.public_url_set) {
        note.textContent = local
          ? `This link starts with ${address.origin}, the address you are using: it opens only on this computer. Open Hearth by its address on the home network (or set public_url) and make the link again.`
          : `This link starts with ${address.origin}, the address you are using. It works where that address does (usually the home network); the owner can set public_url for an address that works everywhere.`;
      } else if (address.origin !== location.origin) {
        note.textContent = `This link starts with ${address.origin} (Hearth's public_url), not ${location.origin}, the address you are using. Check that it opens for them.`;
        note.classList.replace('muted', 'notice');
      } else return;
      note.hidden = false;
    })
    .catch(() => {});
  return h('div', { class: 'stack link-to-send' }, copyable(url, label), note);
}

/**
 * Re-renders a card's body from the server.
 * @param {HTMLElement} body
 * @param {() => Promise<(Node | null)[]>} load
 */
export async function refresh(body, load) {
  try {
    body.replaceChildren(...(await load()).filter((node) => node !== null));
  } catch (err) {
    body.replaceChildren(h('p', { class: 'inline-error', role: 'alert' }, err instanceof Error ? err.message : String(err)));
  }
}

/**
 * A quiet button doing `action`; one that cannot be undone asks first
 * (`ask`: the question, what follows, the confirming words).
 * @param {string} text
 * @param {() => Promise<void>} action
 * @param {HTMLElement} slot
 * @param {{ heading: string, message: string, confirm: string }} [ask]
 */
export function action(text, action, slot, ask) {
  const control = button(text, { class: 'button button-quiet' });
  control.addEventListener('click', async () => {
    if (ask && !(await confirmDialog({ ...ask, danger: true }))) return;
    busy(control, slot, action);
  });
  return control;
}

