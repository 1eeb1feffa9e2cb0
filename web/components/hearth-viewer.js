// @ts-check
/**
 * `<hearth-viewer>`: one photo or video, full screen. Keyboard (← → Esc,
 * i for details, f for favourite, Delete for the trash), swipe on touch, zoom with the wheel, a
 * pinch or a double tap, neighbours preloaded, an info panel, Live Photo
 * motion on press, download, favourite and trash. The browser's Back
 * closes it. A view may add a side panel (an album: the photo's comments).
 */
import { pickAlbum } from '../albums/add.js';
import { api, showError } from '../api.js';
import { h, stylesheet, trapFocus } from '../dom.js';
import { icons } from '../icons.js';
import { libraryAction, trashWithUndo } from '../library/actions.js';
import { slideshow } from './hearth-slideshow.js';
import { details } from './viewer-info.js';

// Its styles come with it (not with the page), before it shows.
await stylesheet('styles/viewer.css');

/** @typedef {import('../library/timeline.js').Brief} Brief */

/**
 * A side panel beside the photo, with a button (and the key `c`) to show it.
 * @typedef {object} ViewerSide
 * @property {string} label the button's words ("Comments")
 * @property {string} [icon] the button's icon (SVG markup from icons.js)
 * @property {(asset: Brief) => HTMLElement} render the panel's content for one photo
 * @property {boolean} [open] shown from the start
 */

/**
 * Where the viewer's pictures come from and what it may offer: a member's
 * library (details, albums, downloads), or a guest's share link (its own
 * addresses; the original only when the link allows downloads).
 * @typedef {object} ViewerSource
 * @property {(asset: Brief, kind: 'preview' | 'video' | 'original') => string} url
 * @property {boolean} download the original may be downloaded
 * @property {boolean} details the member's details, albums and actions
 */

/** Originals a browser shows itself (others keep their preview when zoomed). */
const SHOWN = ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif', 'image/bmp'];

/** @type {ViewerSource} */
export const LIBRARY_SOURCE = { url: (asset, kind) => `/api/assets/${asset.id}/${kind}?v=${asset.v}`, download: true, details: true };

export class HearthViewer extends HTMLElement {
  constructor() {
    super();
    /** @type {Brief[]} */
    this.list = [];
    this.index = 0;
    this.scale = 1;
    this.panX = 0;
    this.panY = 0;
    /** @type {Map<number, {x: number, y: number}>} */
    this.pointers = new Map();
    this.onKey = (/** @type {KeyboardEvent} */ event) => this.key(event);
    this.onPop = () => this.close(false);
    /** @type {((changed: Brief) => void) | null} */
    this.onChange = null;
    /** @type {(() => void) | null} */
    this.onTrash = null;
    /** Set while the viewer's own Back (on close) is under way. */
    this.swallowPop = false;
    /** @type {ViewerSide | null} */
    this.side = null;
    this.source = LIBRARY_SOURCE;
    this.untrap = () => {};
    /** Whether opening added a history entry (Back closes the viewer). */
    this.pushed = false;
    /** @type {Promise<string> | null} the shown photo's type, for members */
    this.mime = null;
  }

  /**
   * Opens on `asset` within `list` (for previous and next).
   * @param {Brief} asset
   * @param {Brief[]} list
   * @param {{ side?: ViewerSide, source?: ViewerSource }} [options]
   */
  open(asset, list, options = {}) {
    this.side = options.side ?? null;
    this.source = options.source ?? LIBRARY_SOURCE;
    this.classList.toggle('with-side', !!this.side?.open);
    if (this.side?.open) this.classList.remove('with-info');
    this.list = list;
    this.index = Math.max(0, list.findIndex((a) => a.id === asset.id));
    this.opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    this.setAttribute('open', '');
    this.setAttribute('role', 'dialog');
    this.setAttribute('aria-modal', 'true');
    this.setAttribute('aria-label', 'Photo viewer');
    document.body.classList.add('viewer-open');
    // The address names the photo (a link to it, a reload): Back closes.
    // Opened from such an address, there is no entry of its own to leave.
    const address = new URL(location.href);
    this.pushed = address.searchParams.get('photo') !== String(asset.id);
    address.searchParams.set('photo', String(asset.id));
    if (this.pushed) history.pushState({ viewer: true }, '', address);
    else history.replaceState({ viewer: true }, '', address);
    window.addEventListener('keydown', this.onKey);
    window.addEventListener('popstate', this.onPop);
    // Tab stays in the viewer (and the notices above it, for an Undo).
    this.untrap = trapFocus(() => [this, ...document.querySelectorAll('hearth-toasts')], () => !document.querySelector('dialog[open], hearth-slideshow[open]'));
    this.show();
  }

