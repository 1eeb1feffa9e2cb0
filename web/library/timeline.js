// @ts-check
/**
 * The timeline grid: months (newest first), each day in them with its
 * header ("select this day"), laid out as justified rows that keep each
 * photo's aspect ratio. Only months near the screen are fetched,
 * and only rows near the screen are in the DOM, so 100 000 photos scroll
 * like 100. A month not yet fetched takes an estimated height, corrected
 * (without a jump) when it arrives.
 */
import { api } from '../api.js';
import { h } from '../dom.js';
import { arrowKeys } from './grid-keys.js';
import { selectable, Selection } from './selection.js';
import { placeholder } from './thumbhash.js';

/**
 * @typedef {object} Brief
 * @property {number} id
 * @property {number} w
 * @property {number} h
 * @property {string} [th]
 * @property {string} k photo | video | live
 * @property {string} t local capture time
 * @property {number} [d] video length (ms)
 * @property {string} v media version
 * @property {boolean} mine
 * @property {boolean} fav
 * @property {boolean} [arc] archived by its owner (who is the viewer)
 */

/**
 * A row of tiles, or a day's header (`day`, no items).
 * @typedef {{ top: number, height: number, items: { x: number, w: number, asset: Brief }[], day?: string }} Row
 */

/**
 * @typedef {object} Month
 * @property {string} month YYYY-MM
 * @property {number} count
 * @property {Brief[] | null} assets
 * @property {Promise<void> | null} loading
 * @property {Row[] | null} rows
 * @property {number} top
 * @property {number} height
 * @property {HTMLElement} el
 * @property {HTMLElement} body
 * @property {Map<number, HTMLElement>} tiles
 * @property {Map<string, HTMLElement>} days the day headers drawn
 */

const GAP = 4;
const HEADER = 56;
/** A day's header inside a month: its date and "select this day". */
const DAY_HEADER = 40;
/** Screens above and below the visible one that are kept ready. */
const MARGIN = 1.5;

/** @param {string} month */
export function monthName(month) {
  const [year, number] = month.split('-').map(Number);
  return new Date(year, number - 1, 1).toLocaleDateString(undefined, { month: 'long', year: 'numeric' });
}

