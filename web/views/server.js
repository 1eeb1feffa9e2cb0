// @ts-check
/**
 * Settings → Server, for the owner: what this server is and whether it is
 * well, the database backups it makes on its own disk (and one now), and
 * the integrity check of the library, with its repairs. Anyone else is
 * told, calmly, that the page is the owner's.
 */
import { api } from '../api.js';
import { count } from '../albums/roles.js';
import { h } from '../dom.js';
import { me } from '../session.js';
import { busy, button, card, dayAndTime, errorSlot, formatBytes, refresh, when } from '../ui.js';
import { formatUptime, healthStatus, row } from './settings.js';

/**
 * @typedef {object} Backup
 * @property {string} name
 * @property {'scheduled' | 'before_migration'} kind
 * @property {string} at
 * @property {number} bytes
 */

/**
 * @typedef {object} Backups
 * @property {string} folder
 * @property {number} every_hours 0: automatic backups are off
 * @property {number} keep
 * @property {string | null} [next_due]
 * @property {Backup[]} backups newest first
 */

/**
 * @typedef {object} ProblemCount
 * @property {string} problem
 * @property {string} description
 * @property {number} count
 * @property {number} repaired
 */

/**
 * @typedef {object} Finding
 * @property {string} problem
 * @property {number | null} [asset_id]
 * @property {string | null} [path]
 * @property {boolean} repaired
 */

/**
 * @typedef {object} CheckReport
 * @property {string} at
 * @property {number} assets
 * @property {number} files
 * @property {number} index_documents
 * @property {number} without_poster
 * @property {boolean} clean
 * @property {boolean} repair
 * @property {ProblemCount[]} problems
 * @property {Finding[]} findings the first 200
 */

/**
 * Each problem in words: [one, many, what Repair does about it].
 * @type {Record<string, [string, string, string]>}
 */
const PROBLEMS = {
  missing_original: [
    'original missing',
    'originals missing',
    'The file is not where Hearth keeps it. Repair rescans its import folder; an uploaded original that is gone can only come back from a backup.',
  ],
  changed_original: [
    'original changed on disk',
    'originals changed on disk',
    'Its size or date is not what Hearth recorded. Repair rescans its import folder; an uploaded original cannot be repaired here.',
  ],
  missing_thumbnail: ['thumbnail missing', 'thumbnails missing', 'Repair makes them again.'],
  orphaned_thumbnail: ['thumbnail folder of a deleted photo', 'thumbnail folders of deleted photos', 'Left behind; Repair deletes them.'],
  missing_from_index: ['photo missing from the search index', 'photos missing from the search index', 'Search cannot find them. Repair indexes them again.'],
  stale_in_index: ['out-of-date search entry', 'out-of-date search entries', 'Search may show them wrongly. Repair updates them.'],
};

/** Findings shown under "Which ones". */
const SHOWN_FINDINGS = 20;

/** A card body's first words while it loads. */
const loading = () => h('p', { class: 'muted' }, 'Loading…');

/** What anyone but the owner sees here (the API answers them 403). */
const ownerOnly = () =>
  h(
    'hearth-empty-state',
    { heading: 'Only the owner can see this page.', icon: 'settings', level: '2', class: 'server-owner-only' },
    h('p', {}, 'Backups and the integrity check are looked after by the household’s owner.'),
  );

/**
 * Runs `work` as `busy` does, with the button saying what is under way.
 * @param {HTMLButtonElement} control
 * @param {HTMLElement} slot
 * @param {string} doing e.g. "Backing up…"
 * @param {() => Promise<void>} work
 */
async function working(control, slot, doing, work) {
  const label = control.textContent ?? '';
  control.textContent = doing;
  try {
    await busy(control, slot, work);
  } finally {
    control.textContent = label;
  }
}

/* This server */

/** @param {HTMLElement} body */
function serverCard(body) {
  refresh(body, async () => {
    const [info, health] = await Promise.all([api('/server/info'), api('/health', { accept: [503] })]);
    const passkeys = info.passkeys_unavailable
      ? h('span', { class: 'server-passkeys' }, h('span', { class: 'status status-bad' }, 'Not at this address'), h('span', { class: 'muted server-why' }, info.passkeys_unavailable))
      : h('span', { class: 'status status-ok' }, 'They work here');
    return [
      h(
        'dl',
        { class: 'facts server-facts' },
        row('Version', `${info.name} ${info.version}`, 'version'),
        row('Health', healthStatus(health.status === 'ok'), 'status'),
        row('Database', health.database === 'ok' ? 'Working' : 'Not reachable', 'database'),
        row('Running for', formatUptime(health.uptime_seconds), 'uptime'),
        row('Address', h('span', { class: 'path' }, info.public_url), 'address'),
        row('Passkeys', passkeys, 'passkeys'),
      ),
    ];
  });
}

/* Backups */

