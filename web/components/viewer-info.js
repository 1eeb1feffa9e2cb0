// @ts-check
/**
 * The viewer's details panel: when and where a photo was taken, with
 * what, how large, who sees it, its files; its owner writes the caption
 * and shares or hides it here.
 */
import { api, showError } from '../api.js';
import { h } from '../dom.js';
import { duration } from '../library/timeline.js';

/**
 * Fills the details panel for photo `id` (unless the viewer moved on).
 * @param {HTMLElement} panel
 * @param {number} id
 * @param {() => number | undefined} current the id the viewer shows now
 */
export async function details(panel, id, current) {
  try {
    const d = await api(`/assets/${id}`);
    if (current() !== id) return;
    /** @type {[string, string | null][]} */
    const facts = [
      ['Taken', d.taken_local ? new Date(d.taken_local).toLocaleString(undefined, { dateStyle: 'long', timeStyle: 'medium' }) : null],
      ['Time zone', d.taken_offset_minutes != null ? `UTC${d.taken_offset_minutes >= 0 ? '+' : '−'}${String(Math.floor(Math.abs(d.taken_offset_minutes) / 60)).padStart(2, '0')}:${String(Math.abs(d.taken_offset_minutes) % 60).padStart(2, '0')}` : null],
      ['Place', d.place ? [[d.place.city, d.place.region, d.place.country].filter(Boolean).join(', '), `${d.place.latitude.toFixed(5)}, ${d.place.longitude.toFixed(5)}`].filter(Boolean).join(' · ') : null],
      ['Camera', d.camera.name ?? null],
      ['Lens', d.camera.lens ?? null],
      ['Exposure', [d.camera.f_number && `ƒ/${d.camera.f_number}`, d.camera.exposure_time && (d.camera.exposure_time < 1 ? `1/${Math.round(1 / d.camera.exposure_time)} s` : `${d.camera.exposure_time} s`), d.camera.focal_length && `${d.camera.focal_length} mm`, d.camera.iso && `ISO ${d.camera.iso}`].filter(Boolean).join(' · ') || null],
      ['Size', d.width ? `${d.width} × ${d.height} · ${(d.bytes / 1e6).toFixed(1)} MB` : `${(d.bytes / 1e6).toFixed(1)} MB`],
      ['Length', d.duration_ms ? duration(d.duration_ms) : null],
      ['Seen by', d.visibility === 'family' ? 'The whole family' : d.mine ? 'Only you' : 'Its owner'],
      ['File', d.files?.map((/** @type {any} */ f) => `${f.folder ? `${f.folder}/` : ''}${f.path}${f.present ? '' : ' (missing)'}`).join('\n') ?? null],
    ];
    const list = h('dl', { class: 'facts' }, ...facts.filter(([, v]) => v).map(([k, v]) => h('div', { class: 'fact' }, h('dt', {}, k), h('dd', {}, v ?? ''))));
    /** @type {(HTMLElement | null)[]} */
    const parts = [h('h2', {}, d.title ?? 'Details')];
    // The owner writes the caption here; others read it (once, not again when it is the title).
    if (d.mine) parts.push(captionEditor(id, d.caption ?? ''));
    else if (d.caption && d.caption !== d.title) parts.push(h('p', { class: 'caption' }, d.caption));
    parts.push(list);
    if (d.mine) {
      const share = h('button', { type: 'button', class: 'button button-quiet' }, d.visibility === 'family' ? 'Make private' : 'Share with the family');
      share.addEventListener('click', async () => {
        try {
          await api(`/assets/${id}`, { method: 'PATCH', body: { visibility: d.visibility === 'family' ? 'private' : 'family' } });
          details(panel, id, current);
        } catch (err) {
          showError(err);
        }
      });
      parts.push(share);
    }
    panel.replaceChildren(...parts.filter((p) => p !== null));
  } catch (err) {
    panel.replaceChildren(h('p', { class: 'inline-error', role: 'alert' }, err instanceof Error ? err.message : String(err)));
  }
}

/**
 * The caption as a text box, saved when it loses focus (or on Enter).
 * @param {number} id
 * @param {string} caption
 */
function captionEditor(id, caption) {
  const area = /** @type {HTMLTextAreaElement} */ (h('textarea', { id: `caption-${id}`, class: 'caption-edit', rows: '2', maxlength: '2000', placeholder: 'Add a caption' }));
  area.value = caption;
  const status = h('p', { class: 'caption-status', role: 'status' });
  let saved = caption;
  area.addEventListener('change', async () => {
    const text = area.value.trim();
    if (text === saved) return;
    try {
      await api(`/assets/${id}`, { method: 'PATCH', body: { caption: text } });
      saved = text;
      status.textContent = text ? 'Caption saved' : 'Caption removed';
    } catch (err) {
      status.textContent = '';
      showError(err);
    }
  });
  area.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      area.blur();
    }
  });
  return h('div', { class: 'caption-field' }, h('label', { for: area.id, class: 'visually-hidden' }, 'Caption'), area, status);
}
