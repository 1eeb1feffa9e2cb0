// @ts-check
/**
 * `/shared/<token>`: an album as a guest with a share link sees it, with
 * no account and none of the app around it — the photos (a tap opens the
 * same viewer as members have: videos play, next and previous by key or
 * swipe), originals when the link allows downloads, the
 * conversation and uploads when it allows those. A password is asked for
 * first when the link has one; an expired or revoked link says so.
 */
import { viewer } from '../components/hearth-viewer.js';
import { api, ApiError } from '../api.js';
import { h } from '../dom.js';
import { arrowKeys } from '../library/grid-keys.js';
import { tileElement } from '../library/timeline.js';
import { richText } from '../text.js';
import { busy, button, errorSlot, field, refresh, showIn, when } from '../ui.js';

/** @param {string} token */
export function sharedView(token) {
  const base = `/shared/${encodeURIComponent(token)}`;
  return {
    title: 'Shared album',
    public: true,
    render: () => {
      const body = h('div', { class: 'stack shared-page' });
      const load = async () => {
        try {
          const album = await api(base);
          document.title = `${album.title} · Hearth`;
          return page(base, album);
        } catch (err) {
          if (err instanceof ApiError && err.code === 'password_required') return [unlockForm(base, () => refresh(body, load))];
          if (err instanceof ApiError && err.code === 'share_unusable') {
            return [h('hearth-empty-state', { heading: 'This link does not work any more', icon: 'albums' }, h('p', {}, err.message))];
          }
          throw err;
        }
      };
      refresh(body, load);
      return h('div', { class: 'page' }, body);
    },
  };
}

/**
 * @param {string} base
 * @param {() => void} unlocked
 */
function unlockForm(base, unlocked) {
  const error = errorSlot();
  const password = field('Password', { name: 'password', type: 'password', autocomplete: 'current-password', required: '' });
  const submit = button('Open the album', { type: 'submit', class: 'button button-wide' });
  const form = h('form', { class: 'card narrow stack' }, h('h1', {}, 'This album has a password'), h('p', { class: 'muted' }, 'Whoever sent you the link can tell you what it is.'), password, error, submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const input = /** @type {HTMLInputElement} */ (password.querySelector('input'));
    busy(submit, error, async () => {
      await api(`${base}/unlock`, { method: 'POST', body: { password: input.value } });
      unlocked();
    });
  });
  return form;
}

/**
 * @param {string} base
 * @param {any} album
 * @returns {Promise<(Node | null)[]>}
 */
async function page(base, album) {
  const { items } = await api(`${base}/assets`);
  /** @type {import('../components/hearth-viewer.js').ViewerSource} */
  const source = { url: (asset, kind) => `/api${base}/assets/${asset.id}/${kind}?v=${asset.v}`, download: album.allow_download, details: false };
  const grid = h('div', { class: 'shared-grid', role: 'group', 'aria-label': 'Photos' });
  arrowKeys(grid);
  for (const asset of items) {
    const tile = tileElement(asset, 'button', `/api${base}/assets`);
    tile.addEventListener('click', () => viewer().open(asset, items, { source }));
    grid.append(tile);
  }
  // A link to one of its photos (or a reload with it open) opens it.
  const linked = items.find((/** @type {any} */ a) => String(a.id) === new URLSearchParams(location.search).get('photo'));
  if (linked) queueMicrotask(() => viewer().open(linked, items, { source }));
  const expires = album.expires_at ? h('p', { class: 'muted' }, `This link works until ${when(album.expires_at)}.`) : null;
  const download = album.allow_download && items.length ? h('a', { class: 'button button-secondary', href: `/api${base}/download`, download: '' }, 'Download all') : null;
  return [
    h('header', { class: 'shared-head' }, h('h1', {}, album.title), album.description ? h('p', {}, album.description) : null, h('p', { class: 'muted' }, `Shared by ${album.owner} · ${album.count === 1 ? '1 photo' : `${album.count} photos`}`), expires, download),
    items.length ? grid : h('p', { class: 'muted' }, 'No photos yet.'),
    album.allow_uploads ? uploader(base) : null,
    album.allow_comments ? await conversation(base) : null,
  ];
}

