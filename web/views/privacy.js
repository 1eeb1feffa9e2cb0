// @ts-check
/**
 * Settings → Privacy. Everyone: what Hearth stores about you, your takeout
 * archive, your retention rules, and deleting your account. The owner,
 * further down: the retention settings (from hearth.toml), the sweeps and
 * what they removed, accounts waiting to be purged, and the receipts of
 * those purged.
 */
import { api, ApiError } from '../api.js';
import { count } from '../albums/roles.js';
import { confirmDialog, openDialog } from '../dialog.js';
import { h } from '../dom.js';
import { tileElement } from '../library/timeline.js';
import { navigate } from '../nav.js';
import { me, setMe } from '../session.js';
import { action, busy, button, card, linkToSend, day, dayAndTime, errorSlot, field, formatBytes, livePreview, notice, onLeave, refresh, showIn, when } from '../ui.js';
import { proveIt } from '../reauth.js';

/** @typedef {import('../library/timeline.js').Brief} Brief */
/** @typedef {import('../session.js').Me} Me */

/**
 * @typedef {object} Retention
 * @property {number} trash_days
 * @property {number} account_grace_days
 * @property {number} audit_days
 * @property {number} [sweep_minutes]
 */

/**
 * @typedef {object} Privacy
 * @property {Record<string, number>} stored
 * @property {Retention} retention
 * @property {{ requested_at: string, purge_at: string } | null} deletion
 */

/**
 * @typedef {object} Export
 * @property {number} id
 * @property {'queued' | 'running' | 'ready' | 'failed' | 'expired'} status
 * @property {number} files_total
 * @property {number} files_done
 * @property {number} bytes archive size so far
 * @property {number} estimated_bytes
 * @property {string} created_at
 * @property {string | null} ready_at
 * @property {string | null} expires_at
 * @property {string | null} error
 * @property {string | null} download_url
 */

/**
 * @typedef {object} Rule
 * @property {number} id
 * @property {string} query
 * @property {number} days
 * @property {'mine' | 'library'} scope
 * @property {boolean} include_shared
 * @property {boolean} enabled
 * @property {string} created_at
 * @property {string | null} last_run_at
 * @property {number} last_trashed
 * @property {number} total_trashed
 */

/** Rules that work, offered as a start. */
const EXAMPLES = /** @type {[string, number][]} */ ([
  ['album:"Garage sale"', 14],
  ['type:video', 60],
]);

/** What each sweep cleans up, in words. */
const SWEEPS = /** @type {Record<string, string>} */ ({
  trash: 'Trash past its days',
  kept_out: 'Photos kept out of the library',
  accounts: 'Deleted accounts',
  exports: 'Expired takeout archives',
  tmp: 'Temporary files',
  share_links: 'Expired share links',
  invites: 'Expired invites',
  sessions: 'Ended sessions',
  audit: 'Old security log entries',
  notifications: 'Old read notifications',
  rules: 'Retention rules (to the trash)',
});

/** Counted things, in words: [key, one, many]. */
const THINGS = /** @type {[string, string, string][]} */ ([
  ['photos', 'photo', 'photos'],
  ['videos', 'video', 'videos'],
  ['albums', 'album', 'albums'],
  ['comments', 'comment', 'comments'],
  ['reactions', 'heart', 'hearts'],
  ['share_links', 'share link', 'share links'],
  ['passkeys', 'passkey', 'passkeys'],
  ['sessions', 'session', 'sessions'],
  ['api_tokens', 'API token', 'API tokens'],
  ['device_passwords', 'device password', 'device passwords'],
  ['backup_files', 'file a phone sent', 'files phones sent'],
  ['kept_out', 'deleted photo remembered', 'deleted photos remembered'],
  ['notifications', 'notification', 'notifications'],
  ['exports', 'takeout archive', 'takeout archives'],
  ['retention_rules', 'retention rule', 'retention rules'],
]);

const ROLE = /** @type {Record<string, string>} */ ({ owner: 'owner', admin: 'admin', member: 'member' });

/** A card body's first words while it loads. */
const loading = () => h('p', { class: 'muted' }, 'Loading…');

