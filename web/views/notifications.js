// @ts-check
/**
 * Your notifications: security alerts, and album news (photos added,
 * comments, mentions, albums shared with you) linking to the album. The
 * list and the bell's count follow the server as they change.
 */
import { api } from '../api.js';
import { h } from '../dom.js';
import { listen, throttled } from '../events.js';
import { icons } from '../icons.js';
import { richText } from '../text.js';
import { busy, button, errorSlot, onLeave, refresh, when } from '../ui.js';

/**
 * @typedef {object} Note
 * @property {number} id
 * @property {string} kind
 * @property {string} title
 * @property {string} body
 * @property {string} created_at
 * @property {boolean} read
 * @property {number} [album_id]
 * @property {number} [asset_id]
 * @property {number} count
 */

/** Each kind's icon. */
const ICONS = /** @type {Record<string, string>} */ ({
  photos_added: icons.photos,
  comment: icons.comment,
  mention: icons.comment,
  album_invite: icons.albums,
  welcome: icons.flame,
  new_device_sign_in: icons.alert,
  passkey_added: icons.check,
  password_changed: icons.check,
  role_changed: icons.people,
  album_closing: icons.albums,
  export_ready: icons.check,
  recovery_link: icons.alert,
  member_recovery_link: icons.alert,
});

/**
 * Where a notification leads: its album (at the photo, for a photo's comment).
 * @param {Note} n
 */
function target(n) {
  if (n.kind === 'export_ready') return '/settings/privacy';
  if (n.kind === 'recovery_link') return '/settings/security';
  if (n.kind === 'member_recovery_link') return '/settings/household';
  // Its album is hidden already (its owner's account is being deleted).
  if (!n.album_id || n.kind === 'album_closing') return null;
  return n.asset_id && (n.kind === 'comment' || n.kind === 'mention') ? `/albums/${n.album_id}?photo=${n.asset_id}` : `/albums/${n.album_id}`;
}

export function notificationsView() {
  return {
    title: 'Notifications',
    render: () => {
      const body = h('div', { class: 'stack' });
      const load = async () => {
        const error = errorSlot();
        const list = await api('/notifications');
        window.dispatchEvent(new CustomEvent('hearth:unread', { detail: list.unread }));
        if (!list.items.length) return [h('hearth-empty-state', { heading: 'Nothing new', icon: 'check', level: '2' }, h('p', {}, 'Sign-in alerts, albums shared with you, new photos and comments appear here.'))];
        const readAll = button('Mark all as read', { class: 'button button-quiet' });
        readAll.addEventListener('click', () =>
          busy(readAll, error, async () => {
            await api('/notifications/read-all', { method: 'POST' });
            await refresh(body, load);
          }),
        );
        const items = list.items.map((/** @type {Note} */ n) => {
          const href = target(n);
          const heading = href ? h('a', { href, class: 'note-link' }, n.title) : h('span', {}, n.title);
          if (href && !n.read) {
            // Opening it is reading it.
            heading.addEventListener('click', () => {
              api(`/notifications/${n.id}/read`, { method: 'POST' }).catch(() => {});
            });
          }
          const icon = h('span', { class: 'note-icon', 'aria-hidden': 'true' });
          icon.innerHTML = ICONS[n.kind] ?? icons.bell;
          const item = h(
            'li',
            { class: n.read ? 'note' : 'note note-unread' },
            icon,
            h(
              'div',
              { class: 'row-main' },
              h('strong', {}, heading, n.count > 1 && n.kind !== 'photos_added' ? h('span', { class: 'badge' }, `${n.count}`) : null),
              n.body ? h('p', { class: 'note-body' }, richText(n.body)) : null,
              h('span', { class: 'muted' }, when(n.created_at)),
            ),
          );
          if (!n.read) {
            const mark = button('Mark read', { class: 'button button-quiet', 'aria-label': `Mark read: ${n.title}` });
            mark.addEventListener('click', () =>
              busy(mark, error, async () => {
                await api(`/notifications/${n.id}/read`, { method: 'POST' });
                await refresh(body, load);
              }),
            );
            item.append(mark);
          }
          return item;
        });
        return [list.unread ? readAll : null, h('ul', { class: 'notes' }, ...items), error];
      };
      refresh(body, load);
      const page = h('div', { class: 'page' }, h('h1', {}, 'Notifications'), body);
      // New ones arrive, others are read elsewhere: the list follows.
      const update = throttled(() => refresh(body, load), 300);
      const stops = [listen('notifications', update), listen('resync', update)];
      onLeave(page, () => {
        for (const stop of stops) stop();
        update.cancel();
      });
      return page;
    },
  };
}
