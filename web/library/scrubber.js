// @ts-check
/**
 * The timeline's scrubber: a rail on the right with the years where they
 * fall in the timeline (and the months too when the library spans only a
 * few years), labels never crowding each other whatever the span (a year
 * with no room is a dot); a thumb shows where the page is. Drag or click
 * it to jump, with a bubble naming the month (also on hover); nothing
 * gets selected as text while dragging. With the keyboard it is a slider
 * over the months: ↑ and ↓ a month, Page Up and Page Down a year, Home
 * the oldest, End the newest.
 */
import { h } from '../dom.js';
import { monthName } from './timeline.js';

/** The least room between two labels, in pixels (a label is ~14 px). */
const LABEL_ROOM = 22;
/** The least room between two dots. */
const DOT_ROOM = 5;

/** @param {string} month YYYY-MM */
const shortMonth = (month) => new Date(Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1, 1).toLocaleDateString(undefined, { month: 'short' });

/**
 * @param {import('./timeline.js').Timeline} timeline
 */
export function scrubber(timeline) {
  const marks = h('div', { class: 'scrubber-marks', 'aria-hidden': 'true' });
  const thumb = h('div', { class: 'scrubber-thumb', 'aria-hidden': 'true' });
  const rail = h(
    'div',
    { class: 'scrubber', role: 'slider', 'aria-label': 'Jump to a month', 'aria-orientation': 'vertical', tabindex: '0', 'aria-valuemin': '0', 'aria-valuemax': '0', 'aria-valuenow': '0' },
    marks,
    thumb,
  );
  const bubble = h('div', { class: 'scrubber-bubble', hidden: '', 'aria-hidden': 'true' });

  /** Where in the rail (0–1) a pointer is. */
  const fractionAt = (/** @type {number} */ clientY) => {
    const rect = rail.getBoundingClientRect();
    return Math.min(1, Math.max(0, (clientY - rect.top) / rect.height));
  };
  /** The month at a fraction of the timeline's height. */
  const monthAt = (/** @type {number} */ fraction) => {
    const y = fraction * (timeline.total || 1);
    return timeline.months.find((m) => m.top + m.height > y) ?? timeline.months[timeline.months.length - 1];
  };
  const showBubble = (/** @type {number} */ clientY) => {
    const month = monthAt(fractionAt(clientY));
    bubble.hidden = !month;
    bubble.textContent = month ? monthName(month.month) : '';
    bubble.style.top = `${clientY}px`;
  };

  /** The month at the top of the screen (the oldest, once at the bottom). */
  const current = () => {
    const atBottom = window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2;
    return atBottom && window.scrollY > 0 ? timeline.months[timeline.months.length - 1] : timeline.currentMonth();
  };
  /** The slider's value: the current month, counted from the oldest. */
  const sync = () => {
    const months = timeline.months;
    const shown = current();
    const index = shown ? months.indexOf(shown) : 0;
    rail.setAttribute('aria-valuemax', String(Math.max(0, months.length - 1)));
    rail.setAttribute('aria-valuenow', String(Math.max(0, months.length - 1 - index)));
    rail.setAttribute('aria-valuetext', shown ? monthName(shown.month) : '');
    const scrolled = Math.max(0, window.scrollY - timeline.offset());
    thumb.style.top = `${Math.min(100, (scrolled / Math.max(1, timeline.total - window.innerHeight / 2)) * 100)}%`;
  };
  let frame = 0;
  const onScroll = () => {
    if (!frame) {
      frame = requestAnimationFrame(() => {
        frame = 0;
        sync();
      });
    }
  };
  window.addEventListener('scroll', onScroll, { passive: true });

  /** Lays out the labels: years (and short months for a short span). */
  const draw = () => {
    const months = timeline.months;
    rail.hidden = months.length < 2;
    const height = rail.clientHeight;
    const total = timeline.total || 1;
    if (rail.hidden || !height) return;
    const years = new Set(months.map((m) => m.month.slice(0, 4)));
    const withMonths = years.size <= 3;
    /** @type {HTMLElement[]} */
    const shown = [];
    let lastLabel = -Infinity;
    let lastDot = -Infinity;
    let previousYear = '';
    // The oldest year is always named (the span's other end): the others
    // leave it room.
    const oldest = months.findIndex((m) => m.month.slice(0, 4) === months[months.length - 1].month.slice(0, 4));
    const oldestY = Math.min((months[oldest].top / total) * height, height - 8);
    for (const [index, month] of months.entries()) {
      const y = index === oldest ? oldestY : (month.top / total) * height;
      const year = month.month.slice(0, 4);
      const newYear = year !== previousYear;
      previousYear = year;
      if (!newYear && !withMonths) continue;
      const room = index === oldest || index > oldest || oldestY - y >= LABEL_ROOM;
      if (y - lastLabel >= LABEL_ROOM && y <= height - 8 && room) {
        const label = h('span', { class: newYear ? 'scrubber-year' : 'scrubber-month' }, newYear ? year : shortMonth(month.month));
        label.style.top = `${(y / height) * 100}%`;
        shown.push(label);
        lastLabel = y;
        lastDot = y;
      } else if (newYear && y - lastDot >= DOT_ROOM) {
        const dot = h('span', { class: 'scrubber-dot' });
        dot.style.top = `${(y / height) * 100}%`;
        shown.push(dot);
        lastDot = y;
      }
    }
    marks.replaceChildren(...shown);
    sync();
  };

  rail.addEventListener('pointerdown', (event) => {
    // No text selection, no scrolling of the page under the finger.
    event.preventDefault();
    rail.setPointerCapture(event.pointerId);
    rail.classList.add('dragging');
    timeline.scrollToFraction(fractionAt(event.clientY));
    showBubble(event.clientY);
  });
  rail.addEventListener('pointermove', (event) => {
    if (rail.hasPointerCapture(event.pointerId)) timeline.scrollToFraction(fractionAt(event.clientY));
    if (rail.hasPointerCapture(event.pointerId) || event.pointerType === 'mouse') showBubble(event.clientY);
  });
  const release = () => {
    rail.classList.remove('dragging');
    bubble.hidden = true;
  };
  rail.addEventListener('pointerup', release);
  rail.addEventListener('pointercancel', release);
  rail.addEventListener('pointerleave', () => {
    if (!rail.classList.contains('dragging')) bubble.hidden = true;
  });
  rail.addEventListener('keydown', (event) => {
    const months = timeline.months;
    const shown = current();
    const index = shown ? months.indexOf(shown) : 0;
    /** @type {Record<string, number>} */
    const targets = { ArrowUp: index - 1, ArrowRight: index - 1, ArrowDown: index + 1, ArrowLeft: index + 1, PageUp: index - 12, PageDown: index + 12, Home: months.length - 1, End: 0 };
    if (!(event.key in targets)) return;
    event.preventDefault();
    const target = months[Math.min(months.length - 1, Math.max(0, targets[event.key]))];
    if (target) window.scrollTo({ top: timeline.offset() + target.top });
    sync();
  });

  const resize = new ResizeObserver(() => draw());
  resize.observe(rail);
  return {
    el: rail,
    bubble,
    draw,
    destroy() {
      resize.disconnect();
      cancelAnimationFrame(frame);
      window.removeEventListener('scroll', onScroll);
    },
  };
}