/**
 * @param {string} label
 * @param {Node | string} value
 * @param {string} key test and styling hook
 */
function fact(label, value, key) {
  return h('div', { class: 'fact', 'data-fact': key }, h('dt', {}, label), h('dd', {}, value));
}

/* What Hearth stores about you */

/**
 * @param {HTMLElement} body
 * @param {Privacy} privacy
 */
function storedFacts(body, privacy) {
  const s = privacy.stored;
  const n = (/** @type {string} */ key) => s[key] ?? 0;
  const media = `${count(n('photos'), 'photo')}, ${count(n('videos'), 'video')}`;
  body.replaceChildren(
    h(
      'dl',
      { class: 'facts' },
      fact('Your photos and videos', media, 'photos'),
      fact('The space they take', formatBytes(n('bytes')), 'bytes'),
      fact('In your trash', count(n('in_trash'), 'item'), 'trash'),
      fact('Albums you made', count(n('albums'), 'album'), 'albums'),
      fact('Comments you wrote', count(n('comments'), 'comment'), 'comments'),
      fact('Hearts you gave', count(n('reactions'), 'heart'), 'reactions'),
      fact('Share links you made', count(n('share_links'), 'link'), 'share_links'),
      fact('Passkeys', count(n('passkeys'), 'passkey'), 'passkeys'),
      fact('Devices signed in', count(n('sessions'), 'device'), 'sessions'),
      fact('API tokens', count(n('api_tokens'), 'token'), 'api_tokens'),
      fact('Phones that back up', count(n('device_passwords'), 'device'), 'device_passwords'),
      fact('Files your phones sent', count(n('backup_files'), 'file'), 'backup_files'),
      fact('Deleted photos remembered (so phones do not bring them back)', count(n('kept_out'), 'photo'), 'kept_out'),
      fact('Notifications', count(n('notifications'), 'notification'), 'notifications'),
      fact('Takeout archives', count(n('exports'), 'archive'), 'exports'),
      fact('Retention rules', count(n('retention_rules'), 'rule'), 'retention_rules'),
      fact('Security log entries', count(n('audit_entries'), 'entry', 'entries'), 'audit_entries'),
    ),
    h(
      'p',
      { class: 'muted' },
      `All of it stays on this server. Photos in the trash are purged after ${count(privacy.retention.trash_days, 'day')}; the security log (sign-ins, account changes) is kept for ${count(privacy.retention.audit_days, 'day')}.`,
    ),
  );
}

/* Take your photos with you */

/**
 * @param {HTMLElement} body
 * @param {() => boolean} here false once the page is gone
 * @param {() => void} changed the list of what is stored changed
 */
