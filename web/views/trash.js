// @ts-check
/**
 * The trash: your own photos and videos moved there, most recent first.
 * Restore brings them back; after the retention period they are purged
 * (files in import folders stay on the NAS).
 */
import { api } from '../api.js';
import { h } from '../dom.js';
import { placeholder } from '../library/thumbhash.js';
import { busy, button, errorSlot, refresh, when } from '../ui.js';

export function trashView() {
  return {
    title: 'Trash',
    render: () => {
      const body = h('div', { class: 'stack' });
      const load = async () => {
        const error = errorSlot();
        const { assets } = await api('/trash');
        if (!assets.length) return [h('hearth-empty-state', { heading: 'The trash is empty', icon: 'check', level: '2' }, h('p', {}, 'Photos you move to the trash wait here until they are purged.'))];
        const tiles = assets.map((/** @type {import('../library/timeline.js').Brief} */ asset) => {
          const img = h('img', { alt: `Photo from ${new Date(asset.t).toLocaleDateString()}`, loading: 'lazy', src: `/api/assets/${asset.id}/thumb?v=${asset.v}` });
          const frame = h('div', { class: 'tile trash-tile' }, placeholder(asset.th), img);
          img.addEventListener('load', () => frame.classList.add('loaded'), { once: true });
          const restore = button('Restore', { class: 'button button-quiet' });
          restore.addEventListener('click', () =>
            busy(restore, error, async () => {
              await api('/assets/restore', { method: 'POST', body: { ids: [asset.id] } });
              await refresh(body, load);
            }),
          );
          return h('li', { class: 'trash-item' }, frame, h('span', { class: 'muted' }, when(asset.t)), restore);
        });
        const all = button('Restore all', { class: 'button' });
        all.addEventListener('click', () =>
          busy(all, error, async () => {
            await api('/assets/restore', { method: 'POST', body: { ids: assets.map((/** @type {{ id: number }} */ a) => a.id) } });
            await refresh(body, load);
          }),
        );
        return [all, error, h('ul', { class: 'trash-grid' }, ...tiles)];
      };
      refresh(body, load);
      return h(
        'div',
        { class: 'page page-wide' },
        h('p', { class: 'crumb' }, h('a', { href: '/' }, '← Photos')),
        h('h1', {}, 'Trash'),
        h('p', { class: 'muted' }, 'Only you see your trash. Restoring puts a photo back where it was. Files in import folders are never deleted from the NAS.'),
        body,
      );
    },
  };
}
