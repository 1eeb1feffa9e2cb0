// @ts-check
/**
 * Search: the query (in the URL, so it can be shared and Back works), the
 * results in the same justified grid as Photos, facet chips to narrow,
 * selection to add results to an album, and help with the query language
 * when nothing matches.
 */
import '../components/hearth-search-box.js';
import { openLinked, viewer } from '../components/hearth-viewer.js';
import { api, ApiError } from '../api.js';
import { h } from '../dom.js';
import { LIBRARY_ACTIONS, libraryAction } from '../library/actions.js';
import { arrowKeys } from '../library/grid-keys.js';
import { selectable, Selection, selectionBar } from '../library/selection.js';
import { layout, tileElement } from '../library/timeline.js';
import { navigate } from '../nav.js';
import { queryProblem } from '../ui.js';

/** @typedef {import('../library/timeline.js').Brief} Brief */

const HELP = [
  ['beach 2019', 'words and a year'],
  ['"grandma\'s birthday"', 'these words in this order'],
  ['date:2019-07 · date:2019-06..2019-08', 'a month, a span of months'],
  ['before:2020 · after:2018-05-01', 'before or from a date'],
  ['place:lisbon · camera:pixel · lens:50mm', 'where, with what'],
  ['tag:holiday · by:alice · folder:dashcam', 'a tag, whose photos, which import folder'],
  ['type:video · type:live · is:favorite · has:gps', 'kinds, favourites, with a location'],
  ['-word · -place:paris', 'leave these out'],
];

function help() {
  return h(
    'dl',
    { class: 'search-help' },
    ...HELP.map(([example, meaning]) => h('div', { class: 'search-help-row' }, h('dt', {}, h('code', {}, example)), h('dd', {}, meaning))),
  );
}

/**
 * @param {string} query
 * @param {string} filter
 */
const narrowed = (query, filter) => (query.split(/\s+/).includes(filter) ? query : `${query.trim()} ${filter}`.trim());

export function searchView() {
  const query = new URLSearchParams(location.search).get('q') ?? '';
  const sort = new URLSearchParams(location.search).get('sort') ?? '';
  return {
    title: query ? `“${query}”` : 'Search',
    render: () => {
      const box = /** @type {import('../components/hearth-search-box.js').HearthSearchBox} */ (h('hearth-search-box', { value: query }));
      const helpButton = h('button', { type: 'button', class: 'button button-quiet', 'aria-expanded': 'false', 'aria-controls': 'search-help' }, 'How to search');
      const helpPanel = h('div', { id: 'search-help', class: 'card search-help-card', hidden: '' }, h('h2', {}, 'How to search'), help());
      helpButton.addEventListener('click', () => {
        helpPanel.hidden = !helpPanel.hidden;
        helpButton.setAttribute('aria-expanded', String(!helpPanel.hidden));
      });
      const status = h('p', { class: 'muted search-status', role: 'status' });
      const facets = h('div', { class: 'facets' });
      const grid = h('div', { class: 'search-grid', role: 'group', 'aria-label': 'Results' });
      arrowKeys(grid);
      const more = h('div', { class: 'search-more' });
      const nothing = h('div', { class: 'card', hidden: '' }, h('h2', {}, 'Try fewer words, or these'), help());
      const bar = selectionBar(LIBRARY_ACTIONS);
      const page = h('div', { class: 'page page-wide search-page' }, h('h1', { class: 'visually-hidden' }, 'Search'), h('div', { class: 'search-head' }, box, helpButton), helpPanel, status, facets, nothing, grid, more, bar.el);
      if (!query) {
        queueMicrotask(() => box.focus());
        status.textContent = 'Search by words, places, dates, cameras and more.';
        helpPanel.hidden = false;
        helpButton.setAttribute('aria-expanded', 'true');
        return page;
      }

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
        const width = grid.clientWidth || page.clientWidth;
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
                open: () => openViewer(item.asset),
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
      const openViewer = (asset, list = results) => {
        const v = viewer();
        v.onChange = () => draw();
        v.onTrash = () => rerun();
        v.open(asset, list);
      };
      const load = async () => {
        if (loading) return;
        loading = true;
        try {
          const params = new URLSearchParams({ q: query });
          if (sort) params.set('sort', sort);
          if (next) params.set('cursor', next);
          const found = await api(`/search?${params}`);
          results.push(...found.items);
          next = found.next;
          if (found.facets) {
            status.replaceChildren(`${found.total.toLocaleString()} ${found.total === 1 ? 'result' : 'results'}`, sortSwitch(query, found.sort));
            facets.replaceChildren(...facetGroups(query, found.facets));
          }
          if (!found.total) {
            status.textContent = 'Nothing matches.';
            nothing.hidden = false;
          }
          draw();
          more.replaceChildren(next ? h('span', { class: 'muted' }, 'Loading more…') : '');
        } catch (err) {
          status.replaceChildren(h('span', { class: 'inline-error', role: 'alert' }, err instanceof ApiError && err.code === 'invalid_query' ? queryProblem(err) : `The search failed: ${queryProblem(err)}`));
          helpPanel.hidden = false;
        } finally {
          loading = false;
        }
      };
      // After a change (a trash, a favourite, an Undo): the results again.
      const rerun = () => {
        results.length = 0;
        next = undefined;
        load();
      };
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
        load().then(() => openLinked(results, openViewer));
      });
      return page;
    },
  };
}

/**
 * @param {string} query
 * @param {string} current
 */
function sortSwitch(query, current) {
  const other = current === 'relevance' ? 'date' : 'relevance';
  const link = h('a', { href: `/search?${new URLSearchParams({ q: query, sort: other })}`, class: 'sort-switch' }, other === 'date' ? 'Newest first' : 'Best matches first');
  return h('span', {}, ` · sorted by ${current === 'relevance' ? 'best match' : 'date'} · `, link);
}

/**
 * @param {string} query
 * @param {Record<string, { value: string, count: number, filter: string }[]>} facets
 */
function facetGroups(query, facets) {
  const names = /** @type {Record<string, string>} */ ({ years: 'Years', places: 'Places', cameras: 'Cameras', kinds: 'Kinds' });
  return Object.entries(names)
    .filter(([key]) => (facets[key]?.length ?? 0) > 1)
    .map(([key, label]) =>
      h(
        'div',
        { class: 'facet-group', role: 'group', 'aria-label': label },
        h('span', { class: 'facet-label' }, label),
        ...facets[key].map((f) => {
          const chip = h('a', { class: 'chip', href: `/search?q=${encodeURIComponent(narrowed(query, f.filter))}` }, f.value, h('span', { class: 'chip-count' }, f.count.toLocaleString()));
          chip.addEventListener('click', (event) => {
            event.preventDefault();
            navigate(chip.getAttribute('href') ?? '/search');
          });
          return chip;
        }),
      ),
    );
}
