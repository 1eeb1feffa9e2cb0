// @ts-check
/**
 * `/albums/<id>`: one album. Its title, description, owner and your role;
 * its photos in the justified grid (the viewer opens on a tap, with the
 * photo's comments beside it); the conversation beside the grid on wide
 * screens, behind a tab on phones. What you may do follows your role:
 * select and remove photos (contributors: those they added), edit the
 * details, cover and order (editors), members, the live rule and deleting
 * (the owner). Photos, comments and hearts others add arrive in place.
 */
import '../components/hearth-conversation.js';
import { LIBRARY_SOURCE, viewer } from '../components/hearth-viewer.js';
import { api, ApiError, showError } from '../api.js';
import { ruleEditor, textArea } from '../albums/forms.js';
import { shareDialog } from '../albums/share.js';
import { atLeast, count, ROLE_HINTS, ROLE_NAMES } from '../albums/roles.js';
import { confirmDialog, openDialog } from '../dialog.js';
import { pickPhotos } from '../albums/picker.js';
import { slideshow } from '../components/hearth-slideshow.js';
import { h, syncChildren } from '../dom.js';
import { listen, throttled } from '../events.js';
import { icons } from '../icons.js';
import { LIBRARY_ACTIONS, libraryAction } from '../library/actions.js';
import { arrowKeys } from '../library/grid-keys.js';
import { selectable, Selection, selectionBar } from '../library/selection.js';
import { layout, tileElement } from '../library/timeline.js';
import { navigate } from '../nav.js';
import { me } from '../session.js';
import { busy, button, errorSlot, field, notice, onLeave } from '../ui.js';

/** @typedef {import('../library/timeline.js').Brief} Brief */
/** @typedef {import('../albums/roles.js').AlbumSummary} AlbumSummary */
/** @typedef {import('../albums/roles.js').AlbumMember} AlbumMember */
/** @typedef {import('../albums/roles.js').Role} Role */
/** @typedef {import('../components/hearth-conversation.js').HearthConversation} HearthConversation */

/**
 * @typedef {object} AlbumDetails
 * @property {AlbumSummary} album
 * @property {string} [rule]
 * @property {'taken' | 'custom'} sort
 * @property {string} created_at
 * @property {AlbumMember[]} members
 */

/** @typedef {{ asset: Brief, added_by?: number, guest?: string, pinned: boolean, comments: number, hearts: number }} AlbumItem */

/** @param {string} svg @param {string} text */
const withIcon = (svg, text) => {
  const span = h('span', { class: 'with-icon' }, text);
  span.insertAdjacentHTML('afterbegin', svg);
  return span;
};

