// @ts-check
/**
 * Photos: the timeline of everything you may see, newest first, with a
 * year scrubber, multi-select (click the circle, shift-click a range,
 * long-press on touch), the viewer, adding to albums, and uploads by
 * button or by dropping files anywhere.
 */
import '../components/hearth-upload-tray.js';
import { confirmDialog } from '../dialog.js';
import { h } from '../dom.js';
import { listen, throttled } from '../events.js';
import { LIBRARY_ACTIONS, libraryAction } from '../library/actions.js';
import { lazyViewer, openLinked, warmViewer } from '../library/open.js';
import { selectionBar } from '../library/selection.js';
import { scrubber } from '../library/scrubber.js';
import { Timeline } from '../library/timeline.js';
import { isAdmin, me } from '../session.js';
import { button, notice } from '../ui.js';

/** The tray lives beside the views, so uploads continue across navigation. */
function tray() {
  let found = /** @type {import('../components/hearth-upload-tray.js').HearthUploadTray | null} */ (document.querySelector('hearth-upload-tray'));
  if (!found) {
    found = /** @type {any} */ (h('hearth-upload-tray'));
    document.body.append(/** @type {HTMLElement} */ (found));
  }
  return /** @type {import('../components/hearth-upload-tray.js').HearthUploadTray} */ (found);
}

/** Shared files older than this were not shared just now: they go unasked. */
const SHARE_FRESH_MS = 10 * 60 * 1000;

/**
 * Files shared to Hearth from another app ("Share → Hearth"): the service
 * worker keeps them until this page takes them. Any page could post files
 * to /share, so nothing is uploaded before the member says yes to the
 * list; what is older than a few minutes is dropped.
 */
async function takeShared() {
  const shared = new URLSearchParams(location.search).get('shared');
  if (shared === null) return;
  history.replaceState(history.state, '', '/');
  if (!('caches' in window)) return;
  const inbox = await caches.open('hearth-share');
  /** @type {File[]} */
  const files = [];
  for (const request of await inbox.keys()) {
    const stamp = Number(new URL(request.url).pathname.split('/').pop()?.split('-')[0]);
    const answer = await inbox.match(request);
    await inbox.delete(request);
    if (!answer || !(Date.now() - stamp < SHARE_FRESH_MS)) continue;
    const name = decodeURIComponent(answer.headers.get('x-name') ?? 'shared');
    files.push(new File([await answer.blob()], name, { type: answer.headers.get('content-type') ?? '' }));
  }
  if (!files.length) {
    notice('Nothing arrived from the share. Open Hearth once, then share again.');
    return;
  }
  const names = files.slice(0, 5).map((file) => file.name).join(', ');
  const more = files.length > 5 ? ` and ${files.length - 5} more` : '';
  const yes = await confirmDialog({
    heading: files.length === 1 ? 'Add the shared photo?' : `Add ${files.length} shared photos and videos?`,
    message: `${names}${more} will be added to your photos.`,
    confirm: 'Add',
  });
  if (yes) tray().add(files);
}

/** @param {HTMLElement} page */
function uploadButton(page) {
  // Opened by the Upload button (on phones: the photo picker).
  const input = h('input', { type: 'file', multiple: '', accept: 'image/*,video/*,.heic,.heif,.dng,.cr2,.cr3,.nef,.arw,.raf,.orf,.rw2', class: 'visually-hidden', tabindex: '-1', 'aria-hidden': 'true' });
  input.addEventListener('change', () => {
    if (input.files?.length) tray().add(input.files);
    input.value = '';
  });
  const control = button('Upload', { class: 'button' });
  control.addEventListener('click', () => input.click());
  page.append(input);
  return control;
}

