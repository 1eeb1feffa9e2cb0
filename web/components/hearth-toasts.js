// @ts-check
/**
 * `<hearth-toasts>`: shows errors (the `hearth:error` event) in plain
 * words, with the server's reference when there is one. Errors stay until
 * dismissed; nothing disappears before it could be read. Notices (the
 * `hearth:notice` event: how something went) go away by themselves after
 * a while, unless the pointer or the focus is on them; one that can be
 * undone has an Undo button (and stays a little longer).
 */
import { ApiError } from '../api.js';
import { icons } from '../icons.js';

/** How long a notice stays, in milliseconds (one with Undo: longer). */
const NOTICE_MS = 6000;
const UNDO_MS = 10000;

export class HearthToasts extends HTMLElement {
  connectedCallback() {
    this.setAttribute('role', 'region');
    this.setAttribute('aria-label', 'Notifications');
    window.addEventListener('hearth:error', (event) => this.add(/** @type {CustomEvent} */ (event).detail));
    window.addEventListener('hearth:notice', (event) => this.notice(/** @type {CustomEvent} */ (event).detail));
  }

  /**
   * A toast's frame: icon, text, Dismiss.
   * @param {string} icon
   * @param {string} role
   * @param {HTMLElement} text
   */
  toast(icon, role, text) {
    const toast = document.createElement('div');
    toast.className = 'toast';
    toast.setAttribute('role', role);
    text.className = 'toast-text';
    const close = document.createElement('button');
    close.className = 'icon-button';
    close.type = 'button';
    close.setAttribute('aria-label', 'Dismiss');
    close.innerHTML = icons.close;
    close.addEventListener('click', () => toast.remove());
    toast.insertAdjacentHTML('afterbegin', icon);
    toast.append(text, close);
    this.append(toast);
    return toast;
  }

  /** @param {unknown} err */
  add(err) {
    const text = document.createElement('div');
    const message = document.createElement('p');
    message.textContent = err instanceof Error ? err.message : String(err);
    text.append(message);
    if (err instanceof ApiError && err.requestId && err.status >= 500) {
      const reference = document.createElement('p');
      reference.className = 'toast-reference';
      reference.textContent = `Reference for the server log: ${err.requestId}`;
      text.append(reference);
    }
    this.toast(icons.alert, 'alert', text);
  }

  /** @param {{ message: string, link?: { href: string, text: string }, undo?: () => Promise<string> }} detail */
  notice({ message, link, undo }) {
    const text = document.createElement('div');
    const words = document.createElement('p');
    words.textContent = message;
    text.append(words);
    if (link) {
      const a = document.createElement('a');
      a.href = link.href;
      a.textContent = link.text;
      text.append(a);
    }
    const toast = this.toast(icons.check, 'status', text);
    toast.classList.add('toast-notice');
    if (undo) {
      const back = document.createElement('button');
      back.type = 'button';
      back.className = 'button button-quiet toast-undo';
      back.textContent = 'Undo';
      back.addEventListener('click', async () => {
        back.disabled = true;
        try {
          words.textContent = await undo();
          back.remove();
        } catch (err) {
          toast.remove();
          this.add(err);
        }
      });
      text.after(back);
    }
    let held = false;
    const hold = () => (held = true);
    const release = () => (held = toast.matches(':hover, :focus-within'));
    toast.addEventListener('pointerenter', hold);
    toast.addEventListener('focusin', hold);
    toast.addEventListener('pointerleave', release);
    toast.addEventListener('focusout', release);
    toast.querySelector('a')?.addEventListener('click', () => toast.remove());
    const timer = window.setInterval(() => {
      if (!toast.isConnected) clearInterval(timer);
      else if (!held) {
        clearInterval(timer);
        toast.remove();
      }
    }, undo ? UNDO_MS : NOTICE_MS);
  }
}

customElements.define('hearth-toasts', HearthToasts);