/** @param {number} id */
export function albumView(id) {
  const base = `/albums/${id}`;
  return {
    title: 'Album',
    render: () => {
      /** @type {AlbumDetails | null} */
      let details = null;
      /** @type {AlbumItem[]} */
      let items = [];
      let myId = 0;
      let selectMode = false;
      let first = true;

      const title = h('h1', { class: 'album-title-text' }, 'Album');
      const description = h('p', { class: 'album-description', hidden: '' });
      const meta = h('p', { class: 'muted album-meta' });
      const liveLine = h('p', { class: 'album-live', hidden: '' });
      const actions = h('div', { class: 'album-actions' });
      const head = h('header', { class: 'album-head' }, h('div', { class: 'album-head-text' }, title, description, meta, liveLine), actions);

      // Phones: photos and conversation are tabs.
      const photosTab = h('button', { type: 'button', role: 'tab', id: `album-${id}-photos-tab`, 'aria-controls': `album-${id}-photos`, 'aria-selected': 'true', class: 'album-tab' }, 'Photos');
      const talkTab = h('button', { type: 'button', role: 'tab', id: `album-${id}-talk-tab`, 'aria-controls': `album-${id}-talk`, 'aria-selected': 'false', class: 'album-tab', tabindex: '-1' }, 'Conversation');
      const tabs = h('div', { class: 'album-tabs', role: 'tablist', 'aria-label': 'Album' }, photosTab, talkTab);

      const grid = h('div', { class: 'album-grid-tiles', role: 'group', 'aria-label': 'Photos' });
      arrowKeys(grid);
      const emptyPhotos = h('div', { class: 'album-empty', hidden: '' });
      const photosPanel = h('section', { class: 'album-photos', id: `album-${id}-photos`, role: 'tabpanel', 'aria-labelledby': photosTab.id }, emptyPhotos, grid);
      const conversation = /** @type {HearthConversation} */ (h('hearth-conversation'));
      const talkPanel = h('aside', { class: 'album-talk', id: `album-${id}-talk`, role: 'tabpanel', 'aria-labelledby': talkTab.id }, h('h2', { class: 'album-talk-heading' }, 'Conversation'), conversation);
      const left = h('div', { class: 'album-left' });
      const body = h('div', { class: 'album-body', 'data-tab': 'photos' }, left, talkPanel);
      const bar = selectionBar([
        ['remove', 'Remove from album', 'albumRemove'],
        ['cover', 'Use as cover', 'photos'],
        ['front', 'Move to the start', 'toStart'],
        ...LIBRARY_ACTIONS.map(([action, words, icon]) => /** @type {import('../library/actions.js').ActionSpec} */ ([action, action === 'album' ? 'Add to another album' : words, icon])),
      ]);
      // Loading…, then the album (or why not).
      const slot = h('div', { class: 'album-slot' }, h('p', { class: 'muted' }, 'Loading…'));
      const page = h('div', { class: 'page page-wide album-page' }, h('p', { class: 'crumb' }, h('a', { href: '/albums' }, '← Albums')), slot, bar.el);

      /** @param {'photos' | 'talk'} which */
      const showTab = (which) => {
        body.dataset.tab = which;
        photosTab.setAttribute('aria-selected', String(which === 'photos'));
        talkTab.setAttribute('aria-selected', String(which === 'talk'));
        photosTab.tabIndex = which === 'photos' ? 0 : -1;
        talkTab.tabIndex = which === 'talk' ? 0 : -1;
      };
      photosTab.addEventListener('click', () => showTab('photos'));
      talkTab.addEventListener('click', () => showTab('talk'));
      tabs.addEventListener('keydown', (event) => {
        if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
        const next = body.dataset.tab === 'photos' ? 'talk' : 'photos';
        showTab(next);
        (next === 'photos' ? photosTab : talkTab).focus();
      });

      const role = () => /** @type {Role} */ (details?.album.role ?? 'viewer');
      /** @param {AlbumItem} item */
      const removable = (item) => atLeast(role(), 'editor') || (role() === 'contributor' && item.added_by === myId);
      const assets = () => items.map((item) => item.asset);

      // Selection (to remove photos, choose the cover, arrange).
      const selection = new Selection((selected) => {
        grid.classList.toggle('selecting', selected.size > 0 || selectMode);
        selection.paint(tiles.entries());
        bar.update(selected);
        const editor = atLeast(role(), 'editor');
        /** @type {HTMLElement} */ (bar.buttons.get('cover')).hidden = !editor || selected.size !== 1;
        /** @type {HTMLElement} */ (bar.buttons.get('front')).hidden = !editor;
      });
      bar.onClear = () => {
        selectMode = false;
        selection.clear();
        drawActions();
      };
      bar.onAction = (action) => {
        const ids = items.map((item) => item.asset.id).filter((each) => selection.selected.has(each));
        if (action === 'remove') removePhotos(ids);
        else if (action === 'cover') setCover(ids[0]);
        else if (action === 'front') moveToStart(ids);
        else libraryAction(action, ids, () => selection.clear(), () => reload());
      };

      /** @type {Map<number, HTMLElement>} */
      const tiles = new Map();
      /** @type {Map<number, string>} */
      const tileKeys = new Map();
      /** @param {AlbumItem} item */
      const tileFor = (item) => {
        const asset = item.asset;
        const canSelect = removable(item) || atLeast(role(), 'editor');
        const key = [asset.v, asset.fav, item.comments, item.hearts, canSelect].join('|');
        const kept = tiles.get(asset.id);
        if (kept && tileKeys.get(asset.id) === key) return kept;
        let tile = tileElement(asset);
        const badges = /** @type {HTMLElement} */ (tile.querySelector('.tile-badges'));
        const said = [];
        if (item.comments) {
          badges.append(withBadge(icons.comment, item.comments));
          said.push(count(item.comments, 'comment'));
        }
        if (item.hearts) {
          badges.append(withBadge(icons.heart, item.hearts));
          said.push(count(item.hearts, 'heart'));
        }
        if (said.length) tile.setAttribute('aria-label', `${tile.getAttribute('aria-label')}, ${said.join(', ')}`);
        const open = () => openPhoto(asset.id, false);
        if (canSelect) {
          tile = selectable(tile, {
            selecting: () => selection.selected.size > 0 || selectMode,
            selected: selection.selected.has(asset.id),
            toggle: (range) => selection.toggle(asset.id, range, items.map((each) => each.asset.id)),
            open,
          });
        } else {
          tile.addEventListener('click', open);
        }
        tiles.set(asset.id, tile);
        tileKeys.set(asset.id, key);
        return tile;
      };
      const draw = () => {
        const width = grid.clientWidth;
        if (!width) return;
        const rows = layout(assets(), width, width < 600 ? 120 : 200);
        const last = rows[rows.length - 1];
        grid.style.height = `${last ? last.top + last.height : 0}px`;
        const byId = new Map(items.map((item) => [item.asset.id, item]));
        /** @type {HTMLElement[]} */
        const shown = [];
        for (const row of rows) {
          for (const placed of row.items) {
            const tile = tileFor(/** @type {AlbumItem} */ (byId.get(placed.asset.id)));
            tile.style.transform = `translate(${placed.x}px, ${row.top}px)`;
            tile.style.width = `${placed.w}px`;
            tile.style.height = `${row.height}px`;
            shown.push(tile);
          }
        }
        for (const tileId of [...tiles.keys()]) {
          if (!byId.has(tileId)) {
            tiles.delete(tileId);
            tileKeys.delete(tileId);
            selection.selected.delete(tileId);
          }
        }
        syncChildren(grid, shown);
      };
      // Laid out again when the grid's width changes (not its height, which
      // drawing sets), in the next frame: no ResizeObserver loop.
      let drawnWidth = 0;
      const resize = new ResizeObserver(() => {
        if (grid.clientWidth === drawnWidth) return;
        drawnWidth = grid.clientWidth;
        requestAnimationFrame(() => draw());
      });
      resize.observe(grid);

      /**
       * Opens the viewer on a photo, with its comments beside it.
       * @param {number} assetId
       * @param {boolean} comments show the comments from the start
       */
      const openPhoto = (assetId, comments) => {
        const asset = items.find((item) => item.asset.id === assetId)?.asset;
        if (!asset) {
          showError(new Error('That photo is no longer in this album.'));
          return;
        }
        const v = viewer();
        v.onChange = () => draw();
        v.onTrash = () => reloadItems();
        v.open(asset, assets(), {
          side: {
            label: 'Comments',
            icon: icons.comment,
            open: comments,
            render: (shownAsset) => {
              const thread = /** @type {HearthConversation} */ (h('hearth-conversation'));
              thread.setup({ album: id, asset: shownAsset.id, members: details?.members ?? [], me: myId });
              return h('div', { class: 'viewer-thread' }, h('h2', {}, 'Comments'), thread);
            },
          },
        });
      };

      // Header: words and the actions your role allows.
      const drawHead = () => {
        if (!details) return;
        const album = details.album;
        title.textContent = album.title;
        document.title = `${album.title} · Hearth`;
        description.textContent = album.description;
        description.hidden = !album.description;
        const yours = album.role === 'owner';
        meta.replaceChildren(
          [yours ? 'Your album' : `By ${album.owner.name}`, yours ? null : `you are ${album.role === 'editor' ? 'an editor' : `a ${album.role}`}`, count(album.count, 'photo'), count(album.members, 'member')].filter(Boolean).join(' · '),
        );
        liveLine.hidden = !album.live;
        if (album.live) {
          const badge = withIcon(icons.live, 'Live');
          badge.classList.add('album-badge');
          liveLine.replaceChildren(badge, ' Photos matching ', h('code', {}, details.rule ?? ''), ' join by themselves.');
        }
        drawActions();
        photosTab.textContent = `Photos (${album.count.toLocaleString()})`;
      };
      const drawActions = () => {
        if (!details) return;
        const album = details.album;
        /** @type {HTMLElement[]} */
        const shown = [];
        if (atLeast(role(), 'contributor')) {
          const adding = button('Add photos', { class: 'button' });
          adding.addEventListener('click', () => pickPhotos(album, () => reloadItems()));
          shown.push(adding);
        }
        if (items.some((item) => removable(item)) || (atLeast(role(), 'editor') && items.length)) {
          const select = button(selectMode ? 'Done' : 'Select', { class: 'button button-secondary', 'aria-pressed': String(selectMode) });
          select.addEventListener('click', () => {
            selectMode = !selectMode;
            if (!selectMode) selection.clear();
            else selection.onChange(selection.selected);
            drawActions();
          });
          shown.push(select);
        }
        const members = button('', { class: 'button button-secondary' });
        members.append(withIcon(icons.people, count(album.members, 'member')));
        members.addEventListener('click', () => membersDialog());
        shown.push(members);
        const mute = button('', { class: 'button button-secondary', 'aria-pressed': String(album.muted), title: album.muted ? 'You get no notifications from this album (mentions still come)' : 'Stop notifications from this album (mentions still come)' });
        mute.append(withIcon(album.muted ? icons.bellOff : icons.bell, album.muted ? 'Muted' : 'Mute'));
        mute.addEventListener('click', async () => {
          mute.disabled = true;
          try {
            details = await api(`${base}/me`, { method: 'PATCH', body: { muted: !album.muted } });
            drawHead();
            notice(details?.album.muted ? `Muted “${album.title}”: no notifications from it, except when someone mentions you.` : `Notifications from “${album.title}” are on again.`);
          } catch (err) {
            showError(err);
            mute.disabled = false;
          }
        });
        shown.push(mute);
        /** @type {[string, () => void, string?][]} */
        const more = [];
        if (atLeast(role(), 'editor')) more.push(['Edit details', editDialog]);
        if (album.role === 'owner') more.push([album.live ? 'Live rule' : 'Make it live', ruleDialog]);
        if (album.role === 'owner') more.push(['Share by link', () => shareDialog(album.id, album.title)]);
        if (items.length > 1) more.push(['Slideshow', () => slideshow(assets(), assets()[0], LIBRARY_SOURCE)]);
        more.push(['Download all', () => {
          location.href = `/api${base}/download`;
        }]);
        if (album.role === 'owner') more.push(['Delete album', deleteDialog, 'danger']);
        else more.push(['Leave album', leave, 'danger']);
        shown.push(menu(more));
        actions.replaceChildren(...shown);
      };

      // Loading, and loading again when something changed.
      const gone = () => {
        resize.disconnect();
        stopAll();
        slot.replaceChildren(h('hearth-empty-state', { heading: 'This album is not here', icon: 'albums' }, h('p', {}, 'It was deleted, or you are no longer one of its members.'), h('p', {}, h('a', { href: '/albums' }, 'Go to your albums'))));
        bar.el.hidden = true;
        document.title = 'Album · Hearth';
      };
      /** @param {unknown} err */
      const failed = (err) => {
        if (err instanceof ApiError && err.status === 404) gone();
        else if (first) slot.replaceChildren(h('p', { class: 'inline-error', role: 'alert' }, `The album could not be loaded: ${err instanceof Error ? err.message : err}`));
        else showError(err);
      };
      const drawPhotos = () => {
        emptyPhotos.hidden = items.length > 0;
        if (!items.length) {
          const can = atLeast(role(), 'contributor');
          emptyPhotos.replaceChildren(
            h(
              'hearth-empty-state',
              { heading: 'No photos yet', icon: 'photos', level: '2' },
              details?.album.live
                ? h('p', {}, 'Photos that match the rule appear here as they arrive.')
                : can
                  ? h('p', {}, 'In ', h('a', { href: '/' }, 'Photos'), ' or ', h('a', { href: '/search' }, 'Search'), ', select photos and choose “Add to album”.')
                  : h('p', {}, 'Photos added to this album appear here.'),
            ),
          );
        }
        draw();
      };
      const reloadItems = async () => {
        try {
          ({ items } = await api(`${base}/assets`));
          drawPhotos();
          drawActions();
        } catch (err) {
          failed(err);
        }
      };
      const reload = async () => {
        try {
          const [found, list, user] = await Promise.all([api(base), api(`${base}/assets`), me()]);
          details = found;
          items = list.items;
          myId = user?.id ?? 0;
          if (first) {
            first = false;
            conversation.setup({
              album: id,
              members: found.members,
              me: myId,
              assetOf: (assetId) => items.find((item) => item.asset.id === assetId)?.asset,
              onOpenAsset: (assetId) => openPhoto(assetId, true),
              onCount: (n) => {
                talkTab.textContent = n ? `Conversation (${n.toLocaleString()})` : 'Conversation';
              },
            });
            left.append(head, tabs, photosPanel);
            slot.replaceChildren(body);
            // From a notification about a photo's comment: open it.
            const photo = Number(new URLSearchParams(location.search).get('photo'));
            if (photo) {
              history.replaceState(null, '', location.pathname);
              queueMicrotask(() => openPhoto(photo, true));
            }
          } else {
            conversation.setMembers(found.members);
          }
          drawHead();
          drawPhotos();
          selection.onChange(selection.selected);
        } catch (err) {
          failed(err);
        }
      };

      const update = throttled(reload, 300);
      const updateItems = throttled(reloadItems, 500);
      const stops = [
        listen('album', (event) => event.album === id && update()),
        // Comment and heart counts on the tiles.
        listen('comments', (event) => event.album === id && event.ids.length > 0 && updateItems()),
        listen('resync', () => update()),
      ];
      const stopAll = () => {
        for (const stop of stops.splice(0)) stop();
        update.cancel();
        updateItems.cancel();
      };
      onLeave(page, () => {
        stopAll();
        resize.disconnect();
      });
      reload();

      // What the actions do.

      /** @param {number[]} ids */
      const removePhotos = async (ids) => {
        const album = /** @type {AlbumDetails} */ (details).album;
        const yes = await confirmDialog({
          heading: `Remove ${count(ids.length, 'photo')}?`,
          message: `${ids.length === 1 ? 'It leaves' : 'They leave'} “${album.title}” but stay in the library.${album.live ? ' The rule will not bring them back.' : ''}`,
          confirm: 'Remove',
          danger: true,
        });
        if (!yes) return;
        try {
          const result = await api(`${base}/assets/remove`, { method: 'POST', body: { ids } });
          selectMode = false;
          selection.clear();
          notice(`Removed ${count(result.removed, 'photo')} from “${album.title}”.${result.removed < ids.length ? ` ${ids.length - result.removed} could not be: contributors remove only the photos they added.` : ''}`);
          await reload();
        } catch (err) {
          showError(err);
        }
      };
      /** @param {number} assetId */
      const setCover = async (assetId) => {
        try {
          details = await api(base, { method: 'PATCH', body: { cover: assetId } });
          selection.clear();
          drawHead();
          notice('The album’s cover is this photo now.');
        } catch (err) {
          showError(err);
        }
      };
      /** @param {number[]} ids */
      const moveToStart = async (ids) => {
        const rest = items.map((item) => item.asset.id).filter((each) => !ids.includes(each));
        try {
          await api(`${base}/order`, { method: 'PUT', body: { ids: [...ids, ...rest] } });
          selection.clear();
          await reload();
          notice(`Moved ${count(ids.length, 'photo')} to the start.`);
        } catch (err) {
          showError(err);
        }
      };

      const editDialog = () => {
        if (!details) return;
        const album = details.album;
        const error = errorSlot();
        const titleField = field('Title', { name: 'title', required: '', maxlength: '200', value: album.title, autocomplete: 'off' });
        const text = textArea('Description', { name: 'description', maxlength: '2000' });
        text.area.value = album.description;
        const order = h('select', { name: 'sort', id: `album-${id}-sort` }, h('option', { value: 'taken' }, 'By date taken, oldest first'), h('option', { value: 'custom' }, 'As arranged (Move to the start)'));
        order.value = details.sort;
        const cover = h('div', { class: 'cover-choice' });
        const drawCover = () => {
          const current = details?.album.cover;
          const automatic = button('Use the newest photo', { class: 'button button-quiet' });
          automatic.addEventListener('click', () =>
            busy(automatic, error, async () => {
              details = await api(base, { method: 'PATCH', body: { cover: 0 } });
              drawHead();
              drawCover();
            }),
          );
          cover.replaceChildren(
            current ? tileElement(current, 'span') : h('span', { class: 'tile no-thumb' }),
            h('div', { class: 'cover-words' }, h('p', { class: 'muted' }, 'To choose another, select one photo in the album and press “Use as cover”.'), automatic),
          );
          /** @type {HTMLElement} */ (cover.firstElementChild).classList.add('cover-thumb');
        };
        drawCover();
        const save = h('button', { type: 'submit', class: 'button', form: `album-${id}-edit` }, 'Save');
        const cancel = button('Cancel', { class: 'button button-secondary' });
        const form = h(
          'form',
          { class: 'stack', id: `album-${id}-edit` },
          titleField,
          text.el,
          h('div', { class: 'field' }, h('label', { for: order.id }, 'Order'), order),
          h('div', { class: 'field' }, h('span', { class: 'field-label' }, 'Cover'), cover),
          error,
        );
        const dialog = openDialog({ heading: 'Edit album', body: [form], actions: [cancel, save] });
        cancel.addEventListener('click', () => dialog.close());
        form.addEventListener('submit', (event) => {
          event.preventDefault();
          const data = new FormData(form);
          busy(save, error, async () => {
            details = await api(base, { method: 'PATCH', body: { title: data.get('title'), description: data.get('description'), sort: data.get('sort') } });
            dialog.close();
            await reload();
          });
        });
      };

      const ruleDialog = () => {
        if (!details) return;
        const album = details.album;
        const editor = ruleEditor(details.rule ?? '');
        const error = errorSlot();
        const save = button(album.live ? 'Save rule' : 'Make it live', { class: 'button' });
        const cancel = button('Cancel', { class: 'button button-secondary' });
        const off = album.live ? button('Turn off live', { class: 'button button-quiet' }) : null;
        const dialog = openDialog({
          heading: album.live ? 'Live rule' : 'Make it a live album',
          body: [h('p', { class: 'muted' }, 'A live album shows every photo matching its rule, now and later. Photos added by hand stay whatever the rule says.'), editor.el, error],
          actions: [off, cancel, save],
          className: 'dialog-wide',
        });
        cancel.addEventListener('click', () => dialog.close());
        save.addEventListener('click', () => {
          if (!editor.value()) {
            error.hidden = false;
            error.textContent = 'Write a rule first (or turn live off).';
            return;
          }
          busy(save, error, async () => {
            details = await api(base, { method: 'PATCH', body: { rule: editor.value() } });
            dialog.close();
            notice(`“${album.title}” follows its rule now.`);
            await reload();
          });
        });
        off?.addEventListener('click', () =>
          busy(off, error, async () => {
            details = await api(base, { method: 'PATCH', body: { rule: '' } });
            dialog.close();
            notice(`“${album.title}” is no longer live; it keeps the photos it shows.`);
            await reload();
          }),
        );
        editor.input.focus();
      };

      const deleteDialog = () => {
        if (!details) return;
        const album = details.album;
        const error = errorSlot();
        const sure = h('input', { type: 'checkbox', name: 'sure' });
        const remove = button('Delete album', { class: 'button button-danger', disabled: '' });
        const cancel = button('Cancel', { class: 'button button-secondary' });
        sure.addEventListener('change', () => (remove.disabled = !sure.checked));
        const dialog = openDialog({
          heading: `Delete “${album.title}”?`,
          body: [
            h('p', {}, `Its ${count(album.count, 'photo')} stay in the library. The album, its conversation and its hearts are deleted for everyone${album.members > 1 ? ` (${count(album.members - 1, 'other member')})` : ''}. This cannot be undone.`),
            h('label', { class: 'check' }, sure, 'Yes, delete this album and its conversation'),
            error,
          ],
          actions: [cancel, remove],
        });
        cancel.addEventListener('click', () => dialog.close());
        remove.addEventListener('click', () =>
          busy(remove, error, async () => {
            stopAll();
            await api(base, { method: 'DELETE' });
            dialog.close();
            notice(`Deleted “${album.title}”. Its photos are still in the library.`);
            navigate('/albums');
          }),
        );
      };

      const leave = async () => {
        if (!details) return;
        const album = details.album;
        const yes = await confirmDialog({ heading: `Leave “${album.title}”?`, message: 'You will no longer see it. Photos you added stay in it. Its owner can add you again.', confirm: 'Leave', danger: true });
        if (!yes) return;
        try {
          stopAll();
          await api(`${base}/members/${myId}`, { method: 'DELETE' });
          notice(`You left “${album.title}”.`);
          navigate('/albums');
        } catch (err) {
          showError(err);
        }
      };

      const membersDialog = () => {
        if (!details) return;
        const list = h('ul', { class: 'rows member-rows' });
        const error = errorSlot();
        const adder = h('div', { class: 'stack' });
        /** @type {{ id: number, name: string, username: string }[] | null} */
        let people = null;
        const drawMembers = async () => {
          if (!details) return;
          const album = details.album;
          const owner = album.role === 'owner';
          list.replaceChildren(
            ...details.members.map((member) => {
              const you = member.id === myId;
              /** @type {(HTMLElement | null)[]} */
              const controls = [];
              if (owner && member.role !== 'owner') {
                const roleSelect = h('select', { 'aria-label': `Role of ${member.name}` }, ...['editor', 'contributor', 'viewer'].map((r) => h('option', { value: r }, ROLE_NAMES[/** @type {Role} */ (r)])));
                roleSelect.value = member.role;
                roleSelect.addEventListener('change', async () => {
                  roleSelect.disabled = true;
                  error.hidden = true;
                  try {
                    details = await api(`${base}/members/${member.id}`, { method: 'PATCH', body: { role: roleSelect.value } });
                    drawHead();
                  } catch (err) {
                    roleSelect.value = member.role;
                    error.hidden = false;
                    error.textContent = err instanceof Error ? err.message : String(err);
                  }
                  drawMembers();
                });
                const remove = h('button', { type: 'button', class: 'icon-button', 'aria-label': `Remove ${member.name}`, title: `Remove ${member.name}` });
                remove.innerHTML = icons.close;
                remove.addEventListener('click', async () => {
                  const yes = await confirmDialog({ heading: `Remove ${member.name}?`, message: `${member.name} will no longer see “${album.title}”. Photos they added stay.`, confirm: 'Remove', danger: true });
                  if (!yes) return;
                  busy(remove, error, async () => {
                    await api(`${base}/members/${member.id}`, { method: 'DELETE' });
                    details = await api(base);
                    drawHead();
                    drawMembers();
                  });
                });
                controls.push(roleSelect, remove);
              } else {
                controls.push(h('span', { class: 'role-pill' }, ROLE_NAMES[member.role]));
              }
              return h(
                'li',
                { class: 'row' },
                h('span', { class: `avatar avatar-${member.id % 6}`, 'aria-hidden': 'true' }, [...member.name][0]?.toUpperCase() ?? '?'),
                h('div', { class: 'row-main' }, h('strong', {}, member.name, you ? h('span', { class: 'muted' }, ' (you)') : null), h('span', { class: 'muted' }, `@${member.username}`)),
                h('div', { class: 'member-controls' }, ...controls),
              );
            }),
          );
          if (!owner) {
            const out = button('Leave album', { class: 'button button-secondary' });
            out.addEventListener('click', () => {
              dialog.close();
              leave();
            });
            adder.replaceChildren(h('p', { class: 'muted' }, `Only ${album.owner.name}, the owner, adds and removes members.`), out);
            return;
          }
          people ??= await api('/people').catch((err) => {
            error.hidden = false;
            error.textContent = err.message;
            return [];
          });
          const inAlbum = new Set(details.members.map((m) => m.id));
          const candidates = (people ?? []).filter((p) => !inAlbum.has(p.id));
          if (!candidates.length) {
            adder.replaceChildren(h('p', { class: 'muted' }, 'Everyone in the household is in this album.'));
            return;
          }
          const person = h('select', { name: 'username', id: `album-${id}-person` }, ...candidates.map((p) => h('option', { value: p.username }, `${p.name} (@${p.username})`)));
          const newRole = h('select', { name: 'role', id: `album-${id}-role` }, ...['contributor', 'viewer', 'editor'].map((r) => h('option', { value: r }, ROLE_NAMES[/** @type {Role} */ (r)])));
          const add = h('button', { type: 'submit', class: 'button' }, 'Add');
          const form = h(
            'form',
            { class: 'member-add' },
            h('div', { class: 'field' }, h('label', { for: person.id }, 'Person'), person),
            h('div', { class: 'field' }, h('label', { for: newRole.id }, 'Role'), newRole),
            add,
          );
          form.addEventListener('submit', (event) => {
            event.preventDefault();
            busy(add, error, async () => {
              details = await api(`${base}/members`, { method: 'POST', body: { username: person.value, role: newRole.value } });
              drawHead();
              drawMembers();
            });
          });
          adder.replaceChildren(h('h3', { class: 'dialog-subheading' }, 'Add someone'), form);
        };
        const legend = h(
          'dl',
          { class: 'role-legend' },
          ...(/** @type {Role[]} */ (['owner', 'editor', 'contributor', 'viewer'])).map((r) => h('div', {}, h('dt', {}, `${ROLE_NAMES[r]}: `), h('dd', {}, ROLE_HINTS[r]))),
        );
        const dialog = openDialog({ heading: 'Members', body: [list, error, adder, legend] });
        drawMembers();
      };

      return page;
    },
  };
}

