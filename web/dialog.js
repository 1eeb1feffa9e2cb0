// @ts-check
/**
 * Dialogs on the native `<dialog>`: modal (the rest of the page is inert),
 * Esc and the close button close them, focus returns where it was. On
 * phones they rise from the bottom as sheets (see app.css).
 */
import { h, trapFocus } from './dom.js';
import { icons } from './icons.js';
import { button } from './ui.js';

let count = 0;

/**
 * Opens a dialog; it is removed from the page when it closes.
 * @param {object} spec
 * @param {string} spec.heading
 * @param {(Node | null | false)[]} spec.body
 * @param {(Node | null | false)[]} [spec.actions] buttons at the bottom
 * @param {boolean} [spec.light] a tap outside closes it too (pickers, not forms)
 * @param {string} [spec.className]
 * @param {() => void} [spec.onClose]
 * @returns {HTMLDialogElement}
 */
export function openDialog({ heading, body, actions = [], light = false, className = '', onClose }) {
  const id = `dialog-${++count}`;
  const close = h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Close' });
  close.innerHTML = icons.close;
  const shown = actions.filter(Boolean);
  const dialog = h(
    'dialog',
    { class: `dialog ${className}`.trim(), 'aria-labelledby': id },
    h(
      'div',
      { class: 'dialog-frame' },
      h('header', { class: 'dialog-head' }, h('h2', { id }, heading), close),
      h('div', { class: 'dialog-body' }, ...body),
      shown.length ? h('div', { class: 'dialog-actions' }, ...shown) : null,
    ),
  );
  close.addEventListener('click', () => dialog.close());
  if (light) {
    // The dialog element itself is only hit outside its frame: the backdrop.
    let outside = false;
    dialog.addEventListener('pointerdown', (event) => (outside = event.target === dialog));
    dialog.addEventListener('click', (event) => {
      if (outside && event.target === dialog) dialog.close();
    });
  }
  // Tab cycles inside the dialog, never out to the browser's own controls.
  const untrap = trapFocus(() => [dialog], () => [...document.querySelectorAll('dialog[open]')].pop() === dialog);
  dialog.addEventListener('close', () => {
    untrap();
    dialog.remove();
    onClose?.();
  });
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

/**
 * Asks before doing something that matters, in the app's own words.
 * @param {object} spec
 * @param {string} spec.heading
 * @param {string} spec.message
 * @param {string} spec.confirm the confirming button's words ("Add them")
 * @param {boolean} [spec.danger] it deletes something
 * @returns {Promise<boolean>}
 */
export function confirmDialog({ heading, message, confirm, danger = false }) {
  return new Promise((resolve) => {
    let answer = false;
    const yes = button(confirm, { class: danger ? 'button button-danger' : 'button' });
    const no = button('Cancel', { class: 'button button-secondary' });
    const dialog = openDialog({
      heading,
      body: [h('p', { class: 'dialog-message' }, message)],
      actions: [no, yes],
      onClose: () => resolve(answer),
    });
    yes.addEventListener('click', () => {
      answer = true;
      dialog.close();
    });
    no.addEventListener('click', () => dialog.close());
    yes.focus();
  });
}

/**
 * Asks for a short text (a name), in the app's own dialog.
 * @param {object} spec
 * @param {string} spec.heading
 * @param {string} spec.label the field's label
 * @param {string} spec.confirm the confirming button's words
 * @param {string} [spec.value] what the field starts with
 * @returns {Promise<string | null>} the text, or null when cancelled
 */
export function askText({ heading, label, confirm, value = '' }) {
  return new Promise((resolve) => {
    /** @type {string | null} */
    let answer = null;
    const input = /** @type {HTMLInputElement} */ (h('input', { id: `ask-${count + 1}`, name: 'text', maxlength: '64', autocomplete: 'off' }));
    input.value = value;
    const yes = button(confirm, { type: 'submit', class: 'button' });
    const no = button('Cancel', { class: 'button button-secondary' });
    const form = h('form', { class: 'stack', method: 'dialog' }, h('div', { class: 'field' }, h('label', { for: input.id }, label), input), h('div', { class: 'dialog-actions' }, no, yes));
    const dialog = openDialog({ heading, body: [form], onClose: () => resolve(answer) });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      answer = input.value.trim();
      dialog.close();
    });
    no.addEventListener('click', () => dialog.close());
    input.focus();
    input.select();
  });
}