function exportCard(body, here, changed) {
  let timer = 0;
  let wasWorking = false;
  const load = async () => {
    clearTimeout(timer);
    const error = errorSlot();
    /** @type {{ estimate: { files: number, bytes: number }, exports: Export[] }} */
    const answer = await api('/me/exports');
    const latest = answer.exports[0] ?? null;
    const working = latest?.status === 'queued' || latest?.status === 'running';
    if (wasWorking && !working) changed();
    wasWorking = working;
    // While the archive is made, the card follows it every second.
    if (working) timer = window.setTimeout(() => here() && refresh(body, load), 1000);

    const start = button(latest && latest.status === 'ready' ? 'Make a new archive' : latest && latest.status === 'failed' ? 'Try again' : 'Make an archive', {
      class: latest?.status === 'ready' ? 'button button-secondary' : 'button',
    });
    start.addEventListener('click', () =>
      busy(start, error, async () => {
        try {
          await api('/me/exports', { method: 'POST', body: {} });
        } catch (err) {
          // One is being made already (another tab): show that one.
          if (!(err instanceof ApiError && err.code === 'conflict')) throw err;
        }
        wasWorking = true;
        await refresh(body, load);
      }),
    );

    const estimate = answer.estimate;
    const intro = h(
      'p',
      {},
      'A .zip file with the originals of your photos and videos in year and month folders, each with its details, plus your albums, comments and account as JSON files. ',
      h('span', { class: 'muted' }, estimate.files ? `Right now: ${count(estimate.files, 'file')}, about ${formatBytes(estimate.bytes)}.` : 'You have no photos or videos yet.'),
    );
    /** @type {(Node | null)[]} */
    const state = [];
    if (latest && working) {
      const progress = h('progress', { class: 'export-progress', 'aria-label': 'Archive progress' });
      if (latest.status === 'running' && latest.files_total > 0) {
        progress.max = latest.files_total;
        progress.value = latest.files_done;
      }
      state.push(
        h(
          'div',
          { class: 'export-state stack' },
          h('p', { class: 'export-status', role: 'status' }, latest.status === 'queued' ? 'Waiting to start…' : `Packing: ${latest.files_done.toLocaleString()} of ${count(latest.files_total, 'file')} · ${formatBytes(latest.bytes)} so far`),
          progress,
          h('p', { class: 'muted' }, 'You can leave this page: the archive is made on the server, and waits here when it is ready.'),
        ),
      );
    } else if (latest?.status === 'ready' && latest.download_url) {
      const download = h('a', { class: 'button', href: latest.download_url, download: '' }, 'Download archive');
      const remove = action('Delete it now', async () => {
        await api(`/me/exports/${latest.id}`, { method: 'DELETE' });
        changed();
        await refresh(body, load);
      }, error, { heading: 'Delete this takeout now?', message: 'The zip is deleted from the server; you can make a new one at any time.', confirm: 'Delete it' });
      state.push(
        h(
          'div',
          { class: 'export-state export-ready stack' },
          h('p', { class: 'export-status', role: 'status' }, h('strong', {}, 'Your archive is ready.'), ` ${count(latest.files_total, 'file')}, ${formatBytes(latest.bytes)}, made ${when(latest.ready_at)}.`),
          h('div', { class: 'button-row' }, download, remove),
          h('p', { class: 'muted' }, `It is deleted from the server on ${dayAndTime(latest.expires_at)}, or now if you choose.`),
        ),
      );
    } else if (latest?.status === 'failed') {
      state.push(
        h(
          'div',
          { class: 'export-state export-failed stack' },
          h('p', { class: 'inline-error', role: 'status' }, `The archive could not be made${latest.error ? `: ${latest.error}` : '.'}`),
          h('p', { class: 'muted' }, 'Nothing of it was kept. You can try again; if it fails again, the server’s log says more.'),
        ),
      );
    } else if (latest?.status === 'expired') {
      state.push(h('p', { class: 'muted' }, `Your last archive was made ${when(latest.ready_at ?? latest.created_at)} and has been deleted since.`));
    }
    return [intro, ...state, working ? null : start, error];
  };
  refresh(body, load);
}

/* Your retention rules */

/**
 * A rule in words: "Videos … after 60 days, your photos".
 * @param {Rule} rule
 */
function ruleDetails(rule) {
  return [
    rule.scope === 'library' ? 'Yours and the family’s photos' : 'Your photos',
    rule.include_shared ? 'also those in shared albums' : 'not those in shared albums',
    rule.last_run_at ? `last ran ${when(rule.last_run_at)}: ${count(rule.last_trashed, 'item')} to the trash, ${rule.total_trashed.toLocaleString()} in all` : 'not run yet',
  ].join(' · ');
}

/**
 * @param {HTMLElement} body
 * @param {Me} user
 * @param {Retention} retention
 * @param {() => void} changed the list of what is stored changed
 */