  /** @param {boolean} [back] also leave the history entry the viewer added */
  close(back = true) {
    if (!this.hasAttribute('open')) return;
    this.removeAttribute('open');
    document.body.classList.remove('viewer-open');
    window.removeEventListener('keydown', this.onKey);
    window.removeEventListener('popstate', this.onPop);
    this.untrap();
    this.replaceChildren();
    if (back && this.pushed && history.state?.viewer) {
      this.swallowPop = true;
      history.back();
    } else if (!this.pushed) {
      const address = new URL(location.href);
      address.searchParams.delete('photo');
      history.replaceState(null, '', address);
    }
    this.opener?.focus();
  }

  get asset() {
    return this.list[this.index];
  }

  /** @param {number} step */
  go(step) {
    const next = this.index + step;
    if (next < 0 || next >= this.list.length) return;
    this.index = next;
    this.show();
  }

  resetZoom() {
    this.scale = 1;
    this.panX = 0;
    this.panY = 0;
    this.applyZoom();
  }

  applyZoom() {
    const media = this.querySelector('.viewer-media');
    if (media instanceof HTMLElement) media.style.transform = `translate(${this.panX}px, ${this.panY}px) scale(${this.scale})`;
    this.classList.toggle('zoomed', this.scale > 1);
    if (this.scale > 1) this.sharpen();
  }

  /**
   * Zoomed past the preview's own pixels: the original takes its place,
   * once decoded, when the browser can show it (JPEG, PNG, WebP, AVIF…;
   * not HEIC or raw files, whose preview stays) and the source allows it.
   */
  sharpen() {
    const img = this.querySelector('img.viewer-media, .viewer-live img');
    if (!(img instanceof HTMLImageElement) || img.dataset.sharp || !img.naturalWidth) return;
    if (img.naturalWidth >= img.offsetWidth * this.scale * window.devicePixelRatio) return;
    img.dataset.sharp = 'asked';
    const asset = this.asset;
    const shows = this.mime ? this.mime.then((mime) => SHOWN.includes(mime)) : Promise.resolve(this.source.download);
    shows
      .then(async (yes) => {
        if (!yes) return;
        const full = new Image();
        full.src = this.source.url(asset, 'original');
        await full.decode();
        if (this.asset.id === asset.id && img.isConnected) img.src = full.src;
      })
      .catch(() => {});
  }

  /**
   * A round button in the bar: an icon, its words for screen readers and
   * as a tooltip (with the key, when there is one).
   * @param {keyof typeof icons} icon
   * @param {string} words
   * @param {() => void} act
   * @param {string} [key]
   */
  barButton(icon, words, act, key) {
    const control = h('button', { type: 'button', class: 'viewer-button', title: key ? `${words} (${key})` : words }, h('span', { class: 'visually-hidden' }, words));
    control.insertAdjacentHTML('afterbegin', icons[icon]);
    control.addEventListener('click', act);
    return control;
  }

