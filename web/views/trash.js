// @ts-check
/**
 * The trash: your own photos and videos moved there, most recently
 * trashed first. Restore brings them back; after the retention period
 * (`trash_days`) they are purged, or at once with "Empty trash". Files in
 * import folders stay on the NAS: Hearth forgets them and does not import
 * them again. Below, the photos your phones sent again after they were
 * deleted: kept out of the library until brought back.
 */
import { api } from '../api.js';
import { count } from '../albums/roles.js';
import { confirmDialog } from '../dialog.js';
import { h, stylesheet } from '../dom.js';
import { placeholder } from '../library/thumbhash.js';
import { action, busy, button, day, errorSlot, formatBytes, notice, refresh, when } from '../ui.js';

await stylesheet('styles/trash.css');

/**
 * @typedef {object} TrashItem
 * @property {import('../library/timeline.js').Brief} asset
 * @property {string} trashed_at
 * @property {string} purge_at
 * @property {boolean} in_import_folder
 */

/**
 * Photos a phone sent again after they were deleted: kept out, their bytes
 * waiting here for the trash's days. Hidden while there are none.
 * @param {() => Promise<void>} reloadTrash
 */
function keptOutSection(reloadTrash) {
  const body = h('div', { class: 'stack' });
  const section = h('section', { class: 'kept-out', 'aria-labelledby': 'kept-out-heading', hidden: '' }, h('h2', { id: 'kept-out-heading' }, 'Kept out'), body);
  const load = async () => {
    const error = errorSlot();
    /** @type {{ id: number, name: string, folder: string, bytes: number, sent_at: string }[]} */
    const kept = await api('/trash/kept-out');
    section.hidden = kept.length === 0;
    const rows = kept.map((item) =>
      h(
        'li',
        { class: 'row' },
        h('div', { class: 'row-main' }, h('strong', {}, item.name), h('span', { class: 'muted' }, `Sent ${when(item.sent_at)}${item.folder ? ` to ${item.folder}` : ''} · ${formatBytes(item.bytes)}`)),
        action('Bring it back', async () => {
          await api(`/trash/kept-out/${item.id}/restore`, { method: 'POST', body: {} });
          notice(`“${item.name}” is back in your photos.`);
          await refresh(body, load);
          await reloadTrash();
        }, error),
        action('Delete', async () => {
          await api(`/trash/kept-out/${item.id}`, { method: 'DELETE' });
          await refresh(body, load);
        }, error, { heading: `Delete “${item.name}” for good?`, message: 'Its bytes are deleted now. Your phones still will not send it again.', confirm: 'Delete' }),
      ),
    );
    return [h('p', { class: 'muted trash-intro' }, 'You deleted these before, and a phone sent them again. Hearth kept them out of your photos so that deleted stays deleted; bring one back if you want it.'), h('ul', { class: 'rows kept-out-list' }, ...rows), error];
  };
  refresh(body, load);
  return section;
}

export function trashView() {
  return {
    title: 'Trash',
    render: () => {
      const body = h('div', { class: 'stack' });
      const load = async () => {
        const error = errorSlot();
        /** @type {{ trash_days: number, items: TrashItem[] }} */
        const { trash_days: days, items } = await api('/trash');
        const intro = h('p', { class: 'muted trash-intro' }, `Only you see your trash. Photos and videos here are purged ${count(days, 'day')} after they were moved here; until then, restoring puts one back where it was.`);
        if (!items.length) return [intro, h('hearth-empty-state', { heading: 'The trash is empty', icon: 'check', level: '2' }, h('p', {}, 'Photos you move to the trash wait here until they are purged.'))];
        const tiles = items.map(({ asset, purge_at: purgeAt, in_import_folder: inFolder }) => {
          const img = h('img', { alt: `${asset.k === 'video' ? 'Video' : 'Photo'} from ${new Date(asset.t).toLocaleDateString()}`, loading: 'lazy', src: `/api/assets/${asset.id}/thumb?v=${asset.v}` });
          const frame = h('div', { class: 'tile trash-tile' }, placeholder(asset.th), img);
          img.addEventListener('load', () => frame.classList.add('loaded'), { once: true });
          const restore = button('Restore', { class: 'button button-quiet' });
          restore.addEventListener('click', () =>
            busy(restore, error, async () => {
              await api('/assets/restore', { method: 'POST', body: { ids: [asset.id] } });
              await refresh(body, load);
            }),
          );
          return h(
            'li',
            { class: 'trash-item' },
            frame,
            h('span', { class: 'trash-when' }, `Purged on ${day(purgeAt)}`),
            inFolder ? h('span', { class: 'muted trash-folder' }, 'In an import folder: stays on the NAS') : null,
            restore,
          );
        });
        const all = button('Restore all', { class: 'button' });
        all.addEventListener('click', () =>
          busy(all, error, async () => {
            await api('/assets/restore', { method: 'POST', body: { ids: items.map((item) => item.asset.id) } });
            await refresh(body, load);
          }),
        );
        const empty = button('Empty trash', { class: 'button button-secondary' });
        empty.addEventListener('click', () =>
          busy(empty, error, async () => {
            const sure = await confirmDialog({
              heading: 'Empty the trash?',
              message: `${count(items.length, 'photo or video', 'photos and videos')} ${items.length === 1 ? 'is' : 'are'} deleted from Hearth now, for good. Files in import folders stay on the NAS: Hearth only forgets them, and will not import them again.`,
              confirm: 'Empty trash',
              danger: true,
            });
            if (!sure) return;
            const answer = await api('/trash/empty', { method: 'POST', body: {} });
            notice(`${count(answer?.purged ?? items.length, 'item')} purged.`);
            await refresh(body, load);
          }),
        );
        return [intro, h('div', { class: 'page-actions' }, all, empty), error, h('ul', { class: 'trash-grid' }, ...tiles)];
      };
      refresh(body, load);
      return h('div', { class: 'page page-wide' }, h('p', { class: 'crumb' }, h('a', { href: '/' }, '← Photos')), h('h1', {}, 'Trash'), body, keptOutSection(() => refresh(body, load)));
    },
  };
}
