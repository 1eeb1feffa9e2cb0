// @ts-check
/**
 * `<hearth-viewer>`: one photo or video, full screen. Keyboard (← → Esc,
 * i for info, f for favourite), swipe on touch, zoom with the wheel, a
 * pinch or a double tap, neighbours preloaded, an info panel, Live Photo
 * motion on press, download, favourite and trash. The browser's Back
 * closes it. A view may add a side panel (an album: the photo's comments).
 */
import { pickAlbum } from '../albums/add.js';
import { api, showError } from '../api.js';
import { h } from '../dom.js';
import { icons } from '../icons.js';
import { duration } from '../library/timeline.js';

/** @typedef {import('../library/timeline.js').Brief} Brief */

/**
 * A side panel beside the photo, with a button (and the key `c`) to show it.
 * @typedef {object} ViewerSide
 * @property {string} label the button's words ("Comments")
 * @property {string} [icon] the button's icon (SVG markup from icons.js)
 * @property {(asset: Brief) => HTMLElement} render the panel's content for one photo
 * @property {boolean} [open] shown from the start
 */

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
  }

  /**
   * Opens on `asset` within `list` (for previous and next).
   * @param {Brief} asset
   * @param {Brief[]} list
   * @param {{ side?: ViewerSide }} [options]
   */
  open(asset, list, options = {}) {
    this.side = options.side ?? null;
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
    history.pushState({ viewer: true }, '', location.href);
    window.addEventListener('keydown', this.onKey);
    window.addEventListener('popstate', this.onPop);
    this.show();
  }

  /** @param {boolean} [back] also leave the history entry the viewer added */
  close(back = true) {
    if (!this.hasAttribute('open')) return;
    this.removeAttribute('open');
    document.body.classList.remove('viewer-open');
    window.removeEventListener('keydown', this.onKey);
    window.removeEventListener('popstate', this.onPop);
    this.replaceChildren();
    if (back && history.state?.viewer) {
      this.swallowPop = true;
      history.back();
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
  }

  show() {
    const asset = this.asset;
    this.resetZoom();
    const close = h('button', { type: 'button', class: 'viewer-button', 'aria-label': 'Close (Esc)' });
    close.innerHTML = icons.close;
    close.addEventListener('click', () => this.close());
    const info = h('button', { type: 'button', class: 'viewer-button', 'aria-label': 'Info (i)', 'aria-pressed': String(this.classList.contains('with-info')) }, 'Info');
    info.addEventListener('click', () => this.toggleInfo());
    const download = h('a', { class: 'viewer-button', href: `/api/assets/${asset.id}/original?download=true`, download: '', 'aria-label': 'Download the original' }, 'Download');
    const actions = h('div', { class: 'viewer-actions' }, info, download);
    /** @type {HTMLElement | null} */
    let side = null;
    if (this.side) {
      const toggle = h('button', { type: 'button', class: 'viewer-button viewer-side-toggle', 'aria-label': `${this.side.label} (c)`, 'aria-pressed': String(this.classList.contains('with-side')) }, h('span', { class: 'viewer-side-label' }, this.side.label));
      if (this.side.icon) toggle.insertAdjacentHTML('afterbegin', this.side.icon);
      toggle.addEventListener('click', () => this.toggleSide());
      actions.prepend(toggle);
      side = h('aside', { class: 'viewer-side', 'aria-label': this.side.label });
      if (this.classList.contains('with-side')) side.append(this.side.render(asset));
    }
    if (asset.mine) {
      const fav = h('button', { type: 'button', class: 'viewer-button', 'aria-pressed': String(asset.fav), 'aria-label': asset.fav ? 'Unfavourite (f)' : 'Favourite (f)' }, asset.fav ? '♥' : '♡');
      fav.addEventListener('click', () => this.favourite());
      const album = h('button', { type: 'button', class: 'viewer-button', 'aria-label': 'Add to album' }, 'Album');
      album.addEventListener('click', () => pickAlbum([asset.id]));
      const trash = h('button', { type: 'button', class: 'viewer-button', 'aria-label': 'Move to trash' }, 'Trash');
      trash.addEventListener('click', () => this.trash());
      actions.append(fav, album, trash);
    }
    const media = this.media(asset);
    const stage = h('div', { class: 'viewer-stage' }, media);
    this.gestures(stage);
    const prev = h('button', { type: 'button', class: 'viewer-nav viewer-prev', 'aria-label': 'Previous (←)' }, '‹');
    const next = h('button', { type: 'button', class: 'viewer-nav viewer-next', 'aria-label': 'Next (→)' }, '›');
    prev.hidden = this.index === 0;
    next.hidden = this.index >= this.list.length - 1;
    prev.addEventListener('click', () => this.go(-1));
    next.addEventListener('click', () => this.go(1));
    const when = new Date(asset.t).toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'short' });
    const bar = h('div', { class: 'viewer-bar' }, close, h('p', { class: 'viewer-when' }, when), actions);
    const panel = h('aside', { class: 'viewer-info', 'aria-label': 'Details' }, h('p', { class: 'muted' }, 'Loading…'));
    this.replaceChildren(bar, stage, prev, next, panel, ...(side ? [side] : []));
    close.focus();
    if (this.classList.contains('with-info')) this.loadInfo(panel);
    this.preload();
  }

  /** @param {Brief} asset */
  media(asset) {
    if (asset.k === 'video') {
      const poster = asset.th ? `/api/assets/${asset.id}/preview?v=${asset.v}` : '';
      const video = h('video', { class: 'viewer-media', controls: '', playsinline: '', preload: 'metadata', src: `/api/assets/${asset.id}/video?v=${asset.v}` });
      if (poster) video.setAttribute('poster', poster);
      video.addEventListener('error', () => {
        video.replaceWith(h('div', { class: 'viewer-message' }, h('p', {}, 'This browser cannot play this video.'), h('p', { class: 'muted' }, 'iPhone videos are often HEVC, which Safari and most phones play but some browsers do not.'), h('a', { class: 'button', href: `/api/assets/${asset.id}/original?download=true`, download: '' }, 'Download it')));
      });
      return video;
    }
    const img = h('img', { class: 'viewer-media', alt: `Photo from ${new Date(asset.t).toLocaleDateString()}`, src: `/api/assets/${asset.id}/preview?v=${asset.v}`, draggable: 'false' });
    img.addEventListener('error', () => img.replaceWith(h('div', { class: 'viewer-message' }, h('p', {}, 'This photo has no preview.'))));
    // GIF and WebP may move: the browser plays the original.
    api(`/assets/${asset.id}`)
      .then((details) => {
        if (['image/gif', 'image/webp'].includes(details.mime) && this.asset.id === asset.id) img.src = `/api/assets/${asset.id}/original?v=${asset.v}`;
      })
      .catch(() => {});
    if (asset.k !== 'live') return img;
    // A Live Photo: press (or hover) the badge to play its motion.
    const motion = h('video', { class: 'viewer-motion', muted: '', playsinline: '', preload: 'none', src: `/api/assets/${asset.id}/video?v=${asset.v}` });
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
        img.src = `/api/assets/${near.id}/preview?v=${near.v}`;
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
    if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement) return;
    const actions = /** @type {Record<string, () => void>} */ ({
      ArrowRight: () => this.go(1),
      ArrowLeft: () => this.go(-1),
      Escape: () => this.close(),
      i: () => this.toggleInfo(),
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
    this.querySelector('[aria-label="Info (i)"]')?.setAttribute('aria-pressed', String(on));
    if (on && this.classList.contains('with-side')) this.toggleSide();
    const panel = this.querySelector('.viewer-info');
    if (on && panel instanceof HTMLElement) this.loadInfo(panel);
  }

  /** Shows or hides the side panel (one panel at a time beside the photo). */
  toggleSide() {
    if (!this.side) return;
    const on = this.classList.toggle('with-side');
    this.querySelector(`[aria-label="${this.side.label} (c)"]`)?.setAttribute('aria-pressed', String(on));
    if (on && this.classList.contains('with-info')) this.toggleInfo();
    const panel = this.querySelector('.viewer-side');
    if (panel) panel.replaceChildren(...(on ? [this.side.render(this.asset)] : []));
  }

  /** @param {HTMLElement} panel */
  async loadInfo(panel) {
    const id = this.asset.id;
    try {
      const d = await api(`/assets/${id}`);
      if (this.asset.id !== id) return;
      /** @type {[string, string | null][]} */
      const facts = [
        ['Taken', d.taken_local ? new Date(d.taken_local).toLocaleString(undefined, { dateStyle: 'long', timeStyle: 'medium' }) : null],
        ['Time zone', d.taken_offset_minutes != null ? `UTC${d.taken_offset_minutes >= 0 ? '+' : '−'}${String(Math.floor(Math.abs(d.taken_offset_minutes) / 60)).padStart(2, '0')}:${String(Math.abs(d.taken_offset_minutes) % 60).padStart(2, '0')}` : null],
        ['Place', d.place ? [[d.place.city, d.place.region, d.place.country].filter(Boolean).join(', '), `${d.place.latitude.toFixed(5)}, ${d.place.longitude.toFixed(5)}`].filter(Boolean).join(' · ') : null],
        ['Camera', d.camera.name ?? null],
        ['Lens', d.camera.lens ?? null],
        ['Exposure', [d.camera.f_number && `ƒ/${d.camera.f_number}`, d.camera.exposure_time && (d.camera.exposure_time < 1 ? `1/${Math.round(1 / d.camera.exposure_time)} s` : `${d.camera.exposure_time} s`), d.camera.focal_length && `${d.camera.focal_length} mm`, d.camera.iso && `ISO ${d.camera.iso}`].filter(Boolean).join(' · ') || null],
        ['Size', d.width ? `${d.width} × ${d.height} · ${(d.bytes / 1e6).toFixed(1)} MB` : `${(d.bytes / 1e6).toFixed(1)} MB`],
        ['Length', d.duration_ms ? duration(d.duration_ms) : null],
        ['Seen by', d.visibility === 'family' ? 'The whole family' : d.mine ? 'Only you' : 'Its owner'],
        ['File', d.files?.map((/** @type {any} */ f) => `${f.folder ? `${f.folder}/` : ''}${f.path}${f.present ? '' : ' (missing)'}`).join('\n') ?? null],
      ];
      const list = h('dl', { class: 'facts' }, ...facts.filter(([, v]) => v).map(([k, v]) => h('div', { class: 'fact' }, h('dt', {}, k), h('dd', {}, v ?? ''))));
      /** @type {(HTMLElement | null)[]} */
      const parts = [h('h2', {}, d.title ?? 'Details')];
      // The owner writes the caption here; others read it (once, not again when it is the title).
      if (d.mine) parts.push(this.captionEditor(id, d.caption ?? ''));
      else if (d.caption && d.caption !== d.title) parts.push(h('p', { class: 'caption' }, d.caption));
      parts.push(list);
      if (d.mine) {
        const share = h('button', { type: 'button', class: 'button button-quiet' }, d.visibility === 'family' ? 'Make private' : 'Share with the family');
        share.addEventListener('click', async () => {
          try {
            await api(`/assets/${id}`, { method: 'PATCH', body: { visibility: d.visibility === 'family' ? 'private' : 'family' } });
            this.loadInfo(panel);
          } catch (err) {
            showError(err);
          }
        });
        parts.push(share);
      }
      panel.replaceChildren(...parts.filter((p) => p !== null));
    } catch (err) {
      panel.replaceChildren(h('p', { class: 'inline-error', role: 'alert' }, err instanceof Error ? err.message : String(err)));
    }
  }

  /**
   * The caption as a text box, saved when it loses focus (or on Enter).
   * @param {number} id
   * @param {string} caption
   */
  captionEditor(id, caption) {
    const area = /** @type {HTMLTextAreaElement} */ (h('textarea', { id: `caption-${id}`, class: 'caption-edit', rows: '2', maxlength: '2000', placeholder: 'Add a caption' }));
    area.value = caption;
    const status = h('p', { class: 'caption-status', role: 'status' });
    let saved = caption;
    area.addEventListener('change', async () => {
      const text = area.value.trim();
      if (text === saved) return;
      try {
        await api(`/assets/${id}`, { method: 'PATCH', body: { caption: text } });
        saved = text;
        status.textContent = text ? 'Caption saved' : 'Caption removed';
      } catch (err) {
        status.textContent = '';
        showError(err);
      }
    });
    area.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        area.blur();
      }
    });
    return h('div', { class: 'caption-field' }, h('label', { for: area.id, class: 'visually-hidden' }, 'Caption'), area, status);
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

  async trash() {
    const asset = this.asset;
    try {
      await api('/assets/trash', { method: 'POST', body: { ids: [asset.id] } });
      this.list.splice(this.index, 1);
      this.onTrash?.();
      if (!this.list.length) this.close();
      else {
        this.index = Math.min(this.index, this.list.length - 1);
        this.show();
      }
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
