// @ts-check
/**
 * Making an album, and the live rule editor with its preview (shared by
 * "New album" and the album's "Live rule").
 */
import { api, ApiError } from '../api.js';
import { openDialog } from '../dialog.js';
import { h } from '../dom.js';
import { tileElement } from '../library/timeline.js';
import { navigate } from '../nav.js';
import { busy, button, errorSlot, field, livePreview } from '../ui.js';
import { count } from './roles.js';

const RULE_HELP = [
  ['place:lisbon', 'taken there'],
  ['date:2024-07..2024-08', 'a month, or a span of months'],
  ['by:name', 'whose photos'],
  ['type:video', 'only videos (or photo, live)'],
  ['camera:"pixel 8"', 'taken with this camera'],
  ['is:favorite', 'favourites'],
  ['album:"Name"', 'in another album'],
  ['-word', 'leave these out'],
];

/**
 * A labelled multi-line text box.
 * @param {string} label
 * @param {Record<string, string>} attrs
 */
export function textArea(label, attrs) {
  const id = `f-${attrs.name}-${Math.random().toString(36).slice(2, 8)}`;
  const area = h('textarea', { id, rows: '3', ...attrs });
  return { el: h('div', { class: 'field' }, h('label', { for: id }, label), area), area };
}

/**
 * The live rule: a saved search, previewed as it is typed.
 * @param {string} [initial]
 */
export function ruleEditor(initial = '') {
  const rule = field('Rule', { name: 'rule', value: initial, autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off', placeholder: 'place:lisbon date:2024-07..2024-08', class: 'rule-input' });
  const input = /** @type {HTMLInputElement} */ (rule.querySelector('input'));
  const status = h('p', { class: 'muted rule-status', role: 'status' });
  const where = h('p', { class: 'rule-where', hidden: '' });
  const grid = h('div', { class: 'mini-grid', role: 'list', 'aria-label': 'Photos the rule matches now' });
  const help = h(
    'details',
    { class: 'rule-help' },
    h('summary', {}, 'How to write a rule'),
    h('dl', { class: 'search-help' }, ...RULE_HELP.map(([example, meaning]) => h('div', { class: 'search-help-row' }, h('dt', {}, h('code', {}, example)), h('dd', {}, meaning)))),
    h('p', { class: 'muted' }, 'Combine them: every part must match. Words alone search titles, places and comments.'),
  );
  const note = h(
    'p',
    { class: 'callout rule-note' },
    'The rule runs with the album owner’s permissions: the owner’s own private photos that match become visible to everyone in the album. New photos that match join by themselves; photos you remove stay out.',
  );
  const preview = livePreview(
    status,
    grid,
    () => {
      where.hidden = true;
      input.removeAttribute('aria-invalid');
      if (input.value.trim()) return true;
      status.textContent = 'Type a rule to see what it finds.';
      return false;
    },
    async (signal) => {
      const found = await api('/albums/preview', { method: 'POST', body: { rule: input.value.trim() }, signal });
      status.textContent = found.total ? `${count(found.total, 'photo')} match now${found.total > found.items.length ? `; the newest ${found.items.length} are shown` : ''}.` : 'Nothing matches now. Photos that match later will join by themselves.';
      grid.replaceChildren(
        ...found.items.map((/** @type {import('../library/timeline.js').Brief} */ asset) => {
          const tile = tileElement(asset);
          tile.tabIndex = -1;
          return tile;
        }),
      );
    },
    (err) => {
      if (!(err instanceof ApiError) || err.position === null) return;
      // Shows where: the rule with the troubled part marked.
      const text = input.value.trim();
      const rest = text.slice(err.position);
      const bad = rest.match(/^\S*/)?.[0] || rest.slice(0, 1);
      where.replaceChildren(h('code', {}, text.slice(0, err.position), h('mark', {}, bad || ' '), rest.slice(bad.length)));
      where.hidden = false;
      input.setAttribute('aria-invalid', 'true');
    },
  );
  input.addEventListener('input', preview.schedule);
  const el = h('div', { class: 'rule-editor stack' }, rule, where, status, grid, help, note);
  queueMicrotask(preview.run);
  return { el, input, value: () => input.value.trim() };
}

/**
 * The "New album" dialog. With `ids`, the album starts with these photos.
 * @param {{ ids?: number[], onCreated?: (details: any) => void }} [options]
 */
export function newAlbumDialog({ ids = [], onCreated } = {}) {
  const error = errorSlot();
  const title = field('Title', { name: 'title', required: '', maxlength: '200', autocomplete: 'off', placeholder: 'e.g. Summer in Lisbon' });
  const description = textArea('Description (optional)', { name: 'description', maxlength: '2000', rows: '2' });
  const live = h('input', { type: 'checkbox', name: 'live', role: 'switch' });
  const liveHint = h('span', { class: 'muted' }, 'Filled by a saved search, and kept up to date');
  const liveToggle = h('label', { class: 'switch-row' }, live, h('span', { class: 'switch-text' }, h('strong', {}, 'Live album'), liveHint));
  /** @type {ReturnType<typeof ruleEditor> | null} */
  let editor = null;
  const ruleSlot = h('div', { class: 'rule-slot' });
  live.addEventListener('change', () => {
    if (live.checked) {
      editor ??= ruleEditor();
      ruleSlot.replaceChildren(editor.el);
      editor.input.focus();
    } else {
      ruleSlot.replaceChildren();
    }
  });
  const create = h('button', { type: 'submit', class: 'button', form: 'new-album-form' }, 'Create album');
  const cancel = button('Cancel', { class: 'button button-secondary' });
  const form = h(
    'form',
    { class: 'stack', id: 'new-album-form' },
    ids.length ? h('p', { class: 'muted' }, `It starts with the ${count(ids.length, 'photo')} you selected.`) : null,
    title,
    description.el,
    liveToggle,
    ruleSlot,
    error,
  );
  const dialog = openDialog({ heading: 'New album', body: [form], actions: [cancel, create], className: 'dialog-wide' });
  cancel.addEventListener('click', () => dialog.close());
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    /** @type {Record<string, unknown>} */
    const body = { title: String(data.get('title') ?? '').trim(), description: String(data.get('description') ?? '').trim() };
    if (live.checked && editor) {
      if (!editor.value()) {
        error.hidden = false;
        error.textContent = 'A live album needs a rule (or turn “Live album” off).';
        return;
      }
      body.rule = editor.value();
    }
    if (ids.length) body.ids = ids;
    busy(create, error, async () => {
      const details = await api('/albums', { method: 'POST', body });
      dialog.close();
      if (onCreated) onCreated(details);
      else navigate(`/albums/${details.album.id}`);
    });
  });
  /** @type {HTMLInputElement} */ (title.querySelector('input')).focus();
  return dialog;
}