export function photosView() {
  return {
    title: 'Photos',
    render: () => {
      const page = h('div', { class: 'page page-wide photos' });
      takeShared().catch(() => notice('The shared files could not be read. Share them again.'));
      const count = h('p', { class: 'muted photos-count' });
      const head = h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Photos'), count), h('div', { class: 'page-actions' }, h('a', { class: 'button button-quiet', href: '/favourites' }, 'Favourites'), h('a', { class: 'button button-quiet', href: '/archive' }, 'Archive'), h('a', { class: 'button button-quiet', href: '/trash' }, 'Trash'), uploadButton(page)));
      const gridRoot = h('div', { class: 'timeline-root' });
      warmViewer(gridRoot);
      const bar = selectionBar(LIBRARY_ACTIONS);
      page.append(head, gridRoot, bar.el);

      /** @type {ReturnType<typeof scrubber> | undefined} */
      let rail;
      const timeline = new Timeline(gridRoot, {
        onOpen: (asset, list) => openAt(asset, list),
        onSelect: (selected) => bar.update(selected),
        onLayout: () => rail?.draw(),
      });
      /** @type {(asset: import('../library/timeline.js').Brief, list: import('../library/timeline.js').Brief[]) => void} */
      const openAt = (asset, list) => {
        lazyViewer().then((v) => {
          // Gone meanwhile (another view): nothing to open over.
          if (!gridRoot.isConnected) return;
          v.onChange = () => timeline.redraw();
          v.onTrash = () => reload();
          v.open(asset, list);
        });
      };
      rail = scrubber(timeline);
      page.append(rail.el, rail.bubble);
      bar.onAction = (action) => libraryAction(action, [...timeline.selected], () => timeline.clearSelection(), () => reload());
      bar.onClear = () => timeline.clearSelection();

      // Said to whoever reads it: the owner (or an admin) adds folders.
      const empty = (/** @type {import('../session.js').Me | null} */ user) =>
        h(
          'hearth-empty-state',
          { heading: 'No photos yet', icon: 'photos', level: '2' },
          h('p', {}, 'Upload photos and videos from this device with the Upload button, or drop them anywhere on this page.'),
          isAdmin(user)
            ? h('p', {}, 'You can also add folders on the server for Hearth to watch, in ', h('a', { href: '/settings/library' }, 'Settings → Library'), '.')
            : h('p', {}, 'Photos the family shares with you will appear here too.'),
        );

      /** @param {() => Promise<number>} how */
      const show = async (how) => {
        try {
          const total = await how();
          const user = total ? null : await me();
          gridRoot.querySelector('hearth-empty-state')?.remove();
          gridRoot.querySelector('.inline-error')?.remove();
          count.textContent = total ? `${total.toLocaleString()} ${total === 1 ? 'item' : 'items'}` : '';
          if (!total) gridRoot.append(empty(user));
          rail?.draw();
        } catch (err) {
          gridRoot.querySelector('.inline-error')?.remove();
          gridRoot.append(h('p', { class: 'inline-error', role: 'alert' }, `The timeline could not be loaded: ${err instanceof Error ? err.message : err}`));
        }
      };
      const reload = () => show(() => timeline.load());
      // Photos that arrive or change elsewhere (an import folder, another
      // device, another member) appear without a reload.
      const changed = new Set();
      const update = throttled(() => {
        const ids = new Set(changed);
        changed.clear();
        show(() => timeline.refresh(ids));
      }, 700);
      const stopLibrary = listen('library', (event) => {
        for (const id of event.ids) changed.add(id);
        update();
      });
      const stopResync = listen('resync', () => reload());

      // Drop files anywhere on the page.
      const onDragOver = (/** @type {DragEvent} */ event) => {
        if (!event.dataTransfer?.types.includes('Files')) return;
        event.preventDefault();
        page.classList.add('dropping');
      };
      const onDragLeave = (/** @type {DragEvent} */ event) => {
        if (!event.relatedTarget) page.classList.remove('dropping');
      };
      const onDrop = (/** @type {DragEvent} */ event) => {
        if (!event.dataTransfer?.files.length) return;
        event.preventDefault();
        page.classList.remove('dropping');
        tray().add(event.dataTransfer.files);
      };
      const onUploaded = () => update();
      window.addEventListener('dragover', onDragOver);
      window.addEventListener('dragleave', onDragLeave);
      window.addEventListener('drop', onDrop);
      window.addEventListener('hearth:uploaded', onUploaded);
      // Leaving the view: stop listening.
      const observer = new MutationObserver(() => {
        if (page.isConnected) return;
        observer.disconnect();
        timeline.destroy();
        rail?.destroy();
        stopLibrary();
        stopResync();
        update.cancel();
        window.removeEventListener('dragover', onDragOver);
        window.removeEventListener('dragleave', onDragLeave);
        window.removeEventListener('drop', onDrop);
        window.removeEventListener('hearth:uploaded', onUploaded);
      });
      queueMicrotask(() => {
        if (page.parentElement) observer.observe(page.parentElement, { childList: true });
        // A link to one photo (or a reload with it open) opens it.
        reload().then(() => openLinked([], openAt));
      });
      return page;
    },
  };
}