/** @param {Backups} data */
function schedule(data) {
  if (!data.every_hours) return h('p', {}, 'Automatic backups are off (', h('code', { class: 'code-chip' }, 'backup.every_hours = 0'), ' in hearth.toml).');
  const every = data.every_hours === 1 ? 'every hour' : `every ${data.every_hours} hours`;
  const kept = data.keep === 1 ? 'the newest is kept' : `the newest ${data.keep} are kept`;
  return h('p', {}, `A copy of the database is made ${every}; ${kept} in `, h('span', { class: 'path' }, data.folder), '.');
}

/** @param {Backup} backup */
function backupRow(backup) {
  return h(
    'li',
    { class: 'row backup' },
    h(
      'div',
      { class: 'row-main' },
      h('strong', {}, dayAndTime(backup.at), backup.kind === 'before_migration' ? h('span', { class: 'badge' }, 'Before an upgrade') : null),
      h('span', { class: 'muted' }, `${formatBytes(backup.bytes)} · `, h('span', { class: 'path' }, backup.name)),
    ),
  );
}

/**
 * A command to type, on a line of its own, that wraps between its words only.
 * @param {string} text
 */
function command(text) {
  const words = text.split(' ').flatMap((word, index) => (index ? [' ', h('span', { class: 'nowrap' }, word)] : [h('span', { class: 'nowrap' }, word)]));
  return h('code', { class: 'code-chip server-command' }, ...words);
}

/** @param {HTMLElement} body */
function backupsCard(body) {
  const plan = h('div', { class: 'stack server-plan' }, loading());
  const list = h('div', { class: 'stack' });
  const error = errorSlot();
  const done = h('p', { class: 'server-done', role: 'status', hidden: '' });
  const now = button('Back up now', { class: 'button button-secondary' });

  // One answer fills both: the schedule above the button, the list below.
  const load = async () => {
    /** @type {Backups} */
    const data = await api('/admin/backups');
    plan.replaceChildren(schedule(data));
    if (data.every_hours && data.next_due) plan.append(h('p', { class: 'muted' }, `The next is due ${dayAndTime(data.next_due)} (${when(data.next_due)}).`));
    return [
      data.backups.length
        ? h('ul', { class: 'rows backups', 'aria-label': 'Backups' }, ...data.backups.map(backupRow))
        : h('p', { class: 'muted server-empty' }, 'There are no backups yet. Back up now to make the first.'),
    ];
  };

  now.addEventListener('click', () =>
    working(now, error, 'Backing up…', async () => {
      done.hidden = true;
      /** @type {Backup} */
      const made = await api('/admin/backups', { method: 'POST', body: {} });
      await refresh(list, load);
      done.replaceChildren(healthStatus(true, `Backed up: ${formatBytes(made.bytes)}, ${dayAndTime(made.at)}.`));
      done.hidden = false;
    }),
  );
  refresh(list, load);

  body.replaceChildren(
    plan,
    h('div', { class: 'button-row' }, now),
    done,
    error,
    list,
    h(
      'div',
      { class: 'server-note' },
      h('p', { class: 'muted' }, 'These copies live on the server’s own disk, so a failing disk takes them with it. To copy everything elsewhere, the originals included, run this on the server:'),
      command('hearth backup --to DIR --originals'),
    ),
  );
}

/* Integrity check */

/**
 * "3 thumbnails missing".
 * @param {ProblemCount} problem
 */
function problemWords(problem) {
  const words = PROBLEMS[problem.problem];
  return words ? count(problem.count, words[0], words[1]) : `${problem.count.toLocaleString()} ${problem.description}`;
}

/** @param {CheckReport} report */
function checked(report) {
  const checkedAll = `${count(report.assets, 'photo or video', 'photos and videos')}, ${count(report.files, 'file')}, ${count(report.index_documents, 'search entry', 'search entries')}`;
  return report.without_poster > 0
    ? `${checkedAll} (${count(report.without_poster, 'video', 'videos')} without a poster frame, as their files are)`
    : checkedAll;
}

/**
 * What Repair did about one problem, or would do.
 * @param {ProblemCount} problem
 * @param {boolean} repair
 */
function problemState(problem, repair) {
  if (!repair) return h('span', { class: 'muted' }, PROBLEMS[problem.problem]?.[2] ?? '');
  const left = problem.count - problem.repaired;
  if (!left) return h('span', {}, h('span', { class: 'pill pill-ok' }, problem.count === 1 ? 'Repaired' : 'All repaired'));
  const unrepairable = problem.problem === 'missing_original' || problem.problem === 'changed_original' ? 'Uploaded originals have to come back from a backup.' : 'See the server’s log for why.';
  return h(
    'span',
    {},
    h('span', { class: 'pill pill-bad' }, `${left.toLocaleString()} cannot be repaired`),
    problem.repaired ? ` ${problem.repaired.toLocaleString()} repaired. ` : ' ',
    h('span', { class: 'muted' }, unrepairable),
  );
}

