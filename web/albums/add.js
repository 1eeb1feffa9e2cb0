// @ts-check
/**
 * "Add to album" from the Photos selection and search results: a picker
 * of the albums you may add to (or a new one), the question before your
 * private photos become visible to an album's members, and a toast with
 * how it went.
 */
import { api, ApiError, showError } from '../api.js';
import { confirmDialog, openDialog } from '../dialog.js';
import { h } from '../dom.js';
import { icons } from '../icons.js';
import { tileElement } from '../library/timeline.js';
import { errorSlot, notice } from '../ui.js';
import { newAlbumDialog } from './forms.js';
import { atLeast, count, ROLE_NAMES } from './roles.js';

/** @typedef {import('./roles.js').AlbumSummary} AlbumSummary */

/**
 * How an addition went, in words.
 * @param {{ added: number, already: number, refused: number }} result
 * @param {string} title
 */
export function addedWords(result, title) {
  const parts = [result.added ? `Added ${count(result.added, 'photo')} to “${title}”.` : `Nothing new was added to “${title}”.`];
  if (result.already) parts.push(`${result.already === 1 ? '1 was' : `${result.already} were`} already there.`);
  if (result.refused) parts.push(`${result.refused === 1 ? '1 is' : `${result.refused} are`} not yours to add.`);
  return parts.join(' ');
}

/**
 * Adds `ids` to an album. If some are your private photos and others will
 * see them, asks first (the server's words), and adds only if confirmed.
 * @param {{ id: number, title: string }} album
 * @param {number[]} ids
 * @returns {Promise<{ added: number, already: number, refused: number } | null>} null when cancelled
 */
export async function addToAlbum(album, ids) {
  const path = `/albums/${album.id}/assets`;
  let result;
  try {
    result = await api(path, { method: 'POST', body: { ids } });
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 'confirmation_needed')) throw err;
    const yes = await confirmDialog({ heading: 'Share private photos?', message: err.message, confirm: 'Add them' });
    if (!yes) return null;
    result = await api(path, { method: 'POST', body: { ids, share_private: true } });
  }
  notice(addedWords(result, album.title), { href: `/albums/${album.id}`, text: 'Open the album' });
  return result;
}

/**
 * The picker: albums where you are at least a contributor, and "New album…".
 * @param {number[]} ids the selected photos
 * @param {() => void} [done] after they were added
 */
export function pickAlbum(ids, done) {
  const error = errorSlot();
  const list = h('ul', { class: 'picker-list', 'aria-busy': 'true' }, h('li', { class: 'muted picker-loading' }, 'Loading your albums…'));
  const fresh = h('button', { type: 'button', class: 'picker-row picker-new' }, h('span', { class: 'picker-cover picker-plus' }), h('span', { class: 'picker-text' }, h('strong', {}, 'New album…'), h('span', { class: 'muted' }, `Starts with ${count(ids.length, 'photo')}`)));
  /** @type {HTMLElement} */ (fresh.querySelector('.picker-plus')).innerHTML = icons.plus;
  const dialog = openDialog({
    heading: 'Add to album',
    body: [h('p', { class: 'muted' }, `${count(ids.length, 'photo')} selected.`), fresh, list, error],
    light: true,
  });
  fresh.addEventListener('click', () => {
    dialog.close();
    newAlbumDialog({
      ids,
      onCreated: (details) => {
        notice(`Made “${details.album.title}” with ${count(details.album.count, 'photo')}.`, { href: `/albums/${details.album.id}`, text: 'Open the album' });
        done?.();
      },
    });
  });
  api('/albums')
    .then((/** @type {{ owned: AlbumSummary[], shared: AlbumSummary[] }} */ all) => {
      const albums = [...all.owned, ...all.shared].filter((a) => atLeast(a.role, 'contributor'));
      list.removeAttribute('aria-busy');
      if (!albums.length) {
        list.replaceChildren(h('li', { class: 'muted picker-loading' }, 'No albums to add to yet: make a new one.'));
        return;
      }
      list.replaceChildren(
        ...albums.map((album) => {
          const row = h(
            'button',
            { type: 'button', class: 'picker-row' },
            album.cover ? tileElement(album.cover, 'span') : h('span', { class: 'tile no-thumb' }),
            h('span', { class: 'picker-text' }, h('strong', {}, album.title), h('span', { class: 'muted' }, [count(album.count, 'photo'), album.role === 'owner' ? null : `${ROLE_NAMES[album.role]} · by ${album.owner.name}`].filter(Boolean).join(' · '))),
          );
          /** @type {HTMLElement} */ (row.firstElementChild).classList.add('picker-cover');
          row.addEventListener('click', async () => {
            dialog.close();
            try {
              if (await addToAlbum(album, ids)) done?.();
            } catch (err) {
              showError(err);
            }
          });
          return h('li', {}, row);
        }),
      );
    })
    .catch((err) => {
      list.replaceChildren();
      error.hidden = false;
      error.textContent = err.message;
    });
  return dialog;
}
