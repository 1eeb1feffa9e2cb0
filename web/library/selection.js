// @ts-check
/**
 * The bar shown while photos are selected, with what may be done to them:
 * one line, docked to the bottom of a phone's screen (icons, their words
 * read out) and a pill on wider ones (icons and words).
 */
import { h } from '../dom.js';
import { icons } from '../icons.js';

/**
 * @param {import('./actions.js').ActionSpec[]} actions
 */
export function selectionBar(actions) {
  const label = h('span', { class: 'selection-count', role: 'status' });
  const clear = h('button', { type: 'button', class: 'selection-button', title: 'Clear the selection (Esc)' }, h('span', { class: 'visually-hidden' }, 'Clear the selection'));
  clear.insertAdjacentHTML('afterbegin', icons.close);
  /** @type {Map<string, HTMLButtonElement>} */
  const buttons = new Map();
  for (const [action, text, icon] of actions) {
    const control = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'selection-button', 'data-action': action, title: text }, h('span', { class: 'selection-word' }, text)));
    control.insertAdjacentHTML('afterbegin', icons[/** @type {keyof typeof icons} */ (icon)]);
    control.addEventListener('click', () => bar.onAction(action));
    buttons.set(action, control);
  }
  const el = h('div', { class: 'selection-bar', role: 'toolbar', 'aria-label': 'Selected photos', hidden: '' }, clear, label, h('div', { class: 'selection-actions' }, ...buttons.values()));
  const bar = {
    el,
    buttons,
    /** @type {(action: string) => void} */
    onAction: () => {},
    onClear: () => {},
    /** @param {Set<number>} selected */
    update(selected) {
      el.hidden = selected.size === 0;
      label.textContent = `${selected.size} selected`;
      document.body.classList.toggle('selecting', !el.hidden);
      if (el.hidden) window.removeEventListener('keydown', onKey);
      else window.addEventListener('keydown', onKey);
    },
  };
  // Esc clears the selection (unless the viewer or a dialog has it).
  const onKey = (/** @type {KeyboardEvent} */ event) => {
    if (!el.isConnected) {
      // Its view has gone.
      window.removeEventListener('keydown', onKey);
      return;
    }
    if (event.key !== 'Escape' || document.body.classList.contains('viewer-open') || document.querySelector('dialog[open]')) return;
    bar.onClear();
  };
  clear.addEventListener('click', () => bar.onClear());
  return bar;
}

/**
 * Which photos are selected, with ranges (shift-click) in a given order.
 */
export class Selection {
  /** @param {(selected: Set<number>) => void} onChange */
  constructor(onChange) {
    /** @type {Set<number>} */
    this.selected = new Set();
    /** @type {number | null} */
    this.anchor = null;
    this.onChange = onChange;
  }

  /**
   * Selects or unselects; with `range`, everything from the last one.
   * @param {number} id
   * @param {boolean} range
   * @param {number[]} order every id, in the order shown
   */
  toggle(id, range, order) {
    if (range && this.anchor !== null) {
      const [a, b] = [order.indexOf(this.anchor), order.indexOf(id)].sort((x, y) => x - y);
      if (a >= 0) for (const each of order.slice(a, b + 1)) this.selected.add(each);
    } else if (this.selected.has(id)) {
      this.selected.delete(id);
    } else {
      this.selected.add(id);
    }
    this.anchor = id;
    this.onChange(this.selected);
  }

  /**
   * Selects (or unselects) all of `ids` at once (a day).
   * @param {number[]} ids
   * @param {boolean} on
   */
  set(ids, on) {
    for (const id of ids) {
      if (on) this.selected.add(id);
      else this.selected.delete(id);
    }
    this.onChange(this.selected);
  }

  clear() {
    this.selected.clear();
    this.anchor = null;
    this.onChange(this.selected);
  }

  /**
   * Marks tiles selected or not.
   * @param {Iterable<[number, HTMLElement]>} tiles
   */
  paint(tiles) {
    for (const [id, tile] of tiles) {
      tile.classList.toggle('selected', this.selected.has(id));
      if (tile.classList.contains('selectable')) tile.setAttribute('aria-pressed', String(this.selected.has(id)));
    }
  }
}

/**
 * Makes a grid tile selectable: a check circle (click it, or shift-,
 * ctrl- or cmd-click the tile, press long on touch, or press x on it),
 * and opening on a plain click while nothing is selected.
 * @param {HTMLElement} tile from `tileElement()`
 * @param {object} how
 * @param {() => boolean} how.selecting whether something is selected
 * @param {boolean} how.selected whether this one is, now
 * @param {(range: boolean) => void} how.toggle
 * @param {() => void} how.open
 */
export function selectable(tile, { selecting, selected, toggle, open }) {
  tile.classList.add('selectable');
  tile.append(h('span', { class: 'tile-check', 'aria-hidden': 'true' }));
  tile.classList.toggle('selected', selected);
  tile.setAttribute('aria-pressed', String(selected));
  let pressed = 0;
  let longPressed = false;
  tile.addEventListener('pointerdown', (event) => {
    longPressed = false;
    if (event.pointerType !== 'touch') return;
    pressed = window.setTimeout(() => {
      longPressed = true;
      toggle(false);
      navigator.vibrate?.(10);
    }, 450);
  });
  const cancel = () => clearTimeout(pressed);
  tile.addEventListener('pointerup', cancel);
  tile.addEventListener('pointercancel', cancel);
  tile.addEventListener('pointerleave', cancel);
  tile.addEventListener('contextmenu', (event) => {
    if (longPressed) event.preventDefault();
  });
  // The keyboard: x selects (with Shift, a range), as the check circle does.
  tile.addEventListener('keydown', (event) => {
    if (event.key.toLowerCase() !== 'x' || event.ctrlKey || event.metaKey || event.altKey) return;
    event.preventDefault();
    toggle(event.shiftKey);
  });
  tile.addEventListener('click', (event) => {
    if (longPressed) return;
    const onCheck = event.target instanceof HTMLElement && event.target.classList.contains('tile-check');
    if (selecting() || onCheck || event.shiftKey || event.metaKey || event.ctrlKey) toggle(event.shiftKey);
    else open();
  });
  return tile;
}
