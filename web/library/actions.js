// @ts-check
/**
 * What may be done to selected photos, the same wherever photos are
 * selected (Photos, Search, an album, Favourites, Archive) and from the
 * viewer: add to an album, favourite, archive, share or make private,
 * download, move to the trash. What can be undone says so in a notice
 * with Undo; only the owner's own photos change (the server's rule), and
 * the notice says when some were someone else's.
 */
import { pickAlbum } from '../albums/add.js';
import { count } from '../albums/roles.js';
import { api, showError } from '../api.js';
import { notice } from '../ui.js';

/** @typedef {[action: string, words: string, icon: string]} ActionSpec */

/** The actions every selection bar offers, in its order. */
/** @type {ActionSpec[]} */
export const LIBRARY_ACTIONS = [
  ['album', 'Add to album', 'albumAdd'],
  ['favourite', 'Favourite', 'heart'],
  ['family', 'Share with family', 'people'],
  ['private', 'Make private', 'lock'],
  ['trash', 'Move to trash', 'trash'],
];

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

/** What each change asks the server for, and says when done. */
const EDITS = /** @type {Record<string, [Record<string, unknown>, string]>} */ ({
  favourite: [{ favourite: true }, 'marked as favourites'],
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
    pickAlbum(ids, done);
    return;
  }
  try {
    if (action === 'trash') await trashWithUndo(ids, changed);
    else {
      const [change, words] = EDITS[action];
      const answer = await api('/assets/edit', { method: 'POST', body: { ids, ...change } });
      changed();
      notice(changedWords(answer.changed, ids.length, words));
    }
    done();
  } catch (err) {
    showError(err);
  }
}