function rulesCard(body, user, retention, changed) {
  const load = async () => {
    const error = errorSlot();
    /** @type {{ rules: Rule[] }} */
    const { rules } = await api('/retention/rules');
    const reload = async () => {
      changed();
      await refresh(body, load);
    };
    const rows = rules.map((rule) =>
      h(
        'li',
        { class: 'row rule-row' },
        h(
          'div',
          { class: 'row-main' },
          h('strong', {}, h('code', { class: 'code-chip' }, rule.query), ` after ${count(rule.days, 'day')}`, rule.enabled ? null : h('span', { class: 'badge badge-off' }, 'Off')),
          h('span', { class: 'muted' }, ruleDetails(rule)),
        ),
        h(
          'div',
          { class: 'row-actions' },
          action('Edit', async () => ruleDialog(user, retention, rule, reload), error),
          action(rule.enabled ? 'Turn off' : 'Turn on', async () => {
            await api(`/retention/rules/${rule.id}`, { method: 'PATCH', body: { enabled: !rule.enabled } });
            await reload();
          }, error),
          action('Delete', async () => {
            const sure = await confirmDialog({
              heading: 'Delete this rule?',
              message: `“${rule.query}” stops moving photos to the trash. Photos it already moved stay in the trash until they are purged.`,
              confirm: 'Delete rule',
              danger: true,
            });
            if (!sure) return;
            await api(`/retention/rules/${rule.id}`, { method: 'DELETE' });
            await reload();
          }, error),
        ),
      ),
    );
    const add = button('Add a rule');
    add.addEventListener('click', () => ruleDialog(user, retention, null, reload));
    return [
      h(
        'p',
        {},
        'Let Hearth tidy up for you: photos matching a search go to the trash once they are older than the days you choose. ',
        h('strong', {}, 'Rules only ever move photos to the trash'),
        ` — never straight to deletion. You can restore them from the trash for ${count(retention.trash_days, 'day')}.`,
      ),
      rules.length ? h('ul', { class: 'rows' }, ...rows) : h('p', { class: 'muted' }, 'No rules yet.'),
      add,
      error,
    ];
  };
  refresh(body, load);
}

/**
 * The add / edit form, with its dry run shown live as it is changed.
 * @param {Me} user
 * @param {Retention} retention
 * @param {Rule | null} rule null: a new one
 * @param {() => Promise<void>} onSaved
 */
