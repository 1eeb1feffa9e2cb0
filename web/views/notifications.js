// @ts-check
/** Your notifications: security alerts now, comments and shares later. */
import { api } from '../api.js';
import { h } from '../dom.js';
import { busy, button, errorSlot, refresh, when } from '../ui.js';

export function notificationsView() {
  return {
    title: 'Notifications',
    render: () => {
      const body = h('div', { class: 'stack' });
      const load = async () => {
        const error = errorSlot();
        const list = await api('/notifications');
        window.dispatchEvent(new CustomEvent('hearth:unread', { detail: list.unread }));
        if (!list.items.length) return [h('hearth-empty-state', { heading: 'Nothing new', icon: 'check' }, h('p', {}, 'Sign-in alerts and other news for you appear here.'))];
        const readAll = button('Mark all as read', { class: 'button button-quiet' });
        readAll.addEventListener('click', () =>
          busy(readAll, error, async () => {
            await api('/notifications/read-all', { method: 'POST' });
            await refresh(body, load);
          }),
        );
        const items = list.items.map((/** @type {any} */ n) => {
          const item = h('li', { class: n.read ? 'note' : 'note note-unread' }, h('div', { class: 'row-main' }, h('strong', {}, n.title), h('p', {}, n.body), h('span', { class: 'muted' }, when(n.created_at))));
          if (!n.read) {
            const mark = button('Mark read', { class: 'button button-quiet' });
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
      return h('div', { class: 'page' }, h('h1', {}, 'Notifications'), body);
    },
  };
}
