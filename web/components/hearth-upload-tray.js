// @ts-check
/**
 * `<hearth-upload-tray>`: uploads files one request each (two at a time),
 * with per-file progress, and says what became of each: added, already in
 * the library, or not added and why, with the batch's totals. A new batch
 * after a finished one starts a clean list. Fires `hearth:uploaded` when a
 * batch is done so the timeline refreshes. Its height is given to the page
 * as `--tray-h`, so the scrubber stays clear of it.
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
    this.counts = { ok: 0, same: 0, bad: 0 };
    this.batch = 0;
    this.resize = new ResizeObserver(() => {
      document.documentElement.style.setProperty('--tray-h', this.hidden ? '0px' : `${this.getBoundingClientRect().height + 16}px`);
    });
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
    this.resize.observe(this);
  }

  /** @param {Iterable<File>} files */
  add(files) {
    if (!this.active && !this.queue.length) {
      // The last batch is done: this one starts a clean list.
      this.list?.replaceChildren();
      this.counts = { ok: 0, same: 0, bad: 0 };
      this.batch = 0;
    }
    for (const file of files) {
      this.batch++;
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
        if (!this.active && !this.queue.length) window.dispatchEvent(new CustomEvent('hearth:uploaded', { detail: this.counts.ok }));
      });
    }
    this.update();
  }

  update() {
    if (!this.summary) return;
    const waiting = this.queue.length + this.active;
    const { ok, same, bad } = this.counts;
    const totals = [ok && `${ok} added`, same && `${same} already there`, bad && `${bad} not added`].filter(Boolean).join(' · ');
    this.summary.replaceChildren(
      waiting ? `Uploading ${this.batch - waiting + 1} of ${this.batch}…` : 'Uploads finished',
      h('span', { class: 'tray-totals' }, totals),
    );
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
      const finish = (/** @type {'ok' | 'same' | 'bad'} */ kind, /** @type {string} */ text) => {
        this.counts[kind]++;
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
          if (result.status === 'imported') finish('ok', 'Added');
          else if (result.status === 'duplicate') finish('same', 'Already in the library');
          else {
            finish('bad', `Not added. ${result.reason}`);
            if (result.detail) entry.status.title = result.detail;
          }
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