  show() {
    const asset = this.asset;
    this.resetZoom();
    const address = new URL(location.href);
    if (address.searchParams.get('photo') !== String(asset.id)) {
      address.searchParams.set('photo', String(asset.id));
      history.replaceState(history.state, '', address);
    }
    const close = this.barButton('close', 'Close', () => this.close(), 'Esc');
    /** @type {HTMLElement[]} */
    const actions = [];
    /** @type {HTMLElement | null} */
    let side = null;
    if (this.side) {
      const toggle = this.barButton('comment', this.side.label, () => this.toggleSide(), 'c');
      toggle.classList.add('viewer-side-toggle');
      toggle.setAttribute('aria-pressed', String(this.classList.contains('with-side')));
      actions.push(toggle);
      side = h('aside', { class: 'viewer-side', 'aria-label': this.side.label });
      if (this.classList.contains('with-side')) side.append(this.side.render(asset));
    }
    if (this.source.details) {
      const info = this.barButton('info', 'Details', () => this.toggleInfo(), 'i');
      info.classList.add('viewer-info-toggle');
      info.setAttribute('aria-pressed', String(this.classList.contains('with-info')));
      actions.push(info);
    }
    if (asset.mine) {
      const fav = this.barButton(asset.fav ? 'heartFilled' : 'heart', asset.fav ? 'Unfavourite' : 'Favourite', () => this.favourite(), 'f');
      fav.setAttribute('aria-pressed', String(asset.fav));
      actions.push(fav);
    }
    if (this.source.details) actions.push(this.barButton('albumAdd', 'Add to album', () => pickAlbum([asset.id])));
    if (asset.mine) {
      const archived = !!asset.arc;
      const archive = this.barButton('archive', archived ? 'Unarchive' : 'Archive', () => this.archive());
      archive.setAttribute('aria-pressed', String(archived));
      actions.push(archive);
    }
    if (this.source.download) {
      const download = h('a', { class: 'viewer-button', href: `${this.source.url(asset, 'original')}&download=true`, download: '', title: 'Download the original' }, h('span', { class: 'visually-hidden' }, 'Download the original'));
      download.insertAdjacentHTML('afterbegin', icons.download);
      actions.push(download);
    }
    if (this.list.length > 1) actions.push(this.barButton('play', 'Slideshow', () => slideshow(this.list, asset, this.source)));
    if (asset.mine) actions.push(this.barButton('trash', 'Move to trash', () => this.trash(), 'Delete'));
    const media = this.media(asset);
    const stage = h('div', { class: 'viewer-stage' }, media);
    this.gestures(stage);
    const prev = h('button', { type: 'button', class: 'viewer-nav viewer-prev', 'aria-label': 'Previous (←)' }, '‹');
    const next = h('button', { type: 'button', class: 'viewer-nav viewer-next', 'aria-label': 'Next (→)' }, '›');
    prev.hidden = this.index === 0;
    next.hidden = this.index >= this.list.length - 1;
    prev.addEventListener('click', () => this.go(-1));
    next.addEventListener('click', () => this.go(1));
    const narrow = window.matchMedia('(max-width: 719px)').matches;
    const when = new Date(asset.t).toLocaleString(undefined, { dateStyle: narrow ? 'medium' : 'full', timeStyle: 'short' });
    const bar = h('div', { class: 'viewer-bar' }, close, h('p', { class: 'viewer-when' }, when), h('div', { class: 'viewer-actions' }, ...actions));
    const panel = h('aside', { class: 'viewer-info', 'aria-label': 'Details' }, h('p', { class: 'muted' }, 'Loading…'));
    this.replaceChildren(bar, stage, prev, next, panel, ...(side ? [side] : []));
    close.focus();
    if (this.classList.contains('with-info')) this.loadInfo(panel);
    this.preload();
  }

