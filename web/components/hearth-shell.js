// @ts-check
/**
 * `<hearth-shell>`: the app frame. A header with the name, the navigation
 * (top on wide screens, a bottom tab bar on phones) and the content area.
 */
import './hearth-search-box.js';
import { icons } from '../icons.js';

const NAV = [
  { href: '/', label: 'Photos', icon: icons.photos },
  { href: '/albums', label: 'Albums', icon: icons.albums },
  { href: '/search', label: 'Search', icon: icons.search },
  { href: '/settings', label: 'Settings', icon: icons.settings },
];

export class HearthShell extends HTMLElement {
  connectedCallback() {
    if (this.querySelector('main')) return;
    const links = NAV.map(
      (item) => `<a class="nav-link" href="${item.href}">${item.icon}<span>${item.label}</span></a>`,
    ).join('');
    this.innerHTML = `
      <a class="skip-link" href="#content">Skip to content</a>
      <header class="app-header">
        <a class="brand" href="/" aria-label="Hearth, home">${icons.flame}<span>Hearth</span></a>
        <hearth-search-box class="header-search" placeholder="Search photos"></hearth-search-box>
        <nav class="app-nav" aria-label="Main">${links}</nav>
        <a class="bell" href="/notifications" aria-label="Notifications" hidden>${icons.bell}<span class="bell-count" hidden></span></a>
      </header>
      <main id="content" tabindex="-1"></main>`;
  }

  /**
   * Shows or hides the parts that need a signed-in member.
   * @param {boolean} signedIn
   */
  setSignedIn(signedIn) {
    this.classList.toggle('signed-out', !signedIn);
    /** @type {HTMLElement} */ (this.querySelector('.bell')).hidden = !signedIn;
  }

  /** @param {number} count */
  setUnread(count) {
    const badge = /** @type {HTMLElement} */ (this.querySelector('.bell-count'));
    badge.hidden = count === 0;
    badge.textContent = count > 9 ? '9+' : String(count);
    this.querySelector('.bell')?.setAttribute('aria-label', count ? `Notifications, ${count} unread` : 'Notifications');
  }

  /**
   * Replaces the content and marks the current navigation entry.
   * @param {HTMLElement} view
   * @param {string} path
   */
  show(view, path) {
    const main = /** @type {HTMLElement} */ (this.querySelector('main'));
    main.replaceChildren(view);
    // Search has its own, larger box.
    this.classList.toggle('on-search', path === '/search');
    for (const link of this.querySelectorAll('.nav-link')) {
      const href = link.getAttribute('href') ?? '';
      if (href === path || (href !== '/' && path.startsWith(`${href}/`))) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    window.scrollTo(0, 0);
  }
}

customElements.define('hearth-shell', HearthShell);
