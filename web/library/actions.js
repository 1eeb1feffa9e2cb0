// @ts-check
/**
 * What may be done to selected photos, the same wherever photos are
 * selected (Photos, Search, an album, Favourites, Archive) and from the
 * viewer: add to an album, favourite, archive, share or make private,
 * download as a zip, move to the trash. What can be undone says so in a notice
 * with Undo; only the owner's own photos change (the server's rule), and
 * the notice says when some were someone else's.
 */
import { count } from '../albums/roles.js';
import { api, showError } from '../api.js';
import { h } from '../dom.js';
import { notice } from '../ui.js';

/** @typedef {[action: string, words: string, icon: string]} ActionSpec */

/** The actions every selection bar offers, in its order. */
/** @type {ActionSpec[]} */
export const LIBRARY_ACTIONS = [
  ['album', 'Add to album', 'albumAdd'],
  ['favourite', 'Favourite', 'heart'],
  ['archive', 'Archive', 'archive'],
  ['family', 'Share with family', 'people'],
  ['private', 'Make private', 'lock'],
  ['download', 'Download', 'download'],
  ['trash', 'Move to trash', 'trash'],
];

/**
 * Has the browser save a zip of `ids`' originals: a form post, so the
 * browser streams it to disk itself, however large.
 * @param {number[]} ids
 */
export function downloadZip(ids) {
  if (ids.length > 10000) {
    showError(new Error('A download holds at most 10 000 photos: select fewer.'));
    return;
  }
  const form = h('form', { method: 'post', action: '/api/assets/download', hidden: '' }, h('input', { type: 'hidden', name: 'ids', value: ids.join(',') }));
  document.body.append(form);
  form.submit();
  form.remove();
  notice(`Your browser is saving ${count(ids.length, 'item')} as a zip.`);
}

/**
 * The library's actions with one swapped for its opposite (Favourites
 * offers "Unfavourite", the Archive "Unarchive").
 * @param {string} action
 * @param {ActionSpec} instead
 * @returns {ActionSpec[]}
 */
export const actionsWith = (action, instead) => LIBRARY_ACTIONS.map((spec) => (spec[0] === action ? instead : spec));

/**
 * How many changed, in words, with the ones that were not the member's.
 * @param {number} changed
 * @param {number} asked
 * @param {string} done "moved to the trash"
 */
function changedWords(changed, asked, done) {
  const words = `${count(changed, 'item')} ${done}.`;
  const others = asked - changed;
  return others > 0 ? `${words} ${count(others, 'other')} ${others === 1 ? 'is' : 'are'} someone else’s, and stayed as ${others === 1 ? 'it was' : 'they were'}.` : words;
}

/**
 * Moves photos to the trash, with Undo.
 * @param {number[]} ids
 * @param {() => void} changed redraws what shows them
 */
export async function trashWithUndo(ids, changed) {
  const answer = await api('/assets/trash', { method: 'POST', body: { ids } });
  changed();
  notice(changedWords(answer.changed, ids.length, 'moved to the trash'), { href: '/trash', text: 'Open the trash' }, async () => {
    const back = await api('/assets/restore', { method: 'POST', body: { ids } });
    changed();
    return `${count(back.changed, 'item')} put back.`;
  });
}

/**
 * What each change asks the server for, says when done, and (for those
 * that take photos out of where they are shown) the change that undoes it.
 */
const EDITS = /** @type {Record<string, [Record<string, unknown>, string, Record<string, unknown>?]>} */ ({
  favourite: [{ favourite: true }, 'marked as favourites'],
  unfavourite: [{ favourite: false }, 'no longer favourites', { favourite: true }],
  archive: [{ archived: true }, 'archived: hidden from the timeline, kept, found with is:archived', { archived: false }],
  unarchive: [{ archived: false }, 'back in the timeline', { archived: true }],
  family: [{ visibility: 'family' }, 'shared with the family'],
  private: [{ visibility: 'private' }, 'made private'],
});

/**
 * Does a library action to the selected photos.
 * @param {string} action one of LIBRARY_ACTIONS
 * @param {number[]} ids
 * @param {() => void} done clears the selection
 * @param {() => void} changed redraws what shows them
 */
export async function libraryAction(action, ids, done, changed) {
  if (action === 'album') {
    // The album picker's code loads when it is first wanted.
    import('../albums/add.js').then(({ pickAlbum }) => pickAlbum(ids, done));
    return;
  }
  if (action === 'download') {
    downloadZip(ids);
    done();
    return;
  }
  try {
    if (action === 'trash') await trashWithUndo(ids, changed);
    else {
      const [change, words, reverse] = EDITS[action];
      const answer = await api('/assets/edit', { method: 'POST', body: { ids, ...change } });
      changed();
      const undo = reverse
        ? async () => {
            await api('/assets/edit', { method: 'POST', body: { ids, ...reverse } });
            changed();
            return 'Changed back.';
          }
        : undefined;
      notice(changedWords(answer.changed, ids.length, words), undefined, undo);
    }
    done();
  } catch (err) {
    showError(err);
  }
}