function ruleDialog(user, retention, rule, onSaved) {
  const formId = `rule-form-${Math.random().toString(36).slice(2, 8)}`;
  const error = errorSlot();
  const query = field(
    'Photos matching',
    { name: 'query', value: rule?.query ?? '', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off', placeholder: 'video', class: 'rule-input', required: '' },
    'Search words, as in Search: type:video, album:"Name", -is:favorite…',
  );
  const queryInput = /** @type {HTMLInputElement} */ (query.querySelector('input'));
  const days = field('Trash them after (days)', { name: 'days', type: 'number', class: 'days-input', min: '1', max: '3650', step: '1', inputmode: 'numeric', value: String(rule?.days ?? 30), required: '' }, 'Both the day a photo was taken and the day it came into Hearth must be that long ago.');
  const daysInput = /** @type {HTMLInputElement} */ (days.querySelector('input'));
  const shared = h('input', { type: 'checkbox', name: 'include_shared' });
  shared.checked = rule?.include_shared ?? false;
  const sharedRow = h('label', { class: 'check' }, shared, 'Also photos in albums shared with others');
  const scopeId = `${formId}-scope`;
  const scope = h('select', { id: scopeId, name: 'scope' }, h('option', { value: 'mine' }, 'Only my photos'), h('option', { value: 'library' }, 'Mine and everything shared with the family'));
  scope.value = rule?.scope ?? 'mine';
  const scopeField = user.role === 'owner'
    ? h('div', { class: 'field' }, h('label', { for: scopeId }, 'Whose photos'), scope, h('p', { class: 'field-hint' }, 'Members’ private photos are never in your rules: they follow their own.'))
    : null;
  const enabled = h('input', { type: 'checkbox', name: 'enabled', role: 'switch' });
  enabled.checked = rule?.enabled ?? true;
  const enabledRow = h('label', { class: 'switch-row' }, enabled, h('span', { class: 'switch-text' }, h('strong', {}, 'Rule is on'), h('span', { class: 'muted' }, 'It runs by itself, every few minutes.')));

  const examples = h(
    'p',
    { class: 'rule-examples' },
    h('span', { class: 'muted' }, 'For example: '),
    ...EXAMPLES.map(([text, n]) => {
      const chip = button(`${text} after ${n} days`, { class: 'chip' });
      chip.addEventListener('click', () => {
        queryInput.value = text;
        daysInput.value = String(n);
        preview.schedule();
      });
      return chip;
    }),
  );

  const status = h('p', { class: 'rule-status', role: 'status' });
  const skipped = h('p', { class: 'muted rule-skipped', hidden: '' });
  const grid = h('div', { class: 'mini-grid', role: 'list', 'aria-label': 'Some of the photos the rule would move' });
  const dryRun = h('div', { class: 'dry-run stack', 'aria-live': 'polite' }, h('h3', { class: 'dialog-subheading' }, 'If it ran today'), status, skipped, grid);

  const currentDays = () => Number(daysInput.value);
  const daysOk = () => Number.isInteger(currentDays()) && currentDays() >= 1 && currentDays() <= 3650;
  const preview = livePreview(
    status,
    grid,
    () => {
      queryInput.removeAttribute('aria-invalid');
      skipped.hidden = true;
      if (!queryInput.value.trim()) {
        status.textContent = 'Write a search to see what the rule would move.';
        return false;
      }
      if (!daysOk()) {
        status.replaceChildren(h('span', { class: 'inline-error' }, 'Days: a whole number from 1 to 3650.'));
        return false;
      }
      return true;
    },
    async (signal) => {
      const found = await api('/retention/preview', {
        method: 'POST',
        body: { query: queryInput.value.trim(), days: currentDays(), scope: scope.value, include_shared: shared.checked },
        signal,
      });
      status.textContent = found.count
        ? `${count(found.count, 'photo or video', 'photos and videos')} would move to the trash today${found.count > found.sample.length ? `; ${found.sample.length} of them are shown` : ''}.`
        : 'Nothing would move to the trash today.';
      skipped.hidden = !found.skipped_shared;
      skipped.textContent = `Skipped because shared: ${found.skipped_shared.toLocaleString()} (in albums shared with others).`;
      grid.replaceChildren(
        ...found.sample.map((/** @type {Brief} */ asset) => {
          const tile = tileElement(asset, 'div');
          tile.setAttribute('role', 'listitem');
          tile.setAttribute('aria-label', `${asset.k === 'video' ? 'Video' : 'Photo'} from ${day(asset.t)}`);
          return tile;
        }),
      );
    },
    (err) => {
      if (err instanceof ApiError && err.code === 'invalid_query') queryInput.setAttribute('aria-invalid', 'true');
    },
  );
  for (const control of [queryInput, daysInput]) control.addEventListener('input', preview.schedule);
  for (const control of [shared, scope]) control.addEventListener('change', preview.schedule);

  const note = h(
    'p',
    { class: 'callout rule-note' },
    `Rules only move photos to the trash, never delete them. You can restore them from the trash for ${count(retention.trash_days, 'day')}; after that they are purged.`,
  );
  const save = h('button', { type: 'submit', class: 'button', form: formId }, rule ? 'Save rule' : 'Add rule');
  const cancel = button('Cancel', { class: 'button button-secondary' });
  const form = h('form', { class: 'stack dialog-form rule-form', id: formId, novalidate: '' }, query, examples, days, scopeField, sharedRow, dryRun, enabledRow, note, error);
  const dialog = openDialog({
    heading: rule ? 'Edit retention rule' : 'New retention rule',
    body: [form],
    actions: [cancel, save],
    className: 'dialog-wide',
    onClose: preview.stop,
  });
  cancel.addEventListener('click', () => dialog.close());
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = queryInput.value.trim();
    if (!text) {
      showIn(error, 'Write the search the rule uses.');
      return;
    }
    if (!daysOk()) {
      showIn(error, 'Days: a whole number from 1 to 3650.');
      return;
    }
    /** @type {Record<string, unknown>} */
    const body = { query: text, days: currentDays(), include_shared: shared.checked, enabled: enabled.checked };
    if (user.role === 'owner') body.scope = scope.value;
    else if (!rule) body.scope = 'mine';
    busy(save, error, async () => {
      if (rule) await api(`/retention/rules/${rule.id}`, { method: 'PATCH', body });
      else await api('/retention/rules', { method: 'POST', body });
      dialog.close();
      notice(rule ? 'Rule saved.' : 'Rule added. It runs with the next sweep.');
      await onSaved();
    });
  });
  queryInput.focus();
  queueMicrotask(preview.run);
}

/* Delete your account */