/** @param {Finding} finding */
function findingRow(finding) {
  const words = PROBLEMS[finding.problem];
  return h(
    'li',
    { class: 'row finding' },
    h(
      'div',
      { class: 'row-main' },
      h('strong', {}, finding.asset_id != null ? `Photo or video #${finding.asset_id}` : words ? words[0][0].toUpperCase() + words[0].slice(1) : finding.problem),
      finding.path ? h('span', { class: 'path muted' }, finding.path) : null,
    ),
    finding.repaired ? h('span', { class: 'pill pill-ok' }, 'Repaired') : null,
  );
}

/**
 * @param {CheckReport} report
 * @param {HTMLButtonElement | null} repair offered when the report is not a repair's
 */
function checkResult(report, repair) {
  if (report.clean) {
    return [h('p', { class: 'check-result' }, healthStatus(true, `Everything is in order: ${checked(report)}.`)), h('p', { class: 'muted' }, `Checked ${when(report.at)}.`)];
  }
  const total = report.problems.reduce((sum, problem) => sum + problem.count, 0);
  const repaired = report.problems.reduce((sum, problem) => sum + problem.repaired, 0);
  const shown = report.findings.slice(0, SHOWN_FINDINGS);
  /** @type {(Node | null)[]} */
  const nodes = [
    h('p', { class: 'check-result' }, h('strong', {}, `${count(total, 'problem')} found`), ` among ${checked(report)}, ${when(report.at)}.`),
    h(
      'ul',
      { class: 'rows problems', 'aria-label': 'Problems' },
      ...report.problems.map((problem) => h('li', { class: 'row problem', 'data-problem': problem.problem }, h('div', { class: 'row-main' }, h('strong', {}, problemWords(problem)), h('p', {}, problemState(problem, report.repair))))),
    ),
    shown.length
      ? h(
          'details',
          { class: 'rule-help check-findings' },
          h('summary', {}, shown.length < total ? `Which ones (the first ${shown.length})` : 'Which ones'),
          h('ul', { class: 'rows' }, ...shown.map(findingRow)),
        )
      : null,
  ];
  if (report.repair) {
    nodes.push(
      h(
        'p',
        { class: 'check-repaired', role: 'status' },
        repaired ? `${count(repaired, 'problem')} repaired. Hearth finishes the work in the background: check again in a minute.` : 'Nothing could be repaired.',
      ),
    );
  } else if (repair) {
    nodes.push(h('p', { class: 'muted' }, 'Repair queues new thumbnails, rescans and search updates, which the server does in the background, and deletes thumbnail folders of deleted photos. Nothing else is removed.'), h('div', { class: 'button-row' }, repair));
  }
  return nodes;
}

/** @param {HTMLElement} body */
function checkCard(body) {
  const result = h('div', { class: 'stack check-results', 'aria-live': 'polite' });
  const error = errorSlot();
  const start = button('Check now', { class: 'button button-secondary' });
  const repair = button('Repair', { class: 'button' });

  /** @param {boolean} repairing */
  const run = async (repairing) => {
    /** @type {CheckReport} */
    const report = await api('/admin/check', { method: 'POST', body: { repair: repairing } });
    result.replaceChildren(...checkResult(report, repairing ? null : repair).filter((node) => node !== null));
  };
  /**
   * @param {HTMLButtonElement} control
   * @param {string} doing
   * @param {boolean} repairing
   */
  const onClick = (control, doing, repairing) =>
    control.addEventListener('click', async () => {
      await working(control, error, doing, () => run(repairing));
      if (result.childElementCount) start.textContent = 'Check again';
    });
  onClick(start, 'Checking…', false);
  onClick(repair, 'Repairing…', true);

  body.replaceChildren(
    h('p', {}, 'Compares what the database records with the originals on disk, their thumbnails and the search index.'),
    h('div', { class: 'button-row' }, start),
    error,
    result,
  );
}

export function serverView() {
  return {
    title: 'Server',
    render: () => {
      const page = h('div', { class: 'page server-page' }, h('p', { class: 'crumb' }, h('a', { href: '/settings' }, '← Settings')), h('h1', {}, 'Server'));
      const status = h('div', { class: 'stack' }, loading());
      page.append(status);
      me()
        .then((user) => {
          if (user?.role !== 'owner') {
            status.replaceChildren(ownerOnly());
            return;
          }
          const about = h('div', { class: 'stack' }, loading());
          const backups = h('div', { class: 'stack' });
          const check = h('div', { class: 'stack' });
          status.remove();
          page.append(card('This server', about), card('Backups', backups), card('Integrity check', check));
          serverCard(about);
          backupsCard(backups);
          checkCard(check);
        })
        .catch((err) => status.replaceChildren(h('p', { class: 'inline-error', role: 'alert' }, err instanceof Error ? err.message : String(err))));
      return page;
    },
  };
}