  /** @param {Brief} asset */
  media(asset) {
    this.mime = null;
    if (asset.k === 'video') {
      const poster = asset.th ? this.source.url(asset, 'preview') : '';
      const video = h('video', { class: 'viewer-media', controls: '', playsinline: '', preload: 'metadata', src: this.source.url(asset, 'video') });
      if (poster) video.setAttribute('poster', poster);
      video.addEventListener('error', () => {
        const save = this.source.download ? h('a', { class: 'button', href: `${this.source.url(asset, 'original')}&download=true`, download: '' }, 'Download it') : null;
        video.replaceWith(h('div', { class: 'viewer-message' }, h('p', {}, 'This browser cannot play this video.'), h('p', { class: 'muted' }, 'iPhone videos are often HEVC, which Safari and most phones play but some browsers do not.'), save ?? ''));
      });
      return video;
    }
    const img = h('img', { class: 'viewer-media', alt: `Photo from ${new Date(asset.t).toLocaleDateString()}`, src: this.source.url(asset, 'preview'), draggable: 'false' });
    img.addEventListener('error', () => img.replaceWith(h('div', { class: 'viewer-message' }, h('p', {}, 'This photo has no preview.'))));
    // GIF and WebP may move: the browser plays the original (a member's;
    // a guest sees the still preview).
    this.mime = this.source.details ? api(`/assets/${asset.id}`).then((details) => String(details.mime)) : null;
    this.mime
      ?.then((mime) => {
        if (['image/gif', 'image/webp'].includes(mime) && this.asset.id === asset.id) img.src = this.source.url(asset, 'original');
      })
      .catch(() => {});
    if (asset.k !== 'live') return img;
    // A Live Photo: press (or hover) the badge to play its motion.
    const motion = h('video', { class: 'viewer-motion', muted: '', playsinline: '', preload: 'none', src: this.source.url(asset, 'video') });
    motion.muted = true;
    const badge = h('button', { type: 'button', class: 'live-badge', 'aria-label': 'Play the Live Photo' }, 'LIVE');
    const play = () => {
      motion.hidden = false;
      motion.currentTime = 0;
      motion.play().catch(() => {});
    };
    const stop = () => {
      motion.pause();
      motion.hidden = true;
    };
    motion.hidden = true;
    motion.addEventListener('ended', stop);
    badge.addEventListener('pointerenter', play);
    badge.addEventListener('pointerdown', play);
    badge.addEventListener('pointerleave', stop);
    badge.addEventListener('click', play);
    return h('div', { class: 'viewer-media viewer-live' }, img, motion, badge);
  }

  /** Preloads the previews on either side. */
  preload() {
    for (const step of [1, -1, 2]) {
      const near = this.list[this.index + step];
      if (near && near.k !== 'video' && near.th) {
        const img = new Image();
        img.src = this.source.url(near, 'preview');
      }
    }
  }

  /** @param {HTMLElement} stage */
  gestures(stage) {
    let startX = 0;
    let startY = 0;
    let startDistance = 0;
    let startScale = 1;
    let lastTap = 0;
    stage.addEventListener('pointerdown', (event) => {
      this.pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
      stage.setPointerCapture(event.pointerId);
      startX = event.clientX;
      startY = event.clientY;
      if (this.pointers.size === 2) {
        const [a, b] = [...this.pointers.values()];
        startDistance = Math.hypot(a.x - b.x, a.y - b.y);
        startScale = this.scale;
      }
    });
    stage.addEventListener('pointermove', (event) => {
      const previous = this.pointers.get(event.pointerId);
      if (!previous) return;
      this.pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
      if (this.pointers.size === 2 && startDistance > 0) {
        const [a, b] = [...this.pointers.values()];
        this.scale = Math.min(6, Math.max(1, (startScale * Math.hypot(a.x - b.x, a.y - b.y)) / startDistance));
        this.applyZoom();
      } else if (this.scale > 1) {
        this.panX += event.clientX - previous.x;
        this.panY += event.clientY - previous.y;
        this.applyZoom();
      }
    });
    const end = (/** @type {PointerEvent} */ event) => {
      const wasPinch = this.pointers.size > 1;
      this.pointers.delete(event.pointerId);
      if (wasPinch || this.scale > 1 || event.type === 'pointercancel') return;
      const dx = event.clientX - startX;
      const dy = event.clientY - startY;
      if (Math.abs(dx) > 60 && Math.abs(dx) > Math.abs(dy) * 1.5) this.go(dx < 0 ? 1 : -1);
      else if (dy > 120 && Math.abs(dy) > Math.abs(dx) * 1.5) this.close();
      else if (Math.abs(dx) < 8 && Math.abs(dy) < 8 && event.pointerType === 'touch') {
        if (event.timeStamp - lastTap < 300) this.zoomAt(2.5);
        lastTap = event.timeStamp;
      }
    };
    stage.addEventListener('pointerup', end);
    stage.addEventListener('pointercancel', end);
    stage.addEventListener('dblclick', () => this.zoomAt(this.scale > 1 ? 1 : 2.5));
    stage.addEventListener(
      'wheel',
      (event) => {
        event.preventDefault();
        this.scale = Math.min(6, Math.max(1, this.scale * (event.deltaY < 0 ? 1.15 : 1 / 1.15)));
        if (this.scale === 1) this.panX = this.panY = 0;
        this.applyZoom();
      },
      { passive: false },
    );
  }

