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
  'recovery_link.cancelled': 'Cancelled a recovery link',
  'ownership.transferred': 'Handed over ownership',
});

/** What someone else did to your account, in words for you. */
const TO_YOU = /** @type {Record<string, string>} */ ({
  'member.role_changed': 'Your role was changed',
  'member.disabled': 'Your account was disabled',
  'member.enabled': 'Your account was enabled',
  'recovery_link.created': 'A recovery link was made for your account',
  'recovery_link.cancelled': 'A recovery link for your account was cancelled',
  'ownership.transferred': 'You were handed ownership',
  'signin.failed': 'Failed sign-in',
});

/**
 * @param {any[]} entries
 * @param {Map<number, string>} [names] who is who (the household's log)
 * @param {number} [self] your id (your own log): what others did to your
 *   account is said so
 */
export function activityList(entries, names, self) {
  if (!entries.length) return h('p', { class: 'muted' }, 'Nothing yet.');
  return h(
    'ul',
    { class: 'rows' },
    ...entries.slice(0, 50).map((entry) => {
      const who = names && entry.actor_id ? `${names.get(entry.actor_id) ?? 'Someone'}: ` : '';
      const byOther = self !== undefined && entry.actor_id !== self;
      const what = byOther ? (TO_YOU[entry.action] ?? `${ACTIONS[entry.action] ?? entry.action} (by someone else)`) : (ACTIONS[entry.action] ?? entry.action);
      const detail = [entry.details?.device, entry.details?.method, entry.ip].filter(Boolean).join(' · ');
      return h('li', { class: 'row' }, h('div', { class: 'row-main' }, h('strong', {}, who + what), h('span', { class: 'muted' }, `${when(entry.at)}${detail ? ` · ${detail}` : ''}`)));
    }),
  );
}

