// @ts-check
/**
 * Settings → Library. Everyone: the files of theirs that could not be
 * imported, and why. Owner and admins also: import folders (add, scan,
 * status, offline state) and the import queue (depth, rate, failures);
 * the owner, a Google Photos takeout brought home.
 */
import { api } from '../api.js';
import { h } from '../dom.js';
import { listen, throttled } from '../events.js';
import { isAdmin, me } from '../session.js';
import { takeoutCard } from '../library/google-takeout.js';
import { action, busy, button, card, errorSlot, field, refresh, selectField, when } from '../ui.js';

/** @param {HTMLElement} body */
function rootsCard(body) {
  const load = async () => {
    const error = errorSlot();
    const roots = await api('/import/roots');
    const rows = roots.map((/** @type {any} */ r) => {
      const state = r.status === 'online' ? h('span', { class: 'pill pill-ok' }, 'Online') : h('span', { class: 'pill pill-bad' }, 'Offline');
      const details = [
        `${r.files.toLocaleString()} files`,
        r.missing ? `${r.missing} missing` : null,
        r.failed ? `${r.failed} not imported` : null,
        r.skipped_hidden ? `${r.skipped_hidden.toLocaleString()} hidden skipped` : null,
        r.skipped_excluded ? `${r.skipped_excluded.toLocaleString()} excluded` : null,
        r.watch === 'poll' ? `checked every ${r.poll_minutes} min` : 'watched',
        r.visibility === 'family' ? 'shared with the family' : 'private to their owner',
        `last scanned ${when(r.last_scan_at)}`,
      ].filter(Boolean);
      const controls = [action('Scan now', async () => {
        await api(`/import/roots/${r.id}/scan`, { method: 'POST' });
        await refresh(body, load);
      }, error)];
      if (r.source === 'api') {
        controls.push(action('Remove', async () => {
          await api(`/import/roots/${r.id}`, { method: 'DELETE' });
          await refresh(body, load);
        }, error, { heading: 'Stop importing from this folder?', message: `The photos from ${r.path} leave Hearth (with their albums’ places, comments and favourites); the files in the folder are not touched. Adding the folder again imports them anew.`, confirm: 'Remove folder' }));
      }
      return h(
        'li',
        { class: 'row' },
        h(
          'div',
          { class: 'row-main' },
          h('strong', { class: 'path' }, r.path),
          h('span', { class: 'muted' }, ` — ${r.owner}${r.source === 'config' ? ', set in hearth.toml' : ''}`),
          h('p', {}, state, ' ', details.join(' · ')),
          r.offline_reason ? h('p', { class: 'inline-error' }, r.offline_reason) : null,
        ),
        h('div', { class: 'row-actions' }, ...controls),
      );
    });
    const path = field('Folder on the server', { name: 'path', required: '', placeholder: '/srv/photos/family', autocomplete: 'off' }, 'A full path. Hearth only reads it: it never changes, moves or deletes files there.');
    const visibility = selectField('Who sees its photos', { name: 'visibility' }, [
      ['private', 'Only their owner'],
      ['family', 'The whole family'],
    ]);
    const watch = selectField('How changes are noticed', { name: 'watch' }, [
      ['events', 'Watch for changes'],
      ['poll', 'Check every 15 minutes (network shares)'],
    ]);
    const add = button('Add folder', { type: 'submit', class: 'button' });
    const formError = errorSlot();
    const form = h('form', { class: 'stack' }, path, h('div', { class: 'inline-fields' }, visibility, watch), add, formError);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const data = new FormData(form);
      busy(add, formError, async () => {
        await api('/import/roots', { method: 'POST', body: { path: String(data.get('path')), visibility: data.get('visibility'), watch: data.get('watch') } });
        await refresh(body, load);
      });
    });
    return [roots.length ? h('ul', { class: 'rows' }, ...rows) : h('p', { class: 'muted' }, 'No import folders yet.'), error, h('h3', {}, 'Add a folder'), form];
  };
  refresh(body, load);
}

