// @ts-check
/**
 * Albums: yours and those shared with you, as cards with their cover,
 * count, members and whether they are live; "New album" makes one. Changes
 * made elsewhere (photos added, a new album shared with you) show up
 * without a reload.
 */
import { api } from '../api.js';
import { newAlbumDialog } from '../albums/forms.js';
import { count, ROLE_NAMES } from '../albums/roles.js';
import { h } from '../dom.js';
import { listen, throttled } from '../events.js';
import { icons } from '../icons.js';
import { tileElement } from '../library/timeline.js';
import { button, onLeave, refresh } from '../ui.js';

/** @typedef {import('../albums/roles.js').AlbumSummary} AlbumSummary */

/**
 * @param {AlbumSummary} album
 * @param {boolean} shared
 */
function albumCard(album, shared) {
  const cover = album.cover ? tileElement(album.cover, 'span') : h('span', { class: 'tile album-no-cover' });
  if (!album.cover) cover.innerHTML = icons.albums;
  cover.classList.add('album-cover');
  const badges = h('span', { class: 'album-badges' });
  if (album.live) {
    const live = h('span', { class: 'album-badge' }, 'Live');
    live.insertAdjacentHTML('afterbegin', icons.live);
    badges.append(live);
  }
  if (album.muted) badges.append(h('span', { class: 'album-badge' }, 'Muted'));
  const facts = [count(album.count, 'photo'), album.members > 1 ? count(album.members, 'member') : 'Only you'];
  if (shared) facts[1] = `${ROLE_NAMES[album.role]} · by ${album.owner.name}`;
  return h(
    'li',
    {},
    h(
      'a',
      { class: 'album-card', href: `/albums/${album.id}` },
      h('span', { class: 'album-cover-frame' }, cover, badges),
      h('span', { class: 'album-card-text' }, h('strong', { class: 'album-title' }, album.title), h('span', { class: 'muted' }, facts.join(' · '))),
    ),
  );
}

/**
 * @param {string} heading
 * @param {AlbumSummary[]} albums
 * @param {boolean} shared
 * @param {string} none what to say when there are none
 */
function section(heading, albums, shared, none) {
  const id = `albums-${shared ? 'shared' : 'own'}`;
  return h(
    'section',
    { class: 'albums-section', 'aria-labelledby': id },
    h('h2', { id }, heading),
    albums.length ? h('ul', { class: 'album-grid' }, ...albums.map((a) => albumCard(a, shared))) : h('p', { class: 'muted' }, none),
  );
}

export function albumsView() {
  return {
    title: 'Albums',
    render: () => {
      const create = button('New album', { class: 'button' });
      create.insertAdjacentHTML('afterbegin', icons.plus);
      create.addEventListener('click', () => newAlbumDialog());
      const summary = h('p', { class: 'muted photos-count' });
      const body = h('div', { class: 'albums-body' });
      const page = h('div', { class: 'page page-wide albums-page' }, h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Albums'), summary), h('div', { class: 'page-actions' }, create)), body);
      const load = async () => {
        /** @type {{ owned: AlbumSummary[], shared: AlbumSummary[] }} */
        const list = await api('/albums');
        const total = list.owned.length + list.shared.length;
        summary.textContent = total ? count(total, 'album') : '';
        if (!total) {
          const first = button('Make your first album', { class: 'button' });
          first.addEventListener('click', () => newAlbumDialog());
          return [
            h(
              'hearth-empty-state',
              { heading: 'No albums yet', icon: 'albums', level: '2' },
              h('p', {}, 'Gather photos for a trip, a birthday or a year, and share them with the family to see and talk about together.'),
              h('p', {}, 'A live album fills itself from a saved search, such as every photo taken in Lisbon.'),
              first,
            ),
          ];
        }
        return [
          section('Your albums', list.owned, false, 'You have not made an album yet.'),
          section('Shared with you', list.shared, true, 'Albums others share with you appear here.'),
        ];
      };
      refresh(body, load);
      // An album shared with you, photos added, a new cover: in place.
      const update = throttled(() => refresh(body, load), 400);
      const stops = [listen('album', update), listen('resync', update)];
      onLeave(page, () => {
        for (const stop of stops) stop();
        update.cancel();
      });
      return page;
    },
  };
}
