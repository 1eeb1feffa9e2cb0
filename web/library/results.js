// @ts-check
/**
 * A grid of search results (Search, Favourites, the Archive): pages of
 * `/api/search` in the timeline's justified rows, more as the end nears,
 * the selection bar with the library's actions, the viewer (whose address
 * names the photo), arrow keys. After a change (a trash, an archive, an
 * Undo) the results are asked for again.
 */
import { api } from '../api.js';
import { h } from '../dom.js';
import { libraryAction } from './actions.js';
import { lazyViewer, openLinked, warmViewer } from './open.js';
import { arrowKeys } from './grid-keys.js';
import { selectable, Selection, selectionBar } from './selection.js';
import { layout, tileElement } from './timeline.js';

/** @typedef {import('./timeline.js').Brief} Brief */

/**
 * @param {object} how
 * @param {string} how.query
 * @param {string} [how.sort] `date` or `relevance` (the server's choice when absent)
 * @param {string} how.label the grid's name for screen readers
 * @param {import('./actions.js').ActionSpec[]} how.actions the selection bar's
 * @param {(found: any) => void} how.onPage each page the server answers
 * @param {(err: unknown) => void} how.onError
 */
export function resultsGrid({ query, sort, label, actions, onPage, onError }) {
  const grid = h('div', { class: 'search-grid', role: 'group', 'aria-label': label });
  warmViewer(grid);
  arrowKeys(grid);
  const more = h('div', { class: 'search-more' });
  const bar = selectionBar(actions);
  /** @type {Brief[]} */
  const results = [];
  const selection = new Selection((selected) => {
    grid.classList.toggle('selecting', selected.size > 0);
    selection.paint([...grid.querySelectorAll('.tile')].map((tile) => /** @type {[number, HTMLElement]} */ ([Number(tile.getAttribute('data-id')), tile])));
    bar.update(selected);
  });
  bar.onClear = () => selection.clear();
  bar.onAction = (action) => libraryAction(action, [...selection.selected], () => selection.clear(), () => rerun());
  /** @type {string | undefined} */
  let next;
  let loading = false;
  const draw = () => {
    const width = grid.clientWidth || grid.parentElement?.clientWidth || 0;
    const rows = layout(results, width, width < 600 ? 120 : 200);
    const last = rows[rows.length - 1];
    grid.style.height = `${last ? last.top + last.height : 0}px`;
    grid.replaceChildren(
      ...rows.flatMap((row) =>
        row.items.map((item) => {
          const tile = selectable(tileElement(item.asset), {
            selecting: () => selection.selected.size > 0,
            selected: selection.selected.has(item.asset.id),
            toggle: (range) => selection.toggle(item.asset.id, range, results.map((a) => a.id)),
            open: () => openAt(item.asset),
          });
          tile.style.transform = `translate(${item.x}px, ${row.top}px)`;
          tile.style.width = `${item.w}px`;
          tile.style.height = `${row.height}px`;
          return tile;
        }),
      ),
    );
  };
  /**
   * @param {Brief} asset
   * @param {Brief[]} [list]
   */
  const openAt = (asset, list = results) => {
    // Its own copy: asking again (after a trash) does not empty it.
    const copy = list.slice();
    lazyViewer().then((v) => {
      // Gone meanwhile (another view): nothing to open over.
      if (!grid.isConnected) return;
      v.onChange = () => draw();
      v.onTrash = () => rerun();
      v.open(asset, copy);
    });
  };
  /** Counts the askings: an answer to an earlier one is not used. */
  let asked = 0;
  const load = async () => {
    if (loading) return;
    loading = true;
    const mine = asked;
    try {
      const params = new URLSearchParams({ q: query });
      if (sort) params.set('sort', sort);
      if (next) params.set('cursor', next);
      const found = await api(`/search?${params}`);
      if (mine !== asked) return;
      results.push(...found.items);
      next = found.next;
      onPage(found);
      draw();
      more.replaceChildren(next ? h('span', { class: 'muted' }, 'Loading more…') : '');
    } catch (err) {
      onError(err);
    } finally {
      loading = false;
    }
  };
  const rerun = () => {
    asked++;
    results.length = 0;
    next = undefined;
    loading = false;
    load();
  };

  /**
   * Starts loading once `page` is shown; stops when it goes.
   * @param {HTMLElement} page
   */
  const start = (page) => {
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && next) load();
    }, { rootMargin: '800px' });
    observer.observe(more);
    const onResize = () => results.length && draw();
    window.addEventListener('resize', onResize);
    const leave = new MutationObserver(() => {
      if (page.isConnected) return;
      leave.disconnect();
      observer.disconnect();
      window.removeEventListener('resize', onResize);
    });
    queueMicrotask(() => {
      if (page.parentElement) leave.observe(page.parentElement, { childList: true });
      load().then(() => openLinked(results, openAt));
    });
  };
  return { grid, more, bar, start };
}
