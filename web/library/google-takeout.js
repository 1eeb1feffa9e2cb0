// @ts-check
/**
 * Settings → Library, for the owner: a Google Photos takeout brought home
 * from a folder on the server, for any member, with its progress and then
 * its report (what was imported, already there, left out and why).
 */
import { api } from '../api.js';
import { h, stylesheet } from '../dom.js';
import { busy, button, errorSlot, field, selectField, when } from '../ui.js';

await stylesheet('styles/takeout.css');

/**
 * @typedef {object} TakeoutImport
 * @property {string} path
 * @property {string} owner
 * @property {string} started_at
 * @property {string} [finished_at]
 * @property {number} done
 * @property {number} total
 * @property {string} [report]
 * @property {string} [error]
 */

/** @param {TakeoutImport | null} run */
function progressOf(run) {
  if (!run) return null;
  if (!run.finished_at) {
    return h(
      'div',
      { class: 'stack takeout-progress', role: 'status' },
      h('p', {}, `Importing ${run.path} for ${run.owner}: ${run.done.toLocaleString()} of ${run.total ? run.total.toLocaleString() : '…'} photos and videos.`),
      h('progress', { max: String(Math.max(run.total, 1)), value: String(run.done), 'aria-label': 'Takeout import progress' }),
    );
  }
  return h(
    'div',
    { class: 'stack takeout-progress', role: 'status' },
    h('p', {}, h('strong', {}, run.error ? 'The takeout import stopped. ' : 'The takeout import is done. '), `${run.path} for ${run.owner}, finished ${when(run.finished_at)}.`),
    run.error ? h('p', { class: 'inline-error' }, run.error) : null,
    run.report ? h('pre', { class: 'takeout-report' }, run.report) : null,
  );
}

/** @param {HTMLElement} body */
export async function takeoutCard(body) {
  const status = h('div', {});
  /** Shows the import's state; follows it while it runs. */
  const follow = async () => {
    if (!body.isConnected && status.childElementCount) return;
    /** @type {TakeoutImport | null} */
    const run = (await api('/import/google-takeout')).import ?? null;
    const shown = progressOf(run);
    status.replaceChildren(...(shown ? [shown] : []));
    if (run && !run.finished_at) setTimeout(() => follow().catch(() => {}), 1000);
  };
  /** @type {{ id: number, username: string, display_name: string }[]} */
  const members = await api('/household/members');
  const path = field('Folder on the server', { name: 'path', required: '', placeholder: '/srv/takeout', autocomplete: 'off' }, 'The folder holding the takeout-*.zip files (all parts of one export), or the unpacked Takeout folder. Hearth only reads it.');
  const whose = selectField('Whose photos they are', { name: 'owner' }, members.map((m) => [String(m.id), `${m.display_name} (@${m.username})`]));
  const edited = h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'edited' }), 'Also import Google’s edited copies, as photos of their own');
  const start = button('Bring it home', { type: 'submit', class: 'button' });
  const error = errorSlot();
  const form = h('form', { class: 'stack' }, path, whose, edited, start, error);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    busy(start, error, async () => {
      await api('/import/google-takeout', { method: 'POST', body: { path: String(data.get('path')), owner_id: Number(data.get('owner')), with_edited: data.get('edited') === 'on' } });
      await follow();
    });
  });
  body.replaceChildren(
    h('p', { class: 'muted' }, 'Moving from Google Photos: ask takeout.google.com for Google Photos, put the takeout-*.zip files in a folder on the server, and give that folder here. Dates, places, captions, people, favourites and albums come with the photos; nothing is imported twice, so an import cut short is finished by starting it again.'),
    status,
    form,
  );
  await follow();
}
