// @ts-check
/** Settings → Household (owner and admins): members, invites, recovery links, activity. */
import { api } from '../api.js';
import { count } from '../albums/roles.js';
import { h } from '../dom.js';
import { isAdmin, me } from '../session.js';
import { activityList } from '../activity.js';
import { proofButton, proveIt } from '../reauth.js';
import { action, busy, button, card, linkToSend, day, dayAndTime, errorSlot, field, notice, refresh, when } from '../ui.js';

const ROLE = /** @type {Record<string, string>} */ ({ owner: 'Owner', admin: 'Admin', member: 'Member' });

/** @param {HTMLElement} body @param {any} user */
function membersCard(body, user) {
  const load = async () => {
    const error = errorSlot();
    const members = await api('/household/members');
    const rows = members.map((/** @type {any} */ m) => {
      const controls = [];
      const pending = m.status === 'pending_deletion';
      if (pending) {
        controls.push(
          action('Cancel deletion', async () => {
            await api(`/household/members/${m.id}/deletion`, { method: 'DELETE' });
            notice(`${m.display_name}’s account is kept.`);
            await refresh(body, load);
          }, error),
        );
      } else if (m.role !== 'owner' && m.id !== user.id && (user.role === 'owner' || m.role === 'member')) {
        // Only the owner changes an admin.
        const role = h('select', { 'aria-label': `Role of ${m.display_name}` }, h('option', { value: 'member' }, 'Member'), h('option', { value: 'admin' }, 'Admin'));
        role.value = m.role;
        role.addEventListener('change', () => {
          const chosen = role.value;
          role.value = m.role;
          proveIt({
            heading: `Make ${m.display_name} ${chosen === 'admin' ? 'an admin' : 'a member'}?`,
            body: [chosen === 'admin' ? 'Admins invite people, change roles, disable accounts and make recovery links. They never see anyone’s private photos.' : `${m.display_name} will no longer run the household.`],
            confirm: chosen === 'admin' ? 'Make admin' : 'Make member',
            act: (proof) => api(`/household/members/${m.id}`, { method: 'PATCH', body: { role: chosen, ...proof } }),
            done: (_, dialog) => {
              dialog.close();
              refresh(body, load);
            },
          });
        });
        controls.push(role);
        if (m.status === 'active') {
          controls.push(
            proofButton('Disable', {
              heading: `Disable ${m.display_name}’s account?`,
              body: ['They are signed out everywhere, scripts included, until you enable the account again.'],
              confirm: 'Disable',
              danger: true,
              act: (proof) => api(`/household/members/${m.id}`, { method: 'PATCH', body: { active: false, ...proof } }),
              done: (_, dialog) => {
                dialog.close();
                refresh(body, load);
              },
            }),
          );
        } else {
          controls.push(
            proofButton('Enable', {
              heading: `Enable ${m.display_name}’s account?`,
              body: [`${m.display_name} can sign in again.`],
              confirm: 'Enable',
              act: (proof) => api(`/household/members/${m.id}`, { method: 'PATCH', body: { active: true, ...proof } }),
              done: (_, dialog) => {
                dialog.close();
                refresh(body, load);
              },
            }),
          );
        }
        if (m.status === 'active') {
          controls.push(
            proofButton('Recovery link', {
              heading: `A recovery link for ${m.display_name}?`,
              body: [`It lets ${m.display_name} add a new passkey or password after losing every device. It works only after a waiting period, and ${m.display_name} and the owner are told at once, so they can cancel it if nobody asked for it.`],
              confirm: 'Make the link',
              act: (proof) => api(`/household/members/${m.id}/recovery-link`, { method: 'POST', body: proof }),
              done: async (link, dialog) => {
                dialog.close();
                await refresh(body, load);
                const from = link.usable_at ? `It works from ${dayAndTime(link.usable_at)} (for safety it waits; ${m.display_name} and the owner were told and can cancel it), then for 24 hours, once.` : 'It works once, for 24 hours.';
                body.prepend(
                  h('div', { class: 'stack callout' }, h('p', {}, `Give this link to ${m.display_name}. ${from} It lets them add a new passkey or password, and signs out their other devices.`), linkToSend(link.url, 'Recovery link')),
                );
              },
            }),
          );
        }
      }
      if (user.role === 'owner' && m.role !== 'owner' && m.status === 'active') {
        controls.push(
          proofButton('Make owner…', {
            heading: `Hand ownership to ${m.display_name}?`,
            body: [`${m.display_name} becomes the owner of this Hearth: the server’s settings, backups and every account. You become an admin. Only ${m.display_name} can hand it back.`],
            typed: { label: `Type their username, ${m.username}, to confirm`, expect: m.username },
            confirm: 'Hand over ownership',
            danger: true,
            act: (proof, confirm) => api('/household/transfer-ownership', { method: 'POST', body: { user_id: m.id, confirm, ...proof } }),
            done: () => location.reload(),
          }),
        );
      }
      // The owner may delete anyone else's account; admins, members'.
      if (!pending && m.id !== user.id && m.role !== 'owner' && (user.role === 'owner' || m.role === 'member')) {
        const remove = button('Delete account…', { class: 'button button-quiet button-danger-quiet' });
        remove.addEventListener('click', () => deleteMemberDialog(m, () => refresh(body, load)));
        controls.push(remove);
      }
      const recovery = m.recovery
        ? h(
            'span',
            { class: 'muted recovery-note' },
            h('strong', {}, m.recovery.state === 'waiting' ? 'Recovery link waiting' : 'Recovery link open'),
            m.recovery.state === 'waiting'
              ? ` · made by ${m.recovery.made_by ?? 'the server'}, works from ${dayAndTime(m.recovery.usable_at)}`
              : ` · usable until ${dayAndTime(m.recovery.expires_at)}`,
          )
        : null;
      if (m.recovery && (user.role === 'owner' || m.recovery.made_by === user.display_name)) {
        controls.push(
          action('Cancel recovery link', async () => {
            await api(`/recovery-links/${m.recovery.id}`, { method: 'DELETE' });
            notice(`The recovery link for ${m.display_name} was cancelled.`);
            await refresh(body, load);
          }, error),
        );
      }
      const sign = [m.passkeys ? `${m.passkeys} passkey${m.passkeys === 1 ? '' : 's'}` : null, m.has_password ? 'password' : null].filter(Boolean).join(' + ');
      return h(
        'li',
        { class: 'row' },
        h('div', { class: 'row-main' }, h('strong', {}, m.display_name, m.status === 'disabled' ? h('span', { class: 'badge badge-bad' }, 'Disabled') : null), pending ? h('span', { class: 'badge badge-pending' }, `Deletion pending · purge on ${day(m.deletion?.purge_at)}`) : null, recovery, h('span', { class: 'muted' }, `@${m.username} · ${ROLE[m.role]} · ${sign || 'no way to sign in'}`)),
        ...controls,
      );
    });
    return [h('ul', { class: 'rows' }, ...rows), error];
  };
  refresh(body, load);
}

