// @ts-check
/**
 * Search: the query (in the URL, so it can be shared and Back works), the
 * results in the same justified grid as Photos, facet chips to narrow,
 * selection to add results to an album, and help with the query language
 * when nothing matches.
 */
import '../components/hearth-search-box.js';
import { api, ApiError } from '../api.js';
import { h } from '../dom.js';
import { LIBRARY_ACTIONS } from '../library/actions.js';
import { resultsGrid } from '../library/results.js';
import { navigate } from '../nav.js';
import { queryProblem } from '../ui.js';

const HELP = [
  ['beach 2019', 'words and a year'],
  ['"grandma\'s birthday"', 'these words in this order'],
  ['date:2019-07 · date:2019-06..2019-08', 'a month, a span of months'],
  ['before:2020 · after:2018-05-01', 'before or from a date'],
  ['place:lisbon · camera:pixel · lens:50mm', 'where, with what'],
  ['tag:holiday · by:alice · folder:dashcam', 'a tag, whose photos, which import folder'],
  ['type:video · type:live · is:favorite · is:archived · has:gps', 'kinds, favourites, the archive, with a location'],
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
      const nothing = h('div', { class: 'card', hidden: '' }, h('h2', {}, 'Try fewer words, or these'), help());
      const head = h('div', { class: 'search-head' }, box, helpButton);
      if (!query) {
        queueMicrotask(() => box.focus());
        status.textContent = 'Search by words, places, dates, cameras and more.';
        return h('div', { class: 'page page-wide search-page' }, h('h1', { class: 'visually-hidden' }, 'Search'), head, helpPanel, status, landing());
      }
      remember(query);
      const results = resultsGrid({
        query,
        sort,
        label: 'Results',
        actions: LIBRARY_ACTIONS,
        onPage: (found) => {
          if (found.facets) {
            status.replaceChildren(`${found.total.toLocaleString()} ${found.total === 1 ? 'result' : 'results'}`, sortSwitch(query, found.sort));
            facets.replaceChildren(...facetGroups(query, found.facets));
          }
          if (!found.total) {
            status.textContent = 'Nothing matches.';
            nothing.hidden = false;
          }
        },
        onError: (err) => {
          status.replaceChildren(h('span', { class: 'inline-error', role: 'alert' }, err instanceof ApiError && err.code === 'invalid_query' ? queryProblem(err) : `The search failed: ${queryProblem(err)}`));
          helpPanel.hidden = false;
        },
      });
      const page = h('div', { class: 'page page-wide search-page' }, h('h1', { class: 'visually-hidden' }, 'Search'), head, helpPanel, status, facets, nothing, results.grid, results.more, results.bar.el);
      results.start(page);
      return page;
    },
  };
}

/** This browser's recent searches (newest first), kept in it only. */
const RECENT_KEY = 'hearth-recent-searches';

/** @returns {string[]} */
function recent() {
  try {
    const list = JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]');
    return Array.isArray(list) ? list.filter((q) => typeof q === 'string').slice(0, 8) : [];
  } catch {
    return [];
  }
}

/** @param {string} query */
function remember(query) {
  localStorage.setItem(RECENT_KEY, JSON.stringify([query, ...recent().filter((q) => q !== query)].slice(0, 8)));
}

/** @param {string} href */
const go = (href) => (/** @type {MouseEvent} */ event) => {
  event.preventDefault();
  navigate(href);
};

/**
 * Search before anything is typed: recent searches, and the places,
 * cameras and years of the photos the member may see, each a tap away.
 */
function landing() {
  const body = h('div', { class: 'stack search-landing' });
  const searches = recent();
  if (searches.length) {
    const chips = searches.map((q) => {
      const href = `/search?q=${encodeURIComponent(q)}`;
      const chip = h('a', { class: 'chip', href }, q);
      chip.addEventListener('click', go(href));
      return chip;
    });
    const forget = h('button', { type: 'button', class: 'button button-quiet' }, 'Forget them');
    const group = h('div', { class: 'facet-group', role: 'group', 'aria-label': 'Recent searches' }, h('span', { class: 'facet-label' }, 'Recent'), ...chips, forget);
    forget.addEventListener('click', () => {
      localStorage.removeItem(RECENT_KEY);
      group.remove();
    });
    body.append(group);
  }
  api('/search?limit=1')
    .then((found) => body.append(...facetGroups('', found.facets ?? {}, 1)))
    .catch(() => {});
  return body;
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
 * @param {number} [least] a group shows with this many values (one alone narrows nothing in results)
 */
function facetGroups(query, facets, least = 2) {
  const names = /** @type {Record<string, string>} */ ({ years: 'Years', places: 'Places', cameras: 'Cameras', kinds: 'Kinds' });
  return Object.entries(names)
    .filter(([key]) => (facets[key]?.length ?? 0) >= least)
    .map(([key, label]) =>
      h(
        'div',
        { class: 'facet-group', role: 'group', 'aria-label': label },
        h('span', { class: 'facet-label' }, label),
        ...facets[key].map((f) => {
          const href = `/search?q=${encodeURIComponent(narrowed(query, f.filter))}`;
          const chip = h('a', { class: 'chip', href }, f.value, h('span', { class: 'chip-count' }, f.count.toLocaleString()));
          chip.addEventListener('click', go(href));
          return chip;
        }),
      ),
    );
}