/**
 * @param {HTMLElement} body
 * @param {Me} user
 * @param {Privacy} privacy
 */
function deletionCard(body, user, privacy) {
  const grace = privacy.retention.account_grace_days;
  const afterwards = grace > 0 ? `For ${count(grace, 'day')} you can change your mind with a link you get then (the owner can also undo it); after that, everything is purged for good.` : 'On this server everything is purged at the next clean-up, within minutes; until then the link you get can still undo it.';
  const words = [
    h('p', {}, 'Deleting your account removes everything Hearth stores about you, listed above: your photos and videos, the albums you made (for everyone in them), your comments and hearts, share links, passkeys and API tokens. Until it is purged, your comments show as “Deleted account”.'),
    h('p', {}, 'You are signed out everywhere at once. ', afterwards),
    h('p', { class: 'muted' }, 'Files in import folders stay on the NAS: Hearth only forgets them. Want to keep your photos? Make a takeout archive first.'),
  ];
  if (user.role === 'owner') {
    body.replaceChildren(...words, h('p', { class: 'callout' }, 'You are the owner. Hand ownership to another member first (', h('a', { href: '/settings/household' }, 'Household'), ' → Make owner); then you can delete your account.'));
    return;
  }
  const start = button('Delete my account…', { class: 'button button-danger' });
  start.addEventListener('click', () => deletionDialog(user, grace));
  body.replaceChildren(...words, start);
}

/**
 * Asks for the username, typed, and for proof it is you; then shows the
 * cancellation link, once.
 * @param {Me} user
 * @param {number} grace days
 */
function deletionDialog(user, grace) {
  let deleted = false;
  proveIt({
    heading: 'Delete your account?',
    body: [grace > 0 ? `You are signed out everywhere now, and everything of yours is purged in ${count(grace, 'day')}, unless you cancel before.` : 'You are signed out everywhere now, and everything of yours is purged within minutes.'],
    typed: { label: `Type your username, ${user.username}, to confirm`, expect: user.username },
    confirm: 'Delete my account',
    danger: true,
    act: (proof, confirm) => api('/me/deletion', { method: 'POST', body: { confirm, ...proof } }),
    done: (/** @type {{ purge_at: string, cancel_url: string }} */ answer, dialog) => {
      deleted = true;
      // The server ended every session: the app is signed out now.
      setMe(null);
      const heading = dialog.querySelector('.dialog-head h2');
      if (heading) heading.textContent = 'Your account will be deleted';
      const finish = button('Done', { class: 'button' });
      finish.addEventListener('click', () => dialog.close());
      dialog.querySelector('.dialog-body')?.replaceChildren(
        h('div', { class: 'stack dialog-form' },
          h('p', {}, grace > 0 ? `Everything of yours is purged on ${dayAndTime(answer.purge_at)}. You are signed out.` : 'Everything of yours is purged within minutes. You are signed out.'),
          h(
            'div',
            { class: 'stack callout cancel-link' },
            h('p', {}, h('strong', {}, 'Keep this link: it is the only way for you to cancel.'), ' It is shown only now. The owner can also cancel.'),
            linkToSend(answer.cancel_url, 'Cancellation link'),
          ),
        ),
      );
      dialog.querySelector('.dialog-actions')?.replaceChildren(finish);
      finish.focus();
    },
    onClose: () => {
      if (deleted) navigate('/signin', { replace: true });
    },
  });
}

/* The owner: the whole household */

/**
 * What a sweep (or a purge) removed, in words: "3 photos · 1 album".
 * @param {Record<string, number>} removed
 * @param {Record<string, string>} names one word per key, or THINGS' words
 */
function removedWords(removed, names = {}) {
  const known = THINGS.map(([key]) => key);
  // The household's order of things (photos first), then any others.
  const keys = [...known.filter((key) => key in removed), ...Object.keys(removed).filter((key) => !known.includes(key) && key !== 'bytes')];
  const parts = [];
  for (const key of keys) {
    const n = removed[key];
    if (!n) continue;
    const thing = THINGS.find(([k]) => k === key);
    if (names[key]) parts.push(`${names[key]}: ${n.toLocaleString()}`);
    else if (thing) parts.push(count(n, thing[1], thing[2]));
    else parts.push(`${key.replace(/_/g, ' ')}: ${n.toLocaleString()}`);
    if (key === 'videos' || (key === 'photos' && !removed.videos)) {
      if (removed.bytes) parts.push(formatBytes(removed.bytes));
    }
  }
  if (removed.bytes && !removed.photos && !removed.videos) parts.push(formatBytes(removed.bytes));
  return parts.join(' · ');
}