/**
 * Deleting a member's account: their username typed to confirm, and a
 * fresh proof that it is you.
 * @param {any} m the member
 * @param {() => Promise<void>} onDone
 */
async function deleteMemberDialog(m, onDone) {
  const days = await api('/me/privacy').then((/** @type {any} */ privacy) => privacy.retention.account_grace_days).catch(() => null);
  proveIt({
    heading: `Delete ${m.display_name}’s account?`,
    body: [
      `Everything ${m.display_name} keeps in Hearth is purged: their photos and videos, the albums they made (for everyone in them), comments, hearts, share links and passkeys. Until then, their comments show as “Deleted account”. Files in import folders stay on the NAS.`,
      days === null || days > 0
        ? `They are signed out everywhere at once. ${days ? `For ${count(days, 'day')} you` : 'Until the account is purged, you'} can still cancel it here; then everything is purged for good.`
        : 'They are signed out everywhere at once, and everything is purged at the next clean-up, within minutes. Until then you can still cancel it here.',
    ],
    typed: { label: `Type their username, ${m.username}, to confirm`, expect: m.username },
    confirm: 'Delete account',
    danger: true,
    act: (proof, confirm) => api(`/household/members/${m.id}/deletion`, { method: 'POST', body: { confirm, ...proof } }),
    done: (answer, dialog) => {
      dialog.close();
      notice(`${m.display_name}’s account will be purged on ${day(answer.purge_at)}.`);
      onDone();
    },
  });
}

