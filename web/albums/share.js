// @ts-check
/**
 * The share dialog (album owners): links for people outside the
 * household, each with its address to copy, who it is for, expiry,
 * password and what guests may do; last use and views; revoke.
 */
import { api } from '../api.js';
import { openDialog } from '../dialog.js';
import { h } from '../dom.js';
import { busy, button, linkToSend, errorSlot, field, when } from '../ui.js';

/** @typedef {{ id: number, url: string, label: string, created_at: string, expires_at?: string, has_password: boolean, allow_download: boolean, allow_comments: boolean, allow_uploads: boolean, revoked_at?: string, usable: boolean, last_used_at?: string, views: number }} ShareLink */

const TOGGLES = /** @type {const} */ ([
  ['allow_download', 'Guests may download the originals'],
  ['allow_comments', 'Guests may comment (under a name they choose)'],
  ['allow_uploads', 'Guests may add photos (they go to your library, marked as a guest’s)'],
]);

/**
 * @param {number} albumId
 * @param {string} title
 */
export function shareDialog(albumId, title) {
  const base = `/albums/${albumId}/links`;
  const list = h('ul', { class: 'share-links' });
  const listError = errorSlot();

  /** @param {ShareLink} link */
  const row = (link) => {
    const state = link.revoked_at ? 'Turned off' : link.usable ? 'Works' : 'Expired';
    const facts = [
      link.expires_at ? `until ${when(link.expires_at)}` : 'no expiry',
      link.has_password ? 'password' : null,
      ...TOGGLES.filter(([key]) => link[key]).map(([key]) => ({ allow_download: 'downloads', allow_comments: 'comments', allow_uploads: 'uploads' })[key]),
      link.views === 1 ? 'opened once' : `opened ${link.views} times`,
      link.last_used_at ? `last ${when(link.last_used_at)}` : null,
    ].filter(Boolean);
    const item = h('li', { class: `share-link${link.usable ? '' : ' share-link-off'}` }, h('p', {}, h('strong', {}, link.label || 'Share link'), ' ', h('span', { class: 'badge' }, state)), h('p', { class: 'muted' }, facts.join(' · ')));
    if (link.usable) {
      item.append(linkToSend(link.url, 'Link'));
      const revoke = button('Turn off', { class: 'button button-quiet' });
      revoke.addEventListener('click', () =>
        busy(revoke, listError, async () => {
          await api(`${base}/${link.id}`, { method: 'DELETE' });
          await show();
        }),
      );
      item.append(revoke);
    }
    return item;
  };
  const show = async () => {
    /** @type {ShareLink[]} */
    const links = await api(base);
    list.replaceChildren(...(links.length ? links.map(row) : [h('li', { class: 'muted' }, 'No links yet.')]));
  };

  const label = field('Who it is for', { name: 'label', maxlength: '100', placeholder: 'e.g. Grandma’s friends' });
  const expires = field('Works until', { name: 'expires', type: 'date' }, 'Leave empty for a link that does not expire.');
  const password = field('Password', { name: 'password', type: 'password', autocomplete: 'new-password', minlength: '8' }, 'Optional. Guests type it once per browser.');
  const toggles = TOGGLES.map(([key, words]) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: key }), words));
  const error = errorSlot();
  const create = button('Make a link', { type: 'submit', class: 'button' });
  const form = h('form', { class: 'stack' }, h('h3', {}, 'New link'), label, expires, password, ...toggles, error, create);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const day = String(data.get('expires') ?? '');
    busy(create, error, async () => {
      await api(base, {
        method: 'POST',
        body: {
          label: data.get('label'),
          // The end of the chosen day, in the browser's time zone.
          expires_at: day ? new Date(`${day}T23:59:59`).toISOString() : undefined,
          password: data.get('password') || undefined,
          allow_download: data.has('allow_download'),
          allow_comments: data.has('allow_comments'),
          allow_uploads: data.has('allow_uploads'),
        },
      });
      form.reset();
      await show();
    });
  });
  openDialog({
    heading: `Share “${title}” by link`,
    body: [h('p', { class: 'muted' }, 'Anyone with a link sees this album — its photos and nothing else of Hearth — without an account. Turn a link off at any time.'), list, listError, form],
    className: 'dialog-wide',
  });
  show().catch((err) => {
    listError.hidden = false;
    listError.textContent = err.message;
  });
}