/**
 * A read-only setting, with its key in hearth.toml.
 * @param {string} label
 * @param {number} value
 * @param {string} key under `[retention]`
 * @param {string} [unit]
 */
function setting(label, value, key, unit = 'day') {
  return h('div', { class: 'fact', 'data-fact': key }, h('dt', {}, label, h('code', { class: 'code-chip fact-key' }, key)), h('dd', {}, count(value, unit)));
}

/**
 * The owner's cards: settings and sweeps, pending deletions, receipts.
 * @param {HTMLElement} page
 */
function ownerCards(page) {
  const settingsBody = h('div', { class: 'stack' }, loading());
  const sweepsBody = h('div', { class: 'stack' });
  const pendingBody = h('div', { class: 'stack' }, loading());
  const receiptsBody = h('div', { class: 'stack' }, loading());
  const runError = errorSlot();
  const result = h('p', { class: 'sweep-result', role: 'status', hidden: '' });
  const run = button('Run sweeps now', { class: 'button button-secondary' });

  const load = async () => {
    const data = await api('/admin/retention');
    const s = data.settings;
    settingsBody.replaceChildren(
      h(
        'dl',
        { class: 'facts' },
        setting('Trash kept for', s.trash_days, 'trash_days'),
        setting('Deleted accounts restorable for', s.account_grace_days, 'account_grace_days'),
        setting('Security log kept for', s.audit_days, 'audit_days'),
        s.sweep_minutes ? setting('Sweeps run every', s.sweep_minutes, 'sweep_minutes', 'minute') : null,
      ),
      h('p', { class: 'muted' }, 'Set in hearth.toml, under ', h('code', { class: 'code-chip' }, '[retention]'), ', and read when Hearth starts.'),
    );

    const rows = data.sweeps.map((/** @type {any} */ sweep) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, SWEEPS[sweep.name] ?? sweep.name),
        h('td', {}, when(sweep.last_run_at)),
        h('td', { class: 'num' }, sweep.last_removed.toLocaleString()),
        h('td', { class: 'num' }, sweep.total_removed.toLocaleString()),
      ),
    );
    const table = h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'sweeps' },
        h('caption', { class: 'visually-hidden' }, 'Sweeps'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Cleans up'), h('th', { scope: 'col' }, 'Last run'), h('th', { scope: 'col', class: 'num' }, 'Removed then'), h('th', { scope: 'col', class: 'num' }, 'In all'))),
        h('tbody', {}, ...rows),
      ),
    );
    const history = data.history.length
      ? h(
          'details',
          { class: 'rule-help sweep-history' },
          h('summary', {}, `History (${count(data.history.length, 'run')} that removed something)`),
          h(
            'ul',
            { class: 'rows' },
            ...data.history.map((/** @type {any} */ entry) => h('li', { class: 'row' }, h('div', { class: 'row-main' }, h('strong', {}, dayAndTime(entry.at)), h('span', { class: 'muted' }, removedWords(entry.removed, SWEEPS))))),
          ),
        )
      : h('p', { class: 'muted' }, 'No sweep has removed anything yet.');
    sweepsBody.replaceChildren(table, history);

    const pendingError = errorSlot();
    pendingBody.replaceChildren(
      data.pending.length
        ? h(
            'ul',
            { class: 'rows' },
            ...data.pending.map((/** @type {any} */ p) =>
              h(
                'li',
                { class: 'row' },
                h('div', { class: 'row-main' }, h('strong', {}, p.display_name), h('span', { class: 'muted' }, `Asked ${when(p.requested_at)} · purged on ${dayAndTime(p.purge_at)}`)),
                action('Cancel deletion', async () => {
                  await api(`/household/members/${p.user_id}/deletion`, { method: 'DELETE' });
                  notice(`${p.display_name}’s account is kept.`);
                  await load();
                }, pendingError),
              ),
            ),
          )
        : h('p', { class: 'muted' }, 'No account is waiting to be deleted.'),
      pendingError,
    );

    receiptsBody.replaceChildren(
      data.receipts.length
        ? h(
            'ul',
            { class: 'rows' },
            ...data.receipts.map((/** @type {any} */ r) =>
              h(
                'li',
                { class: 'row receipt' },
                h(
                  'div',
                  { class: 'row-main' },
                  h('strong', {}, `Account #${r.id} · ${ROLE[r.role] ?? r.role} · requested ${day(r.requested_at)} · purged ${day(r.purged_at)}`),
                  h('span', { class: 'muted' }, removedWords(r.removed) || 'Nothing else was stored.'),
                ),
              ),
            ),
          )
        : h('p', { class: 'muted' }, 'No account has been deleted yet.'),
    );
  };
  const reload = () =>
    load().catch((err) => {
      settingsBody.replaceChildren(h('p', { class: 'inline-error', role: 'alert' }, err instanceof Error ? err.message : String(err)));
    });

  run.addEventListener('click', () =>
    busy(run, runError, async () => {
      const answer = await api('/admin/retention/run', { method: 'POST' });
      const words = removedWords(answer.removed, SWEEPS);
      result.hidden = false;
      result.textContent = words ? `Done ${when(answer.at)}. Removed: ${words}.` : `Done ${when(answer.at)}. There was nothing to remove.`;
      await load();
    }),
  );
  reload();

  page.append(
    h('h2', { class: 'page-section' }, 'The whole household'),
    h('p', { class: 'muted page-section-note' }, 'Only you, the owner, see what follows.'),
    card(
      'Retention',
      settingsBody,
      h('h3', { class: 'card-subheading' }, 'Sweeps'),
      h('p', { class: 'muted' }, 'Sweeps clean up by themselves, every few minutes. Each removes only what is past its time.'),
      h('div', { class: 'button-row' }, run),
      result,
      runError,
      sweepsBody,
    ),
    card('Accounts waiting to be deleted', pendingBody),
    card('Deleted accounts', h('p', { class: 'muted' }, 'A receipt for each purged account: what was removed, without a name.'), receiptsBody),
  );
}