  /** @param {number} scale */
  zoomAt(scale) {
    this.scale = scale;
    if (scale === 1) this.panX = this.panY = 0;
    this.applyZoom();
  }

  /** @param {KeyboardEvent} event */
  key(event) {
    // Typing is not a shortcut; a dialog above the viewer has the keys.
    if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement || document.querySelector('dialog[open], hearth-slideshow[open]')) return;
    const actions = /** @type {Record<string, () => void>} */ ({
      ArrowRight: () => this.go(1),
      ArrowLeft: () => this.go(-1),
      Escape: () => this.close(),
      i: () => this.source.details && this.toggleInfo(),
      Delete: () => this.asset.mine && this.trash(),
      c: () => this.side && this.toggleSide(),
      f: () => this.asset.mine && this.favourite(),
      '+': () => this.zoomAt(Math.min(6, this.scale * 1.5)),
      '-': () => this.zoomAt(Math.max(1, this.scale / 1.5)),
    });
    const action = actions[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  }

  toggleInfo() {
    const on = this.classList.toggle('with-info');
    this.querySelector('.viewer-info-toggle')?.setAttribute('aria-pressed', String(on));
    if (on && this.classList.contains('with-side')) this.toggleSide();
    const panel = this.querySelector('.viewer-info');
    if (on && panel instanceof HTMLElement) this.loadInfo(panel);
  }

  /** Shows or hides the side panel (one panel at a time beside the photo). */
  toggleSide() {
    if (!this.side) return;
    const on = this.classList.toggle('with-side');
    this.querySelector('.viewer-side-toggle')?.setAttribute('aria-pressed', String(on));
    if (on && this.classList.contains('with-info')) this.toggleInfo();
    const panel = this.querySelector('.viewer-side');
    if (panel) panel.replaceChildren(...(on ? [this.side.render(this.asset)] : []));
  }

  /** @param {HTMLElement} panel */
  loadInfo(panel) {
    details(panel, this.asset.id, () => this.asset?.id);
  }

  async favourite() {
    const asset = this.asset;
    try {
      await api(`/assets/${asset.id}`, { method: 'PATCH', body: { favourite: !asset.fav } });
      asset.fav = !asset.fav;
      this.onChange?.(asset);
      this.show();
    } catch (err) {
      showError(err);
    }
  }

  /** Archives the photo (or brings it back), with Undo; it stays shown. */
  async archive() {
    const asset = this.asset;
    await libraryAction(asset.arc ? 'unarchive' : 'archive', [asset.id], () => {}, async () => {
      const now = await api(`/assets/${asset.id}`).catch(() => null);
      if (now) asset.arc = now.archived || undefined;
      this.onChange?.(asset);
      if (this.asset?.id === asset.id && this.hasAttribute('open')) this.show();
    });
  }

  /** Moves the photo to the trash (with Undo) and shows the next one. */
  async trash() {
    const asset = this.asset;
    try {
      let first = true;
      await trashWithUndo([asset.id], () => {
        // The first call is the trash itself; later ones are an Undo.
        if (first) {
          first = false;
          this.list.splice(this.index, 1);
          if (!this.list.length) this.close();
          else {
            this.index = Math.min(this.index, this.list.length - 1);
            this.show();
          }
        }
        this.onTrash?.();
      });
    } catch (err) {
      showError(err);
    }
  }
}

customElements.define('hearth-viewer', HearthViewer);

/** The page's one viewer (made on first use). */
export function viewer() {
  let found = document.querySelector('hearth-viewer');
  if (!found) {
    found = h('hearth-viewer');
    document.body.append(found);
  }
  return /** @type {HearthViewer} */ (found);
}