/**
 * A count with an icon, for a tile's badges.
 * @param {string} svg
 * @param {number} n
 */
function withBadge(svg, n) {
  const badge = h('span', { class: 'badge badge-count', 'aria-hidden': 'true' }, n > 99 ? '99+' : String(n));
  badge.insertAdjacentHTML('afterbegin', svg);
  return badge;
}

/**
 * A small menu behind a "More" button.
 * @param {[string, () => void, string?][]} entries words, action, and `danger`
 */
function menu(entries) {
  const toggle = h('button', { type: 'button', class: 'button button-secondary menu-button', 'aria-label': 'More', 'aria-haspopup': 'menu', 'aria-expanded': 'false' });
  toggle.innerHTML = icons.more;
  const list = h('div', { class: 'menu-list', role: 'menu', hidden: '' });
  const wrap = h('div', { class: 'menu' }, toggle, list);
  const items = () => /** @type {HTMLElement[]} */ ([...list.children]);
  const outside = (/** @type {Event} */ event) => {
    if (!wrap.contains(/** @type {Node} */ (event.target))) close();
  };
  const close = () => {
    list.hidden = true;
    toggle.setAttribute('aria-expanded', 'false');
    document.removeEventListener('click', outside);
  };
  const open = () => {
    list.hidden = false;
    toggle.setAttribute('aria-expanded', 'true');
    setTimeout(() => document.addEventListener('click', outside));
    items()[0]?.focus();
  };
  toggle.addEventListener('click', () => (list.hidden ? open() : close()));
  for (const [words, action, kind] of entries) {
    const item = h('button', { type: 'button', role: 'menuitem', tabindex: '-1', class: kind === 'danger' ? 'menu-item menu-danger' : 'menu-item' }, words);
    item.addEventListener('click', () => {
      close();
      action();
    });
    list.append(item);
  }
  wrap.addEventListener('keydown', (event) => {
    if (list.hidden) return;
    const all = items();
    const at = all.indexOf(/** @type {HTMLElement} */ (document.activeElement));
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
      toggle.focus();
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      all[(at + (event.key === 'ArrowDown' ? 1 : -1) + all.length) % all.length]?.focus();
    } else if (event.key === 'Tab') {
      close();
    }
  });
  return wrap;
}
