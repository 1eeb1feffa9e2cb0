// @ts-check
/**
 * Favourites and the Archive: the photos you marked, newest first, in the
 * results grid with the library's actions (here "Unfavourite" or
 * "Unarchive" in place of their opposite).
 */
import { h } from '../dom.js';
import { actionsWith } from '../library/actions.js';
import { resultsGrid } from '../library/results.js';

/**
 * @typedef {object} Collection
 * @property {string} title
 * @property {string} query
 * @property {string} intro
 * @property {string} empty the empty state's heading
 * @property {string} emptyText
 * @property {string} icon
 * @property {import('../library/actions.js').ActionSpec[]} actions
 */

/** @type {Record<'favourites' | 'archive', Collection>} */
const COLLECTIONS = {
  favourites: {
    title: 'Favourites',
    query: 'is:favorite',
    intro: 'The photos you marked with ♥, newest first.',
    empty: 'No favourites yet',
    emptyText: 'Mark a photo with ♥ in the viewer (or press f), or select photos and choose Favourite.',
    icon: 'heart',
    actions: actionsWith('favourite', ['unfavourite', 'Unfavourite', 'heart']),
  },
  archive: {
    title: 'Archive',
    query: 'is:archived',
    intro: 'Photos you archived: kept, and found by search, but not in the timeline. Unarchive brings them back.',
    empty: 'Nothing archived',
    emptyText: 'Archive screenshots, receipts and other photos you want to keep but not see in the timeline: select them and choose Archive.',
    icon: 'archive',
    actions: actionsWith('archive', ['unarchive', 'Unarchive', 'archive']),
  },
};

/** @param {'favourites' | 'archive'} which */
export function collectionView(which) {
  const spec = COLLECTIONS[which];
  return {
    title: spec.title,
    render: () => {
      const count = h('p', { class: 'muted' }, spec.intro);
      const status = h('div', { role: 'status' });
      const results = resultsGrid({
        query: spec.query,
        sort: 'date',
        label: spec.title,
        actions: spec.actions,
        onPage: (found) => {
          if (found.total === undefined) return;
          count.textContent = found.total ? `${found.total.toLocaleString()} ${found.total === 1 ? 'item' : 'items'}. ${spec.intro}` : spec.intro;
          status.replaceChildren(found.total ? '' : h('hearth-empty-state', { heading: spec.empty, icon: spec.icon, level: '2' }, h('p', {}, spec.emptyText)));
        },
        onError: (err) => status.replaceChildren(h('p', { class: 'inline-error', role: 'alert' }, `${spec.title} could not be loaded: ${err instanceof Error ? err.message : err}`)),
      });
      const page = h(
        'div',
        { class: 'page page-wide' },
        h('p', { class: 'crumb' }, h('a', { href: '/' }, '← Photos')),
        h('h1', {}, spec.title),
        count,
        status,
        results.grid,
        results.more,
        results.bar.el,
      );
      results.start(page);
      return page;
    },
  };
}