/** @param {number} ms */
export function duration(ms) {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/**
 * Justified rows: each row is filled to the width at about `target` height.
 * @param {Brief[]} assets
 * @param {number} width
 * @param {number} target
 * @returns {Row[]}
 */
export function layout(assets, width, target) {
  /** @type {Row[]} */
  const rows = [];
  let top = 0;
  /** @type {Brief[]} */
  let pending = [];
  let ratios = 0;
  const flush = (/** @type {boolean} */ last) => {
    const gaps = GAP * (pending.length - 1);
    const height = last ? Math.min(target, (width - gaps) / ratios) : (width - gaps) / ratios;
    let x = 0;
    const items = pending.map((asset) => {
      const w = aspect(asset) * height;
      const item = { x, w, asset };
      x += w + GAP;
      return item;
    });
    rows.push({ top, height, items });
    top += height + GAP;
    pending = [];
    ratios = 0;
  };
  for (const asset of assets) {
    pending.push(asset);
    ratios += aspect(asset);
    if (ratios * target + GAP * (pending.length - 1) >= width) flush(false);
  }
  if (pending.length) flush(true);
  return rows;
}

/**
 * A month's rows with a header before each day's photos (the grid's days
 * follow the photos' local dates).
 * @param {Brief[]} assets newest first
 * @param {number} width
 * @param {number} target
 * @returns {Row[]}
 */
export function dayLayout(assets, width, target) {
  /** @type {Row[]} */
  const rows = [];
  let top = 0;
  let start = 0;
  while (start < assets.length) {
    const day = assets[start].t.slice(0, 10);
    let end = start;
    while (end < assets.length && assets[end].t.slice(0, 10) === day) end++;
    rows.push({ top, height: DAY_HEADER, items: [], day });
    top += DAY_HEADER;
    for (const row of layout(assets.slice(start, end), width, target)) {
      rows.push({ ...row, top: top + row.top });
    }
    const last = rows[rows.length - 1];
    top = last.top + last.height + GAP * 2;
    start = end;
  }
  return rows;
}

/** @param {string} day YYYY-MM-DD */
export function dayName(day) {
  const [year, month, date] = day.split('-').map(Number);
  return new Date(year, month - 1, date).toLocaleDateString(undefined, { weekday: 'long', day: 'numeric', month: 'long' });
}

/**
 * A grid tile: thumbhash placeholder, the thumbnail fading in over it,
 * and badges (video length, Live, favourite). A button, unless `tag` says
 * otherwise (a picture inside a link: `span`). `media` is where the
 * thumbnail comes from (a guest's share link has its own).
 * @param {Brief} asset
 * @param {string} [tag]
 * @param {string} [media]
 * @returns {HTMLElement}
 */
export function tileElement(asset, tag = 'button', media = '/api/assets') {
  const label = `${asset.k === 'video' ? 'Video' : 'Photo'}, ${new Date(asset.t).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}`;
  const img = h('img', { alt: '', loading: 'lazy', decoding: 'async', draggable: 'false' });
  const badges = h('span', { class: 'tile-badges' });
  if (asset.k === 'video') badges.append(h('span', { class: 'badge' }, asset.d ? duration(asset.d) : 'Video'));
  if (asset.k === 'live') badges.append(h('span', { class: 'badge' }, 'Live'));
  if (asset.fav) badges.append(h('span', { class: 'badge badge-fav', 'aria-label': 'Favourite' }, '♥'));
  /** @type {Record<string, string>} */
  const attrs = tag === 'button' ? { type: 'button', 'aria-label': label } : {};
  const tile = h(tag, { ...attrs, class: `tile${asset.th ? '' : ' no-thumb'}`, 'data-id': String(asset.id) }, placeholder(asset.th), img, badges);
  img.addEventListener('load', () => tile.classList.add('loaded'), { once: true });
  img.addEventListener('error', () => tile.classList.add('no-thumb'), { once: true });
  if (asset.th) img.src = `${media}/${asset.id}/thumb?v=${asset.v}`;
  return tile;
}

/**
 * A month not fetched yet.
 * @param {{ month: string, count: number }} m
 * @returns {Month}
 */
function newMonth(m) {
  const body = h('div', { class: 'month-body' });
  const el = h('section', { class: 'month', 'data-month': m.month }, h('h2', { class: 'month-title' }, monthName(m.month)), body);
  return { ...m, assets: null, loading: null, rows: null, top: 0, height: 0, el, body, tiles: new Map(), days: new Map() };
}

/** @param {Brief} asset */
const aspect = (asset) => (asset.w > 0 && asset.h > 0 ? Math.min(4, Math.max(0.25, asset.w / asset.h)) : 1);

/**
 * @typedef {object} TimelineOptions
 * @property {(asset: Brief, list: Brief[]) => void} onOpen
 * @property {(selected: Set<number>) => void} onSelect
 * @property {() => void} [onLayout] the months' places changed
 */

export class Timeline {
  /**
   * @param {HTMLElement} root where the grid goes
   * @param {TimelineOptions} options
   */
  constructor(root, options) {
    this.root = root;
    this.options = options;
    /** @type {Month[]} */
    this.months = [];
    this.selection = new Selection(() => this.refreshSelection());
    this.frame = 0;
    this.width = 0;
    this.total = 0;
    this.grid = h('div', { class: 'timeline', role: 'group', 'aria-label': 'Photos by month' });
    this.root.append(this.grid);
    arrowKeys(this.grid);
    this.onScroll = () => this.schedule();
    this.onResize = () => {
      if (Math.abs(this.root.clientWidth - this.width) > 1) this.relayout();
    };
    window.addEventListener('scroll', this.onScroll, { passive: true });
    window.addEventListener('resize', this.onResize);
  }

  /** Removes listeners (the view is leaving). */
  destroy() {
    window.removeEventListener('scroll', this.onScroll);
    window.removeEventListener('resize', this.onResize);
    cancelAnimationFrame(this.frame);
  }

  /** Fetches the months and shows the grid. */
  async load() {
    const timeline = await api('/timeline');
    this.months = timeline.months.map(newMonth);
    this.grid.replaceChildren(...this.months.map((m) => m.el));
    this.relayout();
    return timeline.total;
  }

  /**
   * Brings the grid up to date after changes made elsewhere (server
   * events): months whose count and assets did not change stay as they
   * are, changed ones are fetched again in place, and what is on screen
   * stays where it is — nothing flashes or jumps.
   * @param {Set<number>} changed ids of the assets that changed
   */
  async refresh(changed) {
    const timeline = await api('/timeline');
    const anchor = window.scrollY > this.offset() ? this.currentMonth() : undefined;
    const anchorTop = anchor?.top ?? 0;
    const old = new Map(this.months.map((m) => [m.month, m]));
    this.months = timeline.months.map((/** @type {{month: string, count: number}} */ m) => {
      const kept = old.get(m.month);
      if (!kept) return newMonth(m);
      const touched = kept.assets?.some((a) => changed.has(a.id));
      if (kept.count !== m.count || touched) {
        kept.count = m.count;
        if (kept.assets) {
          kept.loading = null;
          this.fetch(kept, changed);
        }
      }
      return kept;
    });
    this.grid.replaceChildren(...this.months.map((m) => m.el));
    this.position();
    if (anchor && this.months.includes(anchor)) window.scrollBy(0, anchor.top - anchorTop);
    this.schedule();
    return timeline.total;
  }

  get target() {
    return this.width < 600 ? 120 : 210;
  }

  /** Lays out every month again (a new width) and positions them. */
  relayout() {
    this.width = this.root.clientWidth;
    for (const month of this.months) {
      if (month.assets) month.rows = dayLayout(month.assets, this.width, this.target);
      for (const tile of month.tiles.values()) tile.remove();
      month.tiles.clear();
    }
    this.position();
    this.schedule();
  }

  /** Months' tops and heights from their rows (or an estimate). */
  position() {
    let top = 0;
    for (const month of this.months) {
      const rows = month.rows;
      const body = rows?.length
        ? rows[rows.length - 1].top + rows[rows.length - 1].height
        : Math.ceil((month.count * 1.35 * this.target) / Math.max(this.width, 1)) * (this.target + GAP);
      month.top = top;
      month.height = HEADER + body + GAP * 6;
      month.el.style.transform = `translateY(${top}px)`;
      month.el.style.height = `${month.height}px`;
      top += month.height;
    }
    this.grid.style.height = `${top}px`;
    this.total = top;
    this.options.onLayout?.();
  }

  /** Draws every tile anew (after an edit changed what tiles show). */
  redraw() {
    for (const month of this.months) {
      for (const tile of month.tiles.values()) tile.remove();
      month.tiles.clear();
    }
    this.schedule();
  }

  schedule() {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.render());
  }

  /** The grid's top in page coordinates. */
  offset() {
    return this.grid.getBoundingClientRect().top + window.scrollY;
  }

  /** Fetches months near the screen and shows the rows that are on it. */
  render() {
    const offset = this.offset();
    const screen = window.innerHeight;
    const from = window.scrollY - offset - screen * MARGIN;
    const to = window.scrollY - offset + screen * (1 + MARGIN);
    for (const month of this.months) {
      const near = month.top + month.height > from && month.top < to;
      if (!near) {
        if (month.tiles.size || month.days.size) {
          for (const tile of month.tiles.values()) tile.remove();
          for (const header of month.days.values()) header.remove();
          month.tiles.clear();
          month.days.clear();
        }
        continue;
      }
      if (!month.assets) {
        this.fetch(month);
        continue;
      }
      const keep = new Set();
      const keepDays = new Set();
      /** @type {HTMLElement | null} */
      let previous = null;
      for (const row of month.rows ?? []) {
        const rowTop = month.top + HEADER + row.top;
        if (rowTop + row.height < from || rowTop > to) continue;
        if (row.day) {
          keepDays.add(row.day);
          let header = month.days.get(row.day);
          if (!header) {
            header = this.dayHeader(month, row.day);
            month.days.set(row.day, header);
          }
          /** @type {Element | null} */
          const there = previous ? previous.nextElementSibling : month.body.firstElementChild;
          if (there !== header) {
            if (previous) previous.after(header);
            else month.body.prepend(header);
          }
          previous = header;
          header.style.transform = `translateY(${row.top}px)`;
          continue;
        }
        for (const item of row.items) {
          keep.add(item.asset.id);
          let tile = month.tiles.get(item.asset.id);
          if (!tile) {
            tile = this.tile(item.asset);
            month.tiles.set(item.asset.id, tile);
          }
          // The document's order follows the screen's (screen readers,
          // the keyboard), also for a tile drawn anew after a change.
          /** @type {Element | null} */
          const there = previous ? previous.nextElementSibling : month.body.firstElementChild;
          if (there !== tile) {
            if (previous) previous.after(tile);
            else month.body.prepend(tile);
          }
          previous = tile;
          tile.style.transform = `translate(${item.x}px, ${row.top}px)`;
          tile.style.width = `${item.w}px`;
          tile.style.height = `${row.height}px`;
        }
      }
      for (const [id, tile] of month.tiles) {
        if (!keep.has(id)) {
          tile.remove();
          month.tiles.delete(id);
        }
      }
      for (const [day, header] of month.days) {
        if (!keepDays.has(day)) {
          header.remove();
          month.days.delete(day);
        }
      }
    }
  }

  /**
   * @param {Month} month
   * @param {Set<number>} [stale] assets whose tiles must be drawn anew
   */
  fetch(month, stale) {
    month.loading ??= api(`/timeline/${month.month}`)
      .then((data) => {
        const before = month.height;
        const wasAbove = month.top + month.height < window.scrollY - this.offset();
        for (const id of stale ?? []) {
          month.tiles.get(id)?.remove();
          month.tiles.delete(id);
        }
        month.assets = data.assets;
        month.count = data.assets.length;
        month.rows = dayLayout(data.assets, this.width, this.target);
        this.position();
        // A month above the screen changed height: keep what is seen still.
        if (wasAbove) window.scrollBy(0, month.height - before);
        this.schedule();
      })
      .catch((err) => {
        month.loading = null;
        month.body.replaceChildren(h('p', { class: 'inline-error', role: 'alert' }, `This month could not be loaded: ${err.message}`));
      });
  }

  /**
   * A day's header: its date, and a button selecting all of its photos (or
   * none, when all are).
   * @param {Month} month
   * @param {string} day YYYY-MM-DD
   */
  dayHeader(month, day) {
    const ids = () => (month.assets ?? []).filter((a) => a.t.startsWith(day)).map((a) => a.id);
    const name = dayName(day);
    const select = h('button', { type: 'button', class: 'day-select', 'aria-pressed': 'false' }, h('span', { class: 'day-check', 'aria-hidden': 'true' }), h('span', { class: 'visually-hidden' }, `Select ${name}`));
    select.addEventListener('click', () => {
      const all = ids();
      this.selection.set(all, !all.every((id) => this.selected.has(id)));
    });
    const header = h('div', { class: 'day-head', 'data-day': day }, select, h('h3', { class: 'day-title' }, name));
    return header;
  }

  /** @param {Brief} asset */
  tile(asset) {
    return selectable(tileElement(asset), {
      selecting: () => this.selected.size > 0,
      selected: this.selected.has(asset.id),
      toggle: (range) => this.toggle(asset.id, range),
      open: () => this.options.onOpen(asset, this.loaded()),
    });
  }

  /** The selected assets' ids. */
  get selected() {
    return this.selection.selected;
  }

  /** Every fetched asset, in timeline order. */
  loaded() {
    return this.months.flatMap((m) => m.assets ?? []);
  }

  /**
   * Selects or unselects; with `range`, everything from the last one.
   * @param {number} id
   * @param {boolean} range
   */
  toggle(id, range) {
    this.selection.toggle(id, range, this.loaded().map((a) => a.id));
  }

  clearSelection() {
    this.selection.clear();
  }

  refreshSelection() {
    this.grid.classList.toggle('selecting', this.selected.size > 0);
    for (const month of this.months) this.selection.paint(month.tiles);
    for (const month of this.months) {
      for (const [day, header] of month.days) {
        const all = (month.assets ?? []).filter((a) => a.t.startsWith(day));
        const on = all.length > 0 && all.every((a) => this.selected.has(a.id));
        header.classList.toggle('selected', on);
        header.querySelector('.day-select')?.setAttribute('aria-pressed', String(on));
      }
    }
    this.options.onSelect(this.selected);
  }

  /**
   * Scrolls so that the month at `fraction` of the timeline is on top.
   * @param {number} fraction 0..1
   */
  scrollToFraction(fraction) {
    const total = this.total ?? 0;
    window.scrollTo({ top: this.offset() + fraction * Math.max(0, total - window.innerHeight / 2) - 8 });
  }

  /** The month at the top of the screen. */
  currentMonth() {
    const y = window.scrollY - this.offset() + 80;
    return this.months.find((m) => m.top + m.height > y) ?? this.months[this.months.length - 1];
  }
}
