// @ts-check
/**
 * Opening the viewer from a grid. The viewer's code (with the slideshow,
 * the details panel and the album picker) loads when the first photo is
 * opened, not with the page: the Photos view shows sooner on a phone.
 */
import { api } from '../api.js';

/** @typedef {import('./timeline.js').Brief} Brief */

/** @returns {Promise<typeof import('../components/hearth-viewer.js')>} */
const viewerCode = () => import('../components/hearth-viewer.js');

/**
 * Starts loading the viewer's code as soon as a hand or the keyboard
 * comes near `grid`'s photos, so it is there by the time one is opened.
 * @param {HTMLElement} grid
 */
export function warmViewer(grid) {
  const warm = () => {
    viewerCode().catch(() => {});
    for (const type of ['pointerover', 'touchstart', 'focusin']) grid.removeEventListener(type, warm);
  };
  for (const type of ['pointerover', 'touchstart', 'focusin']) grid.addEventListener(type, warm, { passive: true });
}

/**
 * The page's one viewer, its code loaded on first use.
 * @returns {Promise<import('../components/hearth-viewer.js').HearthViewer>}
 */
export async function lazyViewer() {
  const { viewer } = await viewerCode();
  return viewer();
}

/**
 * Opens the photo the address names (`?photo=<id>`, from a link or a
 * reload) with `open`, from `list` when it holds it, else on its own (a
 * member's photo, asked of the server). Nothing opens for a photo the
 * member may not see.
 * @param {Brief[]} list
 * @param {(asset: Brief, list: Brief[]) => void} open
 */
export async function openLinked(list, open) {
  const id = Number(new URLSearchParams(location.search).get('photo'));
  if (!id) return;
  const found = list.find((asset) => asset.id === id);
  if (found) {
    open(found, list);
    return;
  }
  const d = await api(`/assets/${id}`).catch(() => null);
  if (!d) return;
  /** @type {Brief} */
  const asset = { id: d.id, w: d.width ?? 0, h: d.height ?? 0, th: d.thumbhash, k: d.kind, t: d.taken_local ?? d.sort_at, d: d.duration_ms, v: d.v, mine: d.mine, fav: d.favourite, arc: d.archived || undefined };
  open(asset, [asset]);
}
