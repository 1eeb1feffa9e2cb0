// @ts-check
/**
 * Arrow keys in a grid of photo tiles: ← and → to the previous and next
 * photo, ↑ and ↓ to the one above or below (the nearest in the row
 * there), Home and End to the first and last shown. The focused tile is
 * scrolled into view, so a virtual grid (the timeline) draws its
 * neighbours as focus moves. Tab still leaves the grid as usual.
 */

/** @param {Element} tile */
const centre = (tile) => {
  const box = tile.getBoundingClientRect();
  return { x: box.left + box.width / 2, y: box.top + box.height / 2, box };
};

/**
 * @param {HTMLElement} grid the element holding the `.tile`s
 */
export function arrowKeys(grid) {
  grid.addEventListener('keydown', (event) => {
    if (!['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End'].includes(event.key) || event.altKey || event.ctrlKey || event.metaKey) return;
    const current = event.target instanceof Element ? event.target.closest('.tile') : null;
    if (!(current instanceof HTMLElement) || !grid.contains(current)) return;
    // In reading order: rows top to bottom, each left to right.
    const tiles = [...grid.querySelectorAll('.tile')]
      .map((tile) => ({ tile, ...centre(tile) }))
      .filter((t) => t.box.width > 0)
      .sort((a, b) => (Math.abs(a.box.top - b.box.top) < 2 ? a.box.left - b.box.left : a.box.top - b.box.top));
    const at = tiles.findIndex((t) => t.tile === current);
    if (at < 0) return;
    const here = tiles[at];
    /** @type {Element | undefined} */
    let next;
    if (event.key === 'ArrowLeft') next = tiles[at - 1]?.tile;
    else if (event.key === 'ArrowRight') next = tiles[at + 1]?.tile;
    else if (event.key === 'Home') next = tiles[0]?.tile;
    else if (event.key === 'End') next = tiles[tiles.length - 1]?.tile;
    else {
      const down = event.key === 'ArrowDown';
      const beyond = tiles.filter((t) => (down ? t.box.top >= here.box.bottom - 1 : t.box.bottom <= here.box.top + 1));
      const rowTop = down ? Math.min(...beyond.map((t) => t.box.top)) : Math.max(...beyond.map((t) => t.box.top));
      next = beyond
        .filter((t) => Math.abs(t.box.top - rowTop) < 2)
        .sort((a, b) => Math.abs(a.x - here.x) - Math.abs(b.x - here.x))[0]?.tile;
    }
    event.preventDefault();
    if (next instanceof HTMLElement) {
      next.focus();
      next.scrollIntoView({ block: 'nearest' });
    }
  });
}
