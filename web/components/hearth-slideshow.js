// @ts-check
/**
 * `<hearth-slideshow>`: photos one after another, full screen where the
 * browser allows, the screen kept awake where it allows that. Every few
 * seconds (3, 5 or 10), in order or shuffled; videos play through before
 * the next. A tap, a click or a key pauses it and shows the controls;
 * ← → move, Space plays or pauses, Esc ends it. The next photo is loaded
 * before it is due.
 */
import { h, stylesheet, trapFocus } from '../dom.js';
import { icons } from '../icons.js';

// Its styles come with it (not with the page), before it shows.
await stylesheet('styles/slideshow.css');

/** @typedef {import('../library/timeline.js').Brief} Brief */
/** @typedef {import('./hearth-viewer.js').ViewerSource} ViewerSource */

const INTERVALS = [3, 5, 10];

export class HearthSlideshow extends HTMLElement {
  constructor() {
    super();
    /** @type {Brief[]} the photos as given */
    this.list = [];
    /** @type {Brief[]} as shown (the list, or shuffled) */
    this.order = [];
    this.at = 0;
    this.seconds = 5;
    this.playing = true;
    this.timer = 0;
    /** @type {WakeLockSentinel | null} */
    this.awake = null;
    this.onKey = (/** @type {KeyboardEvent} */ event) => this.key(event);
    // A tap or a click pauses it (and plays it again).
    this.addEventListener('click', () => this.play(!this.playing));
    this.untrap = () => {};
    /** @type {ViewerSource | null} */
    this.source = null;
    this.overViewer = false;
  }

  /**
   * Starts at `start` within `list`.
   * @param {Brief[]} list
   * @param {Brief} start
   * @param {ViewerSource} source where the pictures come from
   */
  start(list, start, source) {
    this.source = source;
    this.list = list.slice();
    this.order = this.list;
    this.at = Math.max(0, this.order.findIndex((a) => a.id === start.id));
    this.setAttribute('open', '');
    this.setAttribute('role', 'dialog');
    this.setAttribute('aria-modal', 'true');
    this.setAttribute('aria-label', 'Slideshow');
    // Over the viewer, the page behind stays still when it ends.
    this.overViewer = document.body.classList.contains('viewer-open');
    document.body.classList.add('viewer-open');
    window.addEventListener('keydown', this.onKey, true);
    this.untrap = trapFocus(() => [this], () => true);
    this.requestFullscreen?.().catch(() => {});
    navigator.wakeLock
      ?.request('screen')
      .then((lock) => (this.awake = lock))
      .catch(() => {});
    this.draw();
  }

  stop() {
    clearTimeout(this.timer);
    this.removeAttribute('open');
    this.replaceChildren();
    if (!this.overViewer) document.body.classList.remove('viewer-open');
    window.removeEventListener('keydown', this.onKey, true);
    this.untrap();
    this.awake?.release().catch(() => {});
    this.awake = null;
    if (document.fullscreenElement === this) document.exitFullscreen().catch(() => {});
  }

  get asset() {
    return this.order[this.at];
  }

  /** @param {number} step */
  go(step) {
    if (!this.order.length) return;
    this.at = (this.at + step + this.order.length) % this.order.length;
    this.draw();
  }

  /** @param {boolean} on */
  play(on) {
    this.playing = on;
    this.classList.toggle('paused', !on);
    // A video pauses with the slideshow; one that ended meanwhile moves on.
    const video = this.querySelector('video.slide');
    if (video instanceof HTMLVideoElement) {
      if (!on) video.pause();
      else if (video.ended) {
        this.go(1);
        return;
      } else video.play().catch(() => {});
    }
    this.draw(false);
  }

