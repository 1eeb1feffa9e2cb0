// @ts-check
/** The bar shown while photos are selected, with what may be done to them. */
import { h } from '../dom.js';
import { icons } from '../icons.js';
import { button } from '../ui.js';

/**
 * @param {[action: string, words: string][]} actions
 */
export function selectionBar(actions) {
  const label = h('span', { class: 'selection-count' });
  const clear = h('button', { type: 'button', class: 'viewer-button', 'aria-label': 'Clear the selection' });
  clear.innerHTML = icons.close;
  /** @type {Map<string, HTMLButtonElement>} */
  const buttons = new Map();
  for (const [action, text] of actions) {
    const control = button(text, { class: 'button button-quiet', 'data-action': action });
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
    },
  };
  clear.addEventListener('click', () => bar.onClear());
  return bar;
}