/**
 * Shows a card's content, and again as the job queue moves (server
 * events, for the owner and admins) and every 10 s, until it leaves.
 * @param {HTMLElement} body
 * @param {() => Promise<(Node | null)[]>} load
 */
function live(body, load) {
  refresh(body, load);
  const again = throttled(() => {
    if (!body.isConnected) stop();
    else refresh(body, load);
  }, 500);
  const stopJobs = listen('jobs', again);
  const timer = setInterval(again, 10_000);
  const stop = () => {
    stopJobs();
    again.cancel();
    clearInterval(timer);
  };
}

/** @param {HTMLElement} body */
function jobsCard(body) {
  const load = async () => {
    const error = errorSlot();
    const jobs = await api('/jobs');
    const facts = h(
      'dl',
      { class: 'facts' },
      h('div', { class: 'fact', 'data-fact': 'queued' }, h('dt', {}, 'Waiting'), h('dd', {}, String(jobs.queued))),
      h('div', { class: 'fact', 'data-fact': 'running' }, h('dt', {}, 'Working on'), h('dd', {}, `${jobs.running} (of ${jobs.workers} workers)`)),
      h('div', { class: 'fact', 'data-fact': 'rate' }, h('dt', {}, 'Last minute'), h('dd', {}, `${jobs.done_last_minute} done${jobs.errors_last_minute ? `, ${jobs.errors_last_minute} errors` : ''}`)),
      h('div', { class: 'fact', 'data-fact': 'failed' }, h('dt', {}, 'Gave up'), h('dd', {}, String(jobs.failed))),
    );
    const failed = jobs.failed_jobs.map((/** @type {any} */ j) => h('li', { class: 'row' }, h('div', { class: 'row-main' }, h('strong', {}, j.kind), h('span', { class: 'muted' }, ` — ${j.attempts} attempts, ${when(j.updated_at)}`), h('p', { class: 'inline-error' }, j.error ?? ''))));
    const retry = jobs.failed
      ? action('Try them again', async () => {
          await api('/jobs/retry', { method: 'POST' });
          await refresh(body, load);
        }, error)
      : null;
    return [facts, failed.length ? h('ul', { class: 'rows' }, ...failed) : null, retry, error];
  };
  live(body, load);
}

/** @param {HTMLElement} body */
function failuresCard(body) {
  live(body, async () => {
    const failures = await api('/import/failures');
    if (!failures.length) return [h('p', { class: 'muted' }, 'Every file was imported.')];
    return [
      h(
        'ul',
        { class: 'rows' },
        ...failures.map((/** @type {any} */ f) =>
          h('li', { class: 'row' }, h('div', { class: 'row-main' }, h('strong', { class: 'path' }, f.folder ? `${f.folder}/${f.path}` : f.path), h('p', {}, f.reason), h('span', { class: 'muted' }, `${when(f.failed_at)} · ${f.detail}`))),
        ),
      ),
    ];
  });
}

export function libraryView() {
  return {
    title: 'Library',
    render: () => {
      const page = h('div', { class: 'page' }, h('p', { class: 'crumb' }, h('a', { href: '/settings' }, '← Settings')), h('h1', {}, 'Library'));
      const failures = h('div', { class: 'stack' });
      me().then((user) => {
        if (isAdmin(user)) {
          const roots = h('div', { class: 'stack' });
          const jobs = h('div', { class: 'stack' });
          page.append(card('Import folders', roots), card('Import queue', jobs));
          rootsCard(roots);
          jobsCard(jobs);
        }
        if (user?.role === 'owner') {
          const takeout = h('div', { class: 'stack' });
          page.append(card('Google Photos takeout', takeout));
          takeoutCard(takeout).catch((err) => takeout.replaceChildren(h('p', { class: 'inline-error', role: 'alert' }, err instanceof Error ? err.message : String(err))));
        }
        page.append(card('Files not imported', h('p', { class: 'muted' }, 'Broken, unsupported or oversized files, with the reason. Fix or replace a file and it is tried again.'), failures));
        failuresCard(failures);
      });
      return page;
    },
  };
}
