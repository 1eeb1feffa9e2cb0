// @ts-check
/**
 * "Add photos" from inside an album: a dialog over the family's photos
 * (newest first, or what a search finds), tap to choose, then add them
 * (asking first before private photos are shown to the album's members).
 */
import { api, showError } from '../api.js';
import { openDialog } from '../dialog.js';
import { h, stylesheet } from '../dom.js';
import { arrowKeys } from '../library/grid-keys.js';
import { tileElement } from '../library/timeline.js';
import { button, errorSlot } from '../ui.js';
import { addToAlbum } from './add.js';
import { count } from './roles.js';

// Its styles come with it (not with the page), before it shows.
await stylesheet('styles/picker.css');

/**
 * @param {{ id: number, title: string }} album
 * @param {() => void} added after photos were added
 */
export function pickPhotos(album, added) {
  /** @type {Set<number>} */
  const chosen = new Set();
  const error = errorSlot();
  const search = h('input', { type: 'search', name: 'q', 'aria-label': 'Search the photos', placeholder: 'Search: a place, a year, a word…', autocomplete: 'off' });
  const grid = h('div', { class: 'picker-grid', role: 'group', 'aria-label': 'Photos to choose from' });
  arrowKeys(grid);
  const more = button('Show more', { class: 'button button-quiet' });
  more.hidden = true;
  const add = button('Add', { class: 'button' });
  add.disabled = true;
  const cancel = button('Cancel', { class: 'button button-secondary' });
  const form = h('form', { class: 'picker-search', role: 'search' }, search);
  const dialog = openDialog({ heading: `Add photos to “${album.title}”`, body: [form, grid, more, error], actions: [cancel, add], className: 'dialog-wide' });
  cancel.addEventListener('click', () => dialog.close());

  const update = () => {
    add.textContent = chosen.size ? `Add ${count(chosen.size, 'photo')}` : 'Add';
    add.disabled = chosen.size === 0;
  };
  /** @type {string | undefined} */
  let next;
  let query = '';
  /** @param {boolean} fresh */
  const load = async (fresh) => {
    try {
      const params = new URLSearchParams({ q: query, sort: 'date', limit: '60' });
      if (!fresh && next) params.set('cursor', next);
      const found = await api(`/search?${params}`);
      next = found.next;
      more.hidden = !next;
      const tiles = found.items.map((/** @type {import('../library/timeline.js').Brief} */ asset) => {
        const tile = tileElement(asset);
        tile.setAttribute('aria-pressed', String(chosen.has(asset.id)));
        tile.classList.toggle('selected', chosen.has(asset.id));
        tile.addEventListener('click', () => {
          if (chosen.has(asset.id)) chosen.delete(asset.id);
          else chosen.add(asset.id);
          tile.setAttribute('aria-pressed', String(chosen.has(asset.id)));
          tile.classList.toggle('selected', chosen.has(asset.id));
          update();
        });
        return tile;
      });
      if (fresh) grid.replaceChildren(...tiles);
      else grid.append(...tiles);
      if (fresh && !tiles.length) grid.replaceChildren(h('p', { class: 'muted' }, 'Nothing found.'));
    } catch (err) {
      error.hidden = false;
      error.textContent = err instanceof Error ? err.message : String(err);
    }
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    query = search.value.trim();
    load(true);
  });
  more.addEventListener('click', () => load(false));
  add.addEventListener('click', async () => {
    add.disabled = true;
    try {
      if (await addToAlbum(album, [...chosen])) {
        dialog.close();
        added();
      } else update();
    } catch (err) {
      showError(err);
      update();
    }
  });
  load(true);
  return dialog;
}
