// @ts-check
/** The audit log in words, for Security and Household. */
import { h } from './dom.js';
import { when } from './ui.js';

/** Audit actions in words. */
const ACTIONS = /** @type {Record<string, string>} */ ({
  'signin.succeeded': 'Signed in',
  'signin.failed': 'Failed sign-in',
  'setup.owner_created': 'Created the owner account',
  'invite.created': 'Created an invite',
  'invite.accepted': 'Joined with an invite',
  'invite.revoked': 'Withdrew an invite',
  'passkey.added': 'Added a passkey',
  'passkey.removed': 'Removed a passkey',
  'passkey.renamed': 'Renamed a passkey',
  'password.set': 'Set a password',
  'password.changed': 'Changed the password',
  'password.removed': 'Removed the password',
  'totp.enabled': 'Turned on two-step codes',
  'totp.disabled': 'Turned off two-step codes',
  'recovery_code.used': 'Used a recovery code',
  'token.created': 'Created an API token',
  'token.revoked': 'Revoked an API token',
  'member.role_changed': 'Changed a role',
  'member.disabled': 'Disabled an account',
  'member.enabled': 'Enabled an account',
  'recovery_link.created': 'Made a recovery link',
  'recovery_link.used': 'Used a recovery link',
  'ownership.transferred': 'Handed over ownership',
});

/**
 * @param {any[]} entries
 * @param {Map<number, string>} [names]
 */
export function activityList(entries, names) {
  if (!entries.length) return h('p', { class: 'muted' }, 'Nothing yet.');
  return h(
    'ul',
    { class: 'rows' },
    ...entries.slice(0, 50).map((entry) => {
      const who = names && entry.actor_id ? `${names.get(entry.actor_id) ?? 'Someone'}: ` : '';
      const detail = [entry.details?.device, entry.details?.method, entry.ip].filter(Boolean).join(' · ');
      return h('li', { class: 'row' }, h('div', { class: 'row-main' }, h('strong', {}, who + (ACTIONS[entry.action] ?? entry.action)), h('span', { class: 'muted' }, `${when(entry.at)}${detail ? ` · ${detail}` : ''}`)));
    }),
  );
}