/** @param {HTMLElement} body */
function invitesCard(body) {
  const load = async () => {
    const error = errorSlot();
    const invites = await api('/household/invites');
    const open = invites.filter((/** @type {any} */ i) => i.state === 'valid');
    const rows = invites.slice(0, 20).map((/** @type {any} */ i) =>
      h(
        'li',
        { class: 'row' },
        h('div', { class: 'row-main' }, h('strong', {}, i.label ?? 'Invite', ' ', h('span', { class: `badge badge-${i.state}` }, i.state)), h('span', { class: 'muted' }, `${ROLE[i.role]} · made ${when(i.created_at)} · until ${new Date(i.expires_at).toLocaleDateString()}`)),
        i.state === 'valid'
          ? action('Withdraw', async () => {
              await api(`/household/invites/${i.id}`, { method: 'DELETE' });
              await refresh(body, load);
            }, error, { heading: 'Withdraw this invitation?', message: 'The link stops working at once. You can make a new one at any time.', confirm: 'Withdraw' })
          : null,
      ),
    );
    const label = field('Who is it for? (optional)', { name: 'label', maxlength: '64', placeholder: 'e.g. Grandma' });
    const role = h('select', { name: 'role', 'aria-label': 'Role' }, h('option', { value: 'member' }, 'Member'), h('option', { value: 'admin' }, 'Admin'));
    const create = h('button', { type: 'submit', class: 'button' }, 'Create invite link');
    const form = h('form', { class: 'stack' }, label, h('div', { class: 'field' }, h('label', {}, 'Role', role)), create);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const data = new FormData(form);
      /** @param {Record<string, unknown>} proof */
      const invite = (proof) => api('/household/invites', { method: 'POST', body: { role: data.get('role'), label: data.get('label') || null, ...proof } });
      /** @param {any} link */
      const show = async (link) => {
        await refresh(body, load);
        body.prepend(h('div', { class: 'stack callout' }, h('p', {}, 'Send this link to the person you invite. It works once, for 7 days.'), linkToSend(link.url, 'Invite link')));
      };
      if (data.get('role') === 'admin') {
        // A new admin runs the household too: a fresh proof first.
        proveIt({
          heading: 'Invite an admin?',
          body: ['Admins invite people, change roles, disable accounts and make recovery links.'],
          confirm: 'Create invite link',
          act: invite,
          done: (link, dialog) => {
            dialog.close();
            show(link);
          },
        });
        return;
      }
      busy(create, error, async () => show(await invite({})));
    });
    return [form, invites.length ? h('ul', { class: 'rows' }, ...rows) : null, open.length ? null : h('p', { class: 'muted' }, 'No open invites.'), error];
  };
  refresh(body, load);
}

export function householdView() {
  return {
    title: 'Household',
    render: () => {
      const page = h('div', { class: 'page' }, h('p', { class: 'crumb' }, h('a', { href: '/settings' }, '← Settings')), h('h1', {}, 'Household'));
      const status = h('p', { class: 'muted' }, 'Loading…');
      page.append(status);
      me()
        .then((user) => {
          // A member is told whose page this is, and nothing is asked of the server.
          if (!isAdmin(user)) {
            status.replaceWith(
              h(
                'hearth-empty-state',
                { heading: 'The owner and admins run the household.', icon: 'people', level: '2' },
                h('p', {}, 'They invite the family, look after accounts and help anyone who is locked out. Your own account is in ', h('a', { href: '/settings/security' }, 'Settings → Security'), '.'),
              ),
            );
            return;
          }
          const members = h('div', { class: 'stack' });
          const invites = h('div', { class: 'stack' });
          const activity = h('div', { class: 'stack' });
          status.replaceWith(
            card('Members', members),
            card('Invite someone', invites),
            card('Household activity', h('p', { class: 'muted' }, 'Sign-ins and account changes. Never anyone’s photos.'), activity),
          );
          membersCard(members, user);
          invitesCard(invites);
          refresh(activity, async () => {
            const [entries, list] = await Promise.all([api('/household/activity'), api('/household/members')]);
            const names = new Map(list.map((/** @type {any} */ m) => [m.id, m.display_name]));
            return [activityList(entries, names)];
          });
        })
        .catch((err) => status.replaceWith(h('p', { class: 'inline-error', role: 'alert' }, err instanceof Error ? err.message : String(err))));
      return page;
    },
  };
}
