// @ts-check
/** Hearth's own line icons (24×24, stroke = currentColor), as SVG markup. */

/** @param {string} paths */
const icon = (paths) =>
  `<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">${paths}</svg>`;

export const icons = {
  flame: icon('<path d="M12 3c1.5 4 6 6 6 11a6 6 0 0 1-12 0c0-3 1.5-4.5 2.5-6 .5 2 1.5 3 2.5 3-1-3.5 0-6.5 1-8z"/>'),
  photos: icon('<rect x="3" y="5" width="18" height="14" rx="2.5"/><circle cx="9" cy="10" r="1.8"/><path d="m4 17 5-5 4 4 3-3 4 4"/>'),
  albums: icon('<rect x="3" y="7" width="14" height="13" rx="2"/><path d="M7 4h11a3 3 0 0 1 3 3v10"/>'),
  search: icon('<circle cx="11" cy="11" r="6.5"/><path d="m16 16 4.5 4.5"/>'),
  settings: icon('<circle cx="12" cy="12" r="3"/><path d="M12 2.8v2.4M12 18.8v2.4M4.2 7.5l2.1 1.2M17.7 15.3l2.1 1.2M4.2 16.5l2.1-1.2M17.7 8.7l2.1-1.2"/><circle cx="12" cy="12" r="7"/>'),
  alert: icon('<path d="M12 3 2.5 20h19z"/><path d="M12 10v4.5M12 17.5v.01"/>'),
  check: icon('<circle cx="12" cy="12" r="9"/><path d="m8 12.5 2.8 2.8L16.5 9.5"/>'),
  close: icon('<path d="M6 6l12 12M18 6 6 18"/>'),
  bell: icon('<path d="M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15z"/><path d="M10 20.5a2 2 0 0 0 4 0"/>'),
  compass: icon('<circle cx="12" cy="12" r="9"/><path d="m15.5 8.5-2 5-5 2 2-5z"/>'),
  heart: icon('<path d="M12 20s-7.5-4.4-7.5-10A4.3 4.3 0 0 1 12 7.4 4.3 4.3 0 0 1 19.5 10c0 5.6-7.5 10-7.5 10z"/>'),
  comment: icon('<path d="M4.5 6.5a2 2 0 0 1 2-2h11a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H10l-4 3.5v-3.5h0a2 2 0 0 1-1.5-2z"/>'),
  people: icon('<circle cx="9" cy="8.5" r="3"/><path d="M3.5 19a5.5 5.5 0 0 1 11 0"/><circle cx="16.5" cy="9.5" r="2.4"/><path d="M15.5 14.2A4.5 4.5 0 0 1 20.5 19"/>'),
  bellOff: icon('<path d="M6 16V11a6 6 0 0 1 9.2-5.1M18 10.5V16l1.5 2H8"/><path d="M10 20.5a2 2 0 0 0 4 0M4 4l16 16"/>'),
  live: icon('<path d="M12 3.5v3M12 17.5v3M3.5 12h3M17.5 12h3M6 6l2.1 2.1M15.9 15.9 18 18M6 18l2.1-2.1M15.9 8.1 18 6"/><circle cx="12" cy="12" r="2.5"/>'),
  plus: icon('<path d="M12 5v14M5 12h14"/>'),
  more: icon('<circle cx="5.5" cy="12" r="1.2"/><circle cx="12" cy="12" r="1.2"/><circle cx="18.5" cy="12" r="1.2"/>'),
  info: icon('<circle cx="12" cy="12" r="9"/><path d="M12 11v5.5M12 7.5v.01"/>'),
  download: icon('<path d="M12 4v11M7 10.5l5 5 5-5M5 20h14"/>'),
  trash: icon('<path d="M4.5 7h15M9.5 7V4.5h5V7M6.5 7l1 13h9l1-13M10 11v5.5M14 11v5.5"/>'),
  archive: icon('<rect x="3.5" y="4.5" width="17" height="4" rx="1"/><path d="M5 8.5V19h14V8.5M10 12.5h4"/>'),
  albumAdd: icon('<rect x="3" y="7" width="14" height="13" rx="2"/><path d="M7 4h11a3 3 0 0 1 3 3v10M10 10.5v6M7 13.5h6"/>'),
  play: icon('<path d="M8 5.5v13l10.5-6.5z"/>'),
  lock: icon('<rect x="5" y="10.5" width="14" height="10" rx="2"/><path d="M8 10.5V8a4 4 0 0 1 8 0v2.5"/>'),
  albumRemove: icon('<rect x="3" y="7" width="14" height="13" rx="2"/><path d="M7 4h11a3 3 0 0 1 3 3v10M7 13.5h6"/>'),
  toStart: icon('<path d="M5 4.5h14M12 20V8.5M7 13.5l5-5 5 5"/>'),
  pause: icon('<path d="M8.5 5.5v13M15.5 5.5v13"/>'),
  previous: icon('<path d="m14.5 6-6 6 6 6"/>'),
  next: icon('<path d="m9.5 6 6 6-6 6"/>'),
  shuffle: icon('<path d="M4 7h3.5c2 0 3 1 4.5 3.5l1 1.5c1.5 2.5 2.5 3.5 4.5 3.5H20M4 17h3.5c1.3 0 2.2-.4 3-1.3M14 8.3c.8-.9 1.7-1.3 3-1.3H20M17.5 4.5 20 7l-2.5 2.5M17.5 14.5 20 17l-2.5 2.5"/>'),
  heartFilled: icon('<path fill="currentColor" d="M12 20s-7.5-4.4-7.5-10A4.3 4.3 0 0 1 12 7.4 4.3 4.3 0 0 1 19.5 10c0 5.6-7.5 10-7.5 10z"/>'),
};