/** The guest's name, kept in this browser for the next comment or upload. */
const NAME_KEY = 'hearth-guest-name';

function nameField() {
  const name = field('Your name', { name: 'name', autocomplete: 'name', maxlength: '50', required: '' }, 'Shown next to what you add, marked as a guest.');
  const input = /** @type {HTMLInputElement} */ (name.querySelector('input'));
  input.value = localStorage.getItem(NAME_KEY) ?? '';
  input.addEventListener('change', () => localStorage.setItem(NAME_KEY, input.value.trim()));
  return { name, input };
}

/** @param {string} base */
async function conversation(base) {
  const list = h('ol', { class: 'shared-comments' });
  const show = async () => {
    const comments = await api(`${base}/comments`);
    list.replaceChildren(
      ...comments.map((/** @type {any} */ c) =>
        h('li', { class: 'comment' }, h('p', { class: 'comment-meta' }, h('strong', {}, c.author ?? c.guest ?? 'Someone'), c.guest ? h('span', { class: 'badge' }, 'guest') : null, ' ', h('span', { class: 'muted' }, when(c.created_at))), h('p', { class: 'comment-body' }, richText(c.body))),
      ),
    );
  };
  await show();
  const { name, input } = nameField();
  const text = h('textarea', { name: 'body', rows: '3', maxlength: '2000', required: '', 'aria-label': 'Your comment' });
  const error = errorSlot();
  const send = button('Post', { type: 'submit', class: 'button' });
  const form = h('form', { class: 'stack' }, name, text, error, send);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(send, error, async () => {
      await api(`${base}/comments`, { method: 'POST', body: { name: input.value, body: /** @type {HTMLTextAreaElement} */ (text).value } });
      /** @type {HTMLTextAreaElement} */ (text).value = '';
      await show();
    });
  });
  return h('section', { class: 'card stack', 'aria-label': 'Conversation' }, h('h2', {}, 'Conversation'), list, form);
}

/** @param {string} base */
function uploader(base) {
  const { name, input } = nameField();
  const files = h('input', { type: 'file', name: 'files', accept: 'image/*,video/*', multiple: '' });
  const error = errorSlot();
  const result = h('p', { class: 'muted', role: 'status' });
  const send = button('Add photos', { type: 'submit', class: 'button' });
  const form = h('form', { class: 'stack' }, name, files, error, result, send);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(send, error, async () => {
      const chosen = /** @type {HTMLInputElement} */ (files).files;
      if (!chosen?.length) throw new Error('Choose photos first.');
      // One file a request: each within the server's limit on its own.
      /** @type {any[]} */
      const answers = [];
      for (const [index, file] of [...chosen].entries()) {
        result.textContent = `Sending ${index + 1} of ${chosen.length}…`;
        const data = new FormData();
        data.append('file', file, file.name);
        const response = await fetch(`/api${base}/uploads?name=${encodeURIComponent(input.value)}`, { method: 'POST', body: data, credentials: 'same-origin' });
        const answer = await response.json();
        if (!response.ok) throw new ApiError(response.status, answer.code, answer.message, response.headers.get('x-request-id'));
        answers.push(...answer.files);
      }
      const failed = answers.filter((f) => f.status === 'failed');
      const received = answers.length - failed.length;
      result.textContent = failed.length
        ? `${received} of ${answers.length} received. Not taken: ${failed.map((f) => `${f.name} (${f.reason})`).join(', ')}.`
        : `${received} received. Thank you!`;
      setTimeout(() => location.reload(), 1500);
    }).catch((err) => showIn(error, err));
  });
  return h('section', { class: 'card stack', 'aria-label': 'Add photos' }, h('h2', {}, 'Add your photos'), form);
}
