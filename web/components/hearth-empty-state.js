// @ts-check
/**
 * `<hearth-empty-state heading="…" icon="photos">text</hearth-empty-state>`:
 * a calm, centred message for a view with nothing (yet) to show. Its
 * heading is the page's h1 unless `level="2"` (inside a page with its own).
 */
import { icons } from '../icons.js';

export class HearthEmptyState extends HTMLElement {
  connectedCallback() {
    if (this.querySelector('.empty-heading')) return;
    const name = /** @type {keyof typeof icons} */ (this.getAttribute('icon') ?? 'flame');
    const heading = document.createElement(this.getAttribute('level') === '2' ? 'h2' : 'h1');
    heading.className = 'empty-heading';
    heading.textContent = this.getAttribute('heading') ?? '';
    const body = document.createElement('div');
    body.className = 'empty-body';
    body.append(...this.childNodes);
    this.innerHTML = `<div class="empty-icon">${icons[name] ?? icons.flame}</div>`;
    this.append(heading, body);
  }
}

customElements.define('hearth-empty-state', HearthEmptyState);
