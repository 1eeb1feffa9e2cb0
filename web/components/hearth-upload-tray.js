// @ts-check
/**
 * `<hearth-upload-tray>`: uploads files one request each (two at a time),
 * with per-file progress, and says what became of each: added, already in
 * the library, or not added and why. Fires `hearth:uploaded` when a batch
 * is done so the timeline refreshes.
 */
import { h } from '../dom.js';
import { icons } from '../icons.js';

/**
 * @typedef {object} Entry
 * @property {File} file
 * @property {HTMLElement} row
 * @property {HTMLProgressElement} bar
 * @property {HTMLElement} status
 */

const PARALLEL = 2;

export class HearthUploadTray extends HTMLElement {
  constructor() {
    super();
    /** @type {Entry[]} */
    this.queue = [];
    this.active = 0;
    this.added = 0;
  }

  connectedCallback() {
    if (this.querySelector('.tray')) return;
    this.setAttribute('aria-live', 'polite');
    const close = h('button', { type: 'button', class: 'tray-close', 'aria-label': 'Close the upload list' });
    close.innerHTML = icons.close;
    close.addEventListener('click', () => {
      if (!this.active) this.hidden = true;
    });
    this.summary = h('p', { class: 'tray-summary' });
    this.list = h('ul', { class: 'tray-list' });
    this.append(h('section', { class: 'tray', 'aria-label': 'Uploads' }, h('header', { class: 'tray-head' }, this.summary, close), this.list));
    this.hidden = true;
  }

  /** @param {Iterable<File>} files */
  add(files) {
    for (const file of files) {
      const bar = h('progress', { max: '100', value: '0', 'aria-label': `Uploading ${file.name}` });
      const status = h('span', { class: 'tray-status muted' }, 'Waiting');
      const row = h('li', { class: 'tray-row' }, h('span', { class: 'tray-name' }, file.name), bar, status);
      this.list?.prepend(row);
      this.queue.push({ file, row, bar, status });
    }
    this.hidden = false;
    this.pump();
  }

  pump() {
    while (this.active < PARALLEL && this.queue.length) {
      const entry = /** @type {Entry} */ (this.queue.shift());
      this.active++;
      this.send(entry).finally(() => {
        this.active--;
        this.update();
        this.pump();
        if (!this.active && !this.queue.length) window.dispatchEvent(new CustomEvent('hearth:uploaded', { detail: this.added }));
      });
    }
    this.update();
  }

  update() {
    if (!this.summary) return;
    const waiting = this.queue.length + this.active;
    this.summary.textContent = waiting ? `Uploading ${waiting} ${waiting === 1 ? 'file' : 'files'}…` : 'Uploads finished';
  }

  /** @param {Entry} entry */
  send(entry) {
    return new Promise((resolve) => {
      const form = new FormData();
      form.append('file', entry.file, entry.file.name);
      const xhr = new XMLHttpRequest();
      xhr.open('POST', '/api/uploads');
      xhr.setRequestHeader('accept', 'application/json');
      xhr.upload.addEventListener('progress', (event) => {
        if (event.lengthComputable) entry.bar.value = Math.round((event.loaded / event.total) * 100);
        entry.status.textContent = 'Uploading';
      });
      const finish = (/** @type {string} */ kind, /** @type {string} */ text) => {
        entry.bar.remove();
        entry.row.classList.add(`tray-${kind}`);
        entry.status.className = 'tray-status';
        entry.status.textContent = text;
        resolve(undefined);
      };
      xhr.addEventListener('load', () => {
        let body = null;
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          body = null;
        }
        if (xhr.status === 200 && body?.files?.[0]) {
          const result = body.files[0];
          if (result.status === 'imported') {
            this.added++;
            finish('ok', 'Added');
          } else if (result.status === 'duplicate') finish('same', 'Already in the library');
          else finish('bad', `Not added: ${result.reason}`);
        } else if (xhr.status === 401) {
          finish('bad', 'Not added: you are signed out');
        } else {
          finish('bad', `Not added: ${body?.message ?? `the server answered ${xhr.status}`}`);
        }
      });
      xhr.addEventListener('error', () => finish('bad', 'Not added: the connection was lost'));
      xhr.send(form);
    });
  }
}

customElements.define('hearth-upload-tray', HearthUploadTray);
