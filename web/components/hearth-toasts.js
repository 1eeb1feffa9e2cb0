// @ts-check
/**
 * `<hearth-toasts>`: shows errors (the `hearth:error` event) in plain
 * words, with the server's reference when there is one. Errors stay until
 * dismissed; nothing disappears before it could be read.
 */
import { ApiError } from '../api.js';
import { icons } from '../icons.js';

export class HearthToasts extends HTMLElement {
  connectedCallback() {
    this.setAttribute('role', 'region');
    this.setAttribute('aria-label', 'Notifications');
    window.addEventListener('hearth:error', (event) => this.add(/** @type {CustomEvent} */ (event).detail));
  }

  /** @param {unknown} err */
  add(err) {
    const toast = document.createElement('div');
    toast.className = 'toast';
    toast.setAttribute('role', 'alert');
    const text = document.createElement('div');
    text.className = 'toast-text';
    const message = document.createElement('p');
    message.textContent = err instanceof Error ? err.message : String(err);
    text.append(message);
    if (err instanceof ApiError && err.requestId && err.status >= 500) {
      const reference = document.createElement('p');
      reference.className = 'toast-reference';
      reference.textContent = `Reference for the server log: ${err.requestId}`;
      text.append(reference);
    }
    const close = document.createElement('button');
    close.className = 'icon-button';
    close.type = 'button';
    close.setAttribute('aria-label', 'Dismiss');
    close.innerHTML = icons.close;
    close.addEventListener('click', () => toast.remove());
    toast.insertAdjacentHTML('afterbegin', icons.alert);
    toast.append(text, close);
    this.append(toast);
  }
}

customElements.define('hearth-toasts', HearthToasts);