export function privacyView() {
  return {
    title: 'Privacy',
    render: () => {
      const storedBody = h('div', { class: 'stack' }, loading());
      const exportBody = h('div', { class: 'stack' }, loading());
      const rulesBody = h('div', { class: 'stack' }, loading());
      const deleteBody = h('div', { class: 'stack' }, loading());
      const page = h(
        'div',
        { class: 'page privacy-page' },
        h('p', { class: 'crumb' }, h('a', { href: '/settings' }, '← Settings')),
        h('h1', {}, 'Privacy'),
        card('What Hearth stores about you', storedBody),
        card('Take your photos with you', exportBody),
        card('Your retention rules', rulesBody),
        h('section', { class: 'card card-danger', 'aria-labelledby': 'c-delete-your-account' }, h('h2', { id: 'c-delete-your-account' }, 'Delete your account'), deleteBody),
      );
      let gone = false;
      onLeave(page, () => (gone = true));
      // Counts follow what is done on this page (archives, rules).
      const storedChanged = () => {
        api('/me/privacy')
          .then((privacy) => storedFacts(storedBody, privacy))
          .catch(() => {});
      };
      exportCard(exportBody, () => !gone, storedChanged);
      Promise.all([me(), api('/me/privacy')])
        .then(([user, privacy]) => {
          if (!user) return;
          storedFacts(storedBody, privacy);
          rulesCard(rulesBody, user, privacy.retention, storedChanged);
          deletionCard(deleteBody, user, privacy);
          if (user.role === 'owner') ownerCards(page);
        })
        .catch((err) => {
          for (const body of [storedBody, rulesBody, deleteBody]) body.replaceChildren(h('p', { class: 'inline-error', role: 'alert' }, err instanceof Error ? err.message : String(err)));
        });
      return page;
    },
  };
}
