// @ts-check
/** Settings. For now: what this server is and whether it is well. */
import { api, ApiError } from '../api.js';
import { navigate } from '../nav.js';
import { isAdmin, me, signOut } from '../session.js';
import { busy, button, errorSlot, showIn } from '../ui.js';
import { chosen, saveSharing, sharingChoice } from '../library/sharing.js';
import { h } from '../dom.js';
import { icons } from '../icons.js';

/**
 * @param {number} seconds
 * @returns {string}
 */
export function formatUptime(seconds) {
  const units = [
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
  ];
  for (const [name, size] of /** @type {[string, number][]} */ (units)) {
    if (seconds >= size) {
      const count = Math.floor(seconds / size);
      return `${count} ${name}${count === 1 ? '' : 's'}`;
    }
  }
  return 'less than a minute';
}

/**
 * @param {string} label
 * @param {Node | string} value
 * @param {string} key test hook and styling hook
 */
export function row(label, value, key) {
  return h('div', { class: 'fact', 'data-fact': key }, h('dt', {}, label), h('dd', {}, value));
}

/**
 * "Healthy" with a check, or "Something is wrong" with a warning sign.
 * @param {boolean} healthy
 * @param {string} [words] other words than those
 */
export function healthStatus(healthy, words = healthy ? 'Healthy' : 'Something is wrong') {
  const status = h('span', { class: healthy ? 'status status-ok' : 'status status-bad' }, h('span', { class: 'status-icon' }), words);
  /** @type {HTMLElement} */ (status.querySelector('.status-icon')).innerHTML = healthy ? icons.check : icons.alert;
  return status;
}

/** @param {HTMLElement} list */
async function loadAbout(list) {
  try {
    const [info, health] = await Promise.all([api('/server/info'), api('/health', { accept: [503] })]);
    list.replaceChildren(
      h(
        'dl',
        { class: 'facts' },
        row('Version', `${info.name} ${info.version}`, 'version'),
        row('Status', healthStatus(health.status === 'ok'), 'status'),
        row('Database', health.database === 'ok' ? 'Working' : 'Not reachable', 'database'),
        row('Running for', formatUptime(health.uptime_seconds), 'uptime'),
      ),
    );
  } catch (err) {
    const message = err instanceof ApiError ? err.message : 'The server status could not be loaded.';
    list.replaceChildren(h('p', { class: 'inline-error', role: 'alert' }, message));
  }
}

const ROLE = /** @type {Record<string, string>} */ ({ owner: 'the owner', admin: 'an admin', member: 'a member' });

function accountCard() {
  const body = h('div', { class: 'stack' }, h('p', { class: 'muted' }, 'Loading…'));
  me().then((user) => {
    if (!user) return;
    const error = errorSlot();
    const out = button('Sign out', { class: 'button button-secondary' });
    out.addEventListener('click', () =>
      busy(out, error, async () => {
        await signOut();
        navigate('/signin', { replace: true });
      }),
    );
    body.replaceChildren(
      h('p', {}, 'Signed in as ', h('strong', {}, user.display_name), ` (@${user.username}), ${ROLE[user.role]} of this household.`),
      h(
        'ul',
        { class: 'links' },
        h('li', {}, h('a', { href: '/settings/security' }, 'Security'), h('span', { class: 'muted' }, ' — passkeys, password, where you are signed in, API tokens')),
        h('li', {}, h('a', { href: '/settings/devices' }, 'Devices'), h('span', { class: 'muted' }, ' — phones that back up by themselves')),
        isAdmin(user) ? h('li', {}, h('a', { href: '/settings/household' }, 'Household'), h('span', { class: 'muted' }, ' — members, invites, recovery links')) : null,
        h('li', {}, h('a', { href: '/settings/library' }, 'Library'), h('span', { class: 'muted' }, isAdmin(user) ? ' — import folders, the import queue, files not imported' : ' — files that could not be imported')),
        h('li', {}, h('a', { href: '/settings/privacy' }, 'Privacy'), h('span', { class: 'muted' }, user.role === 'owner' ? ' — what Hearth stores, takeout, retention rules and sweeps, deleted accounts' : ' — what Hearth stores about you, takeout, retention rules, deleting your account')),
        user.role === 'owner' ? h('li', {}, h('a', { href: '/settings/server' }, 'Server'), h('span', { class: 'muted' }, ' — backups, the integrity check, version and health')) : null,
        h('li', {}, h('a', { href: '/notifications' }, 'Notifications')),
      ),
      out,
      error,
    );
  });
  return h('section', { class: 'card', 'aria-labelledby': 'account-heading' }, h('h2', { id: 'account-heading' }, 'Your account'), body);
}

/** Whether new uploads start private or the family's; saved when changed. */
function sharingCard() {
  const body = h('div', { class: 'stack' }, h('p', { class: 'muted' }, 'Loading…'));
  me().then((user) => {
    if (!user) return;
    const choice = sharingChoice(user.default_visibility);
    const said = h('p', { class: 'muted', role: 'status' });
    const error = errorSlot();
    choice.addEventListener('change', async () => {
      said.textContent = '';
      try {
        await saveSharing(chosen(choice));
        said.textContent = 'Saved. Photos you upload from now on start this way.';
      } catch (err) {
        showIn(error, err);
      }
    });
    body.replaceChildren(choice, said, error);
  });
  return h('section', { class: 'card', 'aria-labelledby': 'sharing-heading' }, h('h2', { id: 'sharing-heading' }, 'Sharing'), body);
}

export function settingsView() {
  return {
    title: 'Settings',
    render: () => {
      const about = h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading…'));
      loadAbout(about).finally(() => about.removeAttribute('aria-busy'));
      return h(
        'div',
        { class: 'page' },
        h('h1', {}, 'Settings'),
        accountCard(),
        sharingCard(),
        h('section', { class: 'card', 'aria-labelledby': 'about-heading' }, h('h2', { id: 'about-heading' }, 'This server'), about),
        h(
          'section',
          { class: 'card', 'aria-labelledby': 'more-heading' },
          h('h2', { id: 'more-heading' }, 'More'),
          h('p', {}, 'Developers and scripts: ', h('a', { href: '/api/docs' }, 'the HTTP API and its documentation'), '.'),
          h('p', { class: 'muted' }, 'Light and dark appearance follow your device.'),
        ),
      );
    },
  };
}