  shuffle() {
    const current = this.asset;
    const shuffled = this.order === this.list;
    if (shuffled) {
      const copy = this.list.slice();
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [copy[i], copy[j]] = [copy[j], copy[i]];
      }
      this.order = copy;
    } else this.order = this.list;
    this.at = Math.max(0, this.order.indexOf(current));
    this.draw(false);
  }

  /** Shows the current photo (anew, or only the controls) and times the next. */
  draw(anew = true) {
    clearTimeout(this.timer);
    const asset = this.asset;
    const source = /** @type {ViewerSource} */ (this.source);
    if (!asset) return;
    let media = this.querySelector('.slide');
    if (anew || !media) {
      if (asset.k === 'video') {
        const video = /** @type {HTMLVideoElement} */ (h('video', { class: 'slide', playsinline: '', src: source.url(asset, 'video') }));
        video.addEventListener('ended', () => this.playing && this.go(1));
        video.play().catch(() => {
          video.muted = true;
          video.play().catch(() => {});
        });
        media = video;
      } else {
        media = h('img', { class: 'slide', alt: `Photo from ${new Date(asset.t).toLocaleDateString()}`, src: source.url(asset, 'preview') });
      }
    }
    const control = (/** @type {keyof typeof icons} */ icon, /** @type {string} */ words, /** @type {() => void} */ act) => {
      const b = h('button', { type: 'button', class: 'viewer-button', title: words }, h('span', { class: 'visually-hidden' }, words));
      b.insertAdjacentHTML('afterbegin', icons[icon]);
      b.addEventListener('click', (event) => {
        event.stopPropagation();
        act();
      });
      return b;
    };
    const interval = h('select', { 'aria-label': 'Seconds per photo', class: 'slide-interval' }, ...INTERVALS.map((s) => h('option', { value: String(s) }, `${s} s`)));
    /** @type {HTMLSelectElement} */ (interval).value = String(this.seconds);
    interval.addEventListener('click', (event) => event.stopPropagation());
    interval.addEventListener('change', () => {
      this.seconds = Number(/** @type {HTMLSelectElement} */ (interval).value);
      this.draw(false);
    });
    const shuffle = control('shuffle', 'Shuffle', () => this.shuffle());
    shuffle.setAttribute('aria-pressed', String(this.order !== this.list));
    const bar = h(
      'div',
      { class: 'slide-bar' },
      control('close', 'End the slideshow (Esc)', () => this.stop()),
      h('p', { class: 'slide-count', 'aria-live': 'polite' }, `${this.at + 1} of ${this.order.length}`),
      control('previous', 'Previous (←)', () => this.go(-1)),
      control(this.playing ? 'pause' : 'play', this.playing ? 'Pause (Space)' : 'Play (Space)', () => this.play(!this.playing)),
      control('next', 'Next (→)', () => this.go(1)),
      shuffle,
      interval,
    );
    this.replaceChildren(media, bar);
    // The next photo is loaded before it is due.
    const next = this.order[(this.at + 1) % this.order.length];
    if (next && next.k !== 'video') new Image().src = source.url(next, 'preview');
    if (this.playing && asset.k !== 'video') this.timer = window.setTimeout(() => this.go(1), this.seconds * 1000);
  }

  /** @param {KeyboardEvent} event */
  key(event) {
    if (event.target instanceof HTMLSelectElement) return;
    const actions = /** @type {Record<string, () => void>} */ ({
      Escape: () => this.stop(),
      ArrowRight: () => this.go(1),
      ArrowLeft: () => this.go(-1),
      ' ': () => this.play(!this.playing),
    });
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    event.stopPropagation();
    action();
  }
}

customElements.define('hearth-slideshow', HearthSlideshow);

/**
 * Starts the page's one slideshow.
 * @param {Brief[]} list
 * @param {Brief} start
 * @param {ViewerSource} source
 */
export function slideshow(list, start, source) {
  let found = /** @type {HearthSlideshow | null} */ (document.querySelector('hearth-slideshow'));
  if (!found) {
    found = /** @type {HearthSlideshow} */ (h('hearth-slideshow'));
    document.body.append(found);
  }
  found.start(list, start, source);
}
