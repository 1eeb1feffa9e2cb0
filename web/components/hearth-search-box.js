// @ts-check
/**
 * `<hearth-search-box>`: a search field with suggestions (places, cameras,
 * tags of photos you can see) as you type, navigable with the arrow keys.
 * Submitting — Enter, or picking a suggestion — goes to `/search?q=…`.
 */
import { api } from '../api.js';
import { h } from '../dom.js';
import { icons } from '../icons.js';
import { navigate } from '../nav.js';

let boxes = 0;

const KINDS = /** @type {Record<string, string>} */ ({ place: 'Place', camera: 'Camera', tag: 'Tag' });

export class HearthSearchBox extends HTMLElement {
  constructor() {
    super();
    /** @type {HTMLInputElement | null} */
    this.input = null;
    /** @type {HTMLElement | null} */
    this.list = null;
    /** @type {{ filter: string, value: string }[]} */
    this.options = [];
    this.active = -1;
    this.timer = 0;
    this.asked = 0;
  }

  connectedCallback() {
    if (this.input) return;
    const id = `search-suggestions-${++boxes}`;
    const input = /** @type {HTMLInputElement} */ (
      h('input', {
        type: 'search',
        name: 'q',
        class: 'search-input',
        placeholder: this.getAttribute('placeholder') ?? 'Search: beach 2019, place:lisbon…',
        autocomplete: 'off',
        enterkeyhint: 'search',
        role: 'combobox',
        'aria-label': 'Search photos',
        'aria-autocomplete': 'list',
        'aria-expanded': 'false',
        'aria-controls': id,
      })
    );
    input.value = this.getAttribute('value') ?? '';
    this.input = input;
    const list = h('ul', { id, class: 'search-suggestions', role: 'listbox', 'aria-label': 'Suggestions', hidden: '' });
    const icon = h('span', { class: 'search-icon', 'aria-hidden': 'true' });
    icon.innerHTML = icons.search;
    this.list = list;
    const form = h('form', { class: 'search-form', role: 'search' }, icon, input, list);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.go(this.input?.value ?? '');
    });
    input.addEventListener('input', () => this.typed());
    input.addEventListener('keydown', (event) => this.key(event));
    input.addEventListener('blur', () => setTimeout(() => this.close(), 150));
    this.append(form);
  }

  /** @param {string} value */
  set value(value) {
    if (this.input) this.input.value = value;
  }

  focus() {
    this.input?.focus();
  }

  /** @param {string} query */
  go(query) {
    this.close();
    this.input?.blur();
    navigate(`/search?q=${encodeURIComponent(query.trim())}`);
  }

  /** The word being typed: what suggestions complete. */
  last() {
    const text = this.input?.value ?? '';
    if (/\s$/.test(text)) return '';
    const word = text.split(/\s+/).pop() ?? '';
    return word.includes(':') || word.startsWith('-') || word.startsWith('"') ? '' : word;
  }

  typed() {
    clearTimeout(this.timer);
    const word = this.last();
    if (word.length < 2) {
      this.close();
      return;
    }
    this.timer = window.setTimeout(async () => {
      const asked = ++this.asked;
      try {
        const found = await api(`/search/suggest?q=${encodeURIComponent(word)}`);
        if (asked === this.asked) this.show(found);
      } catch {
        this.close();
      }
    }, 150);
  }

  /** @param {{ kind: string, value: string, count: number, filter: string }[]} found */
  show(found) {
    if (!this.list || !this.input) return;
    this.options = found;
    this.active = -1;
    this.list.replaceChildren(
      ...found.map((s, i) => {
        const option = h('li', { role: 'option', id: `${this.list?.id}-${i}`, class: 'search-suggestion', 'aria-selected': 'false' }, h('span', { class: 'suggestion-value' }, s.value), h('span', { class: 'muted' }, `${KINDS[s.kind] ?? s.kind} · ${s.count.toLocaleString()}`));
        option.addEventListener('mousedown', (event) => {
          event.preventDefault();
          this.pick(i);
        });
        return option;
      }),
    );
    this.list.hidden = found.length === 0;
    this.input.setAttribute('aria-expanded', String(found.length > 0));
  }

  close() {
    if (!this.list || !this.input) return;
    this.list.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
    this.active = -1;
  }

  /** @param {number} index */
  pick(index) {
    const option = this.options[index];
    if (!option || !this.input) return;
    const text = this.input.value;
    const cut = text.length - this.last().length;
    this.go(`${text.slice(0, cut)}${option.filter} `);
  }

  /** @param {KeyboardEvent} event */
  key(event) {
    if (!this.list || this.list.hidden) return;
    const list = this.list;
    const count = this.options.length;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      this.active = (this.active + (event.key === 'ArrowDown' ? 1 : -1) + count + 1) % (count + 1);
      if (this.active === count) this.active = -1;
      [...list.children].forEach((el, i) => el.setAttribute('aria-selected', String(i === this.active)));
      if (this.active >= 0) this.input?.setAttribute('aria-activedescendant', `${list.id}-${this.active}`);
      else this.input?.removeAttribute('aria-activedescendant');
    } else if (event.key === 'Enter' && this.active >= 0) {
      event.preventDefault();
      this.pick(this.active);
    } else if (event.key === 'Escape') {
      this.close();
    }
  }
}

customElements.define('hearth-search-box', HearthSearchBox);
