// @ts-check
/** Settings → Security: passkeys, password, two-step codes, sessions, API tokens, activity. */
import { api } from '../api.js';
import { askText } from '../dialog.js';
import { h } from '../dom.js';
import { me, setMe } from '../session.js';
import { activityList } from '../activity.js';
import { action, busy, button, card, copyable, dayAndTime, errorSlot, field, refresh, when } from '../ui.js';
import { proofButton, proveIt } from '../reauth.js';
import { PasskeyCancelled, createPasskey, passkeyProblem } from '../webauthn.js';

function passkeysCard() {
  const body = h('div', { class: 'stack' });
  const load = async () => {
    const error = errorSlot();
    const keys = await api('/me/passkeys');
    const rows = keys.map((/** @type {any} */ key) =>
      h(
        'li',
        { class: 'row' },
        h('div', { class: 'row-main' }, h('strong', {}, key.name), h('span', { class: 'muted' }, `Added ${when(key.created_at)} · ${key.last_used_at ? `last used ${when(key.last_used_at)}` : 'not used to sign in yet'}`)),
        action('Rename', async () => {
          const name = await askText({ heading: 'Rename this passkey', label: 'Name', confirm: 'Rename', value: key.name });
          if (name === null) return;
          await api(`/me/passkeys/${key.id}`, { method: 'PATCH', body: { name } });
          await refresh(body, load);
        }, error),
        proofButton('Remove', {
          heading: `Remove the passkey “${key.name}”?`,
          body: ['It will no longer sign in to your account.'],
          confirm: 'Remove',
          danger: true,
          act: (proof) => api(`/me/passkeys/${key.id}`, { method: 'DELETE', body: proof }),
          done: (_, dialog) => {
            dialog.close();
            refresh(body, load);
          },
        }),
      ),
    );
    const problem = passkeyProblem(await api('/server/info'));
    const add = button('Add a passkey');
    add.addEventListener('click', async () => {
      const name = await askText({ heading: 'Add a passkey', label: 'A name for it (e.g. “My laptop”)', confirm: 'Continue' });
      if (name === null) return;
      proveIt({
        heading: 'Add a passkey?',
        body: ['Whoever holds a passkey can sign in to your account, so Hearth asks first that it is really you.'],
        confirm: 'Continue',
        act: (proof) => api('/me/passkeys/start', { method: 'POST', body: { name, ...proof } }),
        done: (challenge, dialog) => {
          dialog.close();
          busy(add, error, async () => {
            try {
              const credential = await createPasskey(challenge.options);
              await api('/me/passkeys/finish', { method: 'POST', body: { ceremony: challenge.ceremony, credential } });
            } catch (err) {
              if (!(err instanceof PasskeyCancelled)) throw err;
            }
            await refresh(body, load);
          });
        },
      });
    });
    return [
      keys.length ? h('ul', { class: 'rows' }, ...rows) : h('p', { class: 'muted' }, 'No passkeys yet. A passkey signs you in with your fingerprint, face or screen lock.'),
      problem ? h('p', { class: 'muted' }, problem) : add,
      error,
    ];
  };
  refresh(body, load);
  return card('Passkeys', body);
}

function passwordCard() {
  const body = h('div', { class: 'stack' });
  const load = async () => {
    const user = await me();
    const error = errorSlot();
    const current = user?.has_password ? field('Current password', { name: 'current', type: 'password', autocomplete: 'current-password' }) : null;
    const next = field('New password', { name: 'new', type: 'password', autocomplete: 'new-password' }, 'At least 10 characters. A few unrelated words work well.');
    const save = h('button', { type: 'submit', class: 'button' }, user?.has_password ? 'Change password' : 'Set a password');
    const form = h('form', { class: 'stack' }, current, next, save);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const data = new FormData(form);
      /** @param {Record<string, unknown>} proof */
      const store = (proof) => api('/me/password', { method: 'PUT', body: { current: data.get('current'), new: data.get('new'), ...proof } });
      /** @param {any} changed */
      const stored = async (changed) => {
        setMe(changed);
        await refresh(body, load);
      };
      if (user?.has_password) {
        busy(save, error, async () => stored(await store({})));
        return;
      }
      // A first password is a new way in: a passkey proves it is you.
      proveIt({
        heading: 'Add a password?',
        body: ['A password is a way into your account for whoever knows it, so Hearth asks first that it is really you.'],
        confirm: 'Continue',
        act: store,
        done: (changed, dialog) => {
          dialog.close();
          stored(changed);
        },
      });
    });
    const remove = user?.has_password
      ? proofButton('Remove password', {
          heading: 'Remove your password?',
          body: ['You will sign in with passkeys only.'],
          confirm: 'Remove password',
          danger: true,
          act: (proof) => api('/me/password', { method: 'DELETE', body: proof }),
          done: (changed, dialog) => {
            dialog.close();
            setMe(changed);
            refresh(body, load);
          },
        })
      : null;
    return [
      h('p', { class: 'muted' }, user?.has_password ? 'You can sign in with your username and password.' : 'You sign in with passkeys only. A password helps where passkeys cannot work.'),
      form,
      remove,
      error,
    ];
  };
  refresh(body, load);
  return card('Password', body);
}

function totpCard() {
  const body = h('div', { class: 'stack' });
  /** Whether the card was drawn for someone with a password. */
  let withPassword = false;
  // A password set or removed in the card above changes this one at once.
  const onMe = (/** @type {Event} */ event) => {
    if (!body.isConnected) window.removeEventListener('hearth:me', onMe);
    else if (/** @type {CustomEvent} */ (event).detail?.has_password !== withPassword) refresh(body, load);
  };
  window.addEventListener('hearth:me', onMe);
  const load = async () => {
    const user = await me();
    withPassword = !!user?.has_password;
    const error = errorSlot();
    if (!user?.has_password) return [h('p', { class: 'muted' }, 'Two-step codes protect password sign-in. Set a password first to use them.')];
    if (user.totp_enabled) {
      const code = field('A current code (or a recovery code)', { name: 'code', autocomplete: 'one-time-code', inputmode: 'numeric' });
      const off = h('button', { type: 'submit', class: 'button button-secondary' }, 'Turn off two-step codes');
      const form = h('form', { class: 'stack' }, code, off);
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        busy(off, error, async () => {
          await api('/me/totp/disable', { method: 'POST', body: { code: new FormData(form).get('code') } });
          setMe(await api('/me'));
          await refresh(body, load);
        });
      });
      return [h('p', {}, 'On: signing in with your password also asks for a code from your authenticator app.'), form, error];
    }
    const start = proofButton('Turn on two-step codes', {
      heading: 'Turn on two-step codes?',
      body: ['Whoever sets them up holds the codes your password then needs, so Hearth asks first that it is really you.'],
      confirm: 'Continue',
      act: (proof) => api('/me/totp/start', { method: 'POST', body: proof }),
      done: (/** @type {any} */ enrolment, dialog) => {
        dialog.close();
        const qr = h('img', { class: 'qr', alt: 'QR code for your authenticator app', src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qr_svg)}` });
        const code = field('The 6-digit code the app shows', { name: 'code', autocomplete: 'one-time-code', inputmode: 'numeric', required: '' });
        const confirmButton = h('button', { type: 'submit', class: 'button' }, 'Confirm');
        const form = h('form', { class: 'stack' }, code, confirmButton);
        form.addEventListener('submit', (event) => {
          event.preventDefault();
          busy(confirmButton, error, async () => {
            const result = await api('/me/totp/confirm', { method: 'POST', body: { code: new FormData(form).get('code') } });
            setMe(await api('/me'));
            body.replaceChildren(
              h('p', {}, 'Two-step codes are on. Keep these recovery codes somewhere safe: each works once if you lose your phone. They are shown only now.'),
              h('ul', { class: 'codes' }, ...result.codes.map((/** @type {string} */ c) => h('li', {}, c))),
              copyable(result.codes.join(' '), 'Recovery codes'),
            );
          });
        });
        body.replaceChildren(
          h('p', {}, 'Scan this with an authenticator app, or type the key into it:'),
          qr,
          copyable(enrolment.secret, 'Key for the authenticator app'),
          form,
          error,
        );
      },
    }, 'button');
    return [h('p', { class: 'muted' }, 'Off. With two-step codes, a password alone is not enough to sign in.'), start, error];
  };
  refresh(body, load);
  return card('Two-step codes', body);
}

function sessionsCard() {
  const body = h('div', { class: 'stack' });
  const load = async () => {
    const error = errorSlot();
    const sessions = await api('/me/sessions');
    const rows = sessions.map((/** @type {any} */ s) =>
      h(
        'li',
        { class: 'row' },
        h('div', { class: 'row-main' }, h('strong', {}, s.device, s.current ? h('span', { class: 'badge' }, 'This device') : null), h('span', { class: 'muted' }, [`Signed in ${when(s.created_at)}`, `last active ${when(s.last_seen_at)}`, s.ip ? (s.home_network ? `on the home network (${s.ip})` : `from ${s.ip}`) : null].filter(Boolean).join(' · '))),
        action('Rename', async () => {
          const name = await askText({ heading: 'Name this device', label: 'Name (e.g. “Kitchen laptop”)', confirm: 'Rename', value: s.device });
          if (name === null) return;
          await api(`/me/sessions/${s.id}`, { method: 'PATCH', body: { name } });
          await refresh(body, load);
        }, error),
        s.current
          ? null
          : action('Sign out', async () => {
              await api(`/me/sessions/${s.id}`, { method: 'DELETE' });
              await refresh(body, load);
            }, error, { heading: 'Sign this device out?', message: `${s.device} will have to sign in again to see the family’s photos.`, confirm: 'Sign out' }),
      ),
    );
    const others = sessions.length > 1
      ? action('Sign out everywhere else', async () => {
          await api('/me/sessions/revoke-others', { method: 'POST' });
          await refresh(body, load);
        }, error, { heading: 'Sign out everywhere else?', message: 'Every other browser and device signed in to your account is signed out; this one stays signed in.', confirm: 'Sign them out' })
      : null;
    return [h('ul', { class: 'rows' }, ...rows), others, error];
  };
  refresh(body, load);
  return card('Where you are signed in', body);
}

function tokensCard() {
  const body = h('div', { class: 'stack' });
  const load = async () => {
    const error = errorSlot();
    const tokens = await api('/me/tokens');
    const rows = tokens.map((/** @type {any} */ t) =>
      h(
        'li',
        { class: 'row' },
        h('div', { class: 'row-main' }, h('strong', {}, t.name), h('span', { class: 'muted' }, `${t.scopes.join(', ')} · created ${when(t.created_at)} · last used ${when(t.last_used_at)}`)),
        action('Revoke', async () => {
          await api(`/me/tokens/${t.id}`, { method: 'DELETE' });
          await refresh(body, load);
        }, error, { heading: `Revoke “${t.name}”?`, message: 'Scripts and apps using this token stop working at once. A revoked token cannot be brought back; you can make a new one.', confirm: 'Revoke' }),
      ),
    );
    const name = field('Name', { name: 'name', required: '', maxlength: '64', placeholder: 'e.g. Backup script' });
    const read = h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'read', checked: '' }), 'Read photos');
    const upload = h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'upload' }), 'Upload photos');
    const create = h('button', { type: 'submit', class: 'button' }, 'Create token');
    const form = h('form', { class: 'stack' }, name, h('div', { class: 'checks' }, read, upload), create);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const scopes = ['read', 'upload'].filter((scope) => data.get(scope));
      proveIt({
        heading: 'Create an API token?',
        body: [`A script holding it can ${scopes.includes('read') ? 'read your library' : ''}${scopes.length === 2 ? ' and ' : ''}${scopes.includes('upload') ? 'add to it' : ''} until you revoke it, so Hearth asks first that it is really you.`],
        confirm: 'Create token',
        act: (proof) => api('/me/tokens', { method: 'POST', body: { name: data.get('name'), scopes, ...proof } }),
        done: async (created, dialog) => {
          dialog.close();
          await refresh(body, load);
          body.prepend(h('div', { class: 'stack callout' }, h('p', {}, 'Copy the token now. Hearth keeps only a fingerprint of it and cannot show it again.'), copyable(created.token, 'New API token')));
        },
      });
    });
    return [tokens.length ? h('ul', { class: 'rows' }, ...rows) : h('p', { class: 'muted' }, 'No API tokens. Scripts use them instead of signing in.'), form, error];
  };
  refresh(body, load);
  return card('API tokens', body);
}

/** What a recovery link of yours is doing, in words. @param {any} link */
function recoveryWords(link) {
  const by = link.made_by ? `Made by ${link.made_by}` : 'Made on the server';
  const made = `${by} ${when(link.created_at)}`;
  switch (link.state) {
    case 'waiting':
      return `${made} · works from ${dayAndTime(link.usable_at)} unless you cancel it`;
    case 'valid':
      return `${made} · can be used until ${dayAndTime(link.expires_at)}`;
    case 'used':
      return `${made} · used ${when(link.used_at)}`;
    case 'revoked':
      return `${made} · cancelled ${when(link.cancelled_at)}`;
    default:
      return `${made} · expired unused`;
  }
}

/**
 * Recovery links for your account: who made each and when, and a way to
 * cancel one you did not ask for. Hidden while there have been none.
 */
function recoveryCard() {
  const body = h('div', { class: 'stack' });
  const section = card('Recovery links', body);
  section.hidden = true;
  const load = async () => {
    const error = errorSlot();
    const links = await api('/me/recovery-links');
    section.hidden = links.length === 0;
    const open = links.some((/** @type {any} */ link) => link.state === 'waiting' || link.state === 'valid');
    const rows = links.map((/** @type {any} */ link) => {
      const live = link.state === 'waiting' || link.state === 'valid';
      return h(
        'li',
        { class: 'row' },
        h('div', { class: 'row-main' }, h('strong', {}, live ? 'Can let someone into your account' : 'Recovery link', live ? h('span', { class: 'badge badge-bad' }, link.state === 'waiting' ? 'Waiting' : 'Usable') : null), h('span', { class: 'muted' }, recoveryWords(link))),
        live
          ? action('Cancel it', async () => {
              await api(`/recovery-links/${link.id}`, { method: 'DELETE' });
              await refresh(body, load);
            }, error)
          : null,
      );
    });
    return [
      open ? h('p', { class: 'callout' }, 'Whoever holds a recovery link can add a passkey or password to your account, which signs out your other devices. If you did not ask for it, cancel it.') : null,
      h('ul', { class: 'rows' }, ...rows),
      error,
    ];
  };
  refresh(body, load);
  return section;
}

function activityCard() {
  const body = h('div', { class: 'stack' });
  refresh(body, async () => {
    const [entries, user] = await Promise.all([api('/me/activity'), me()]);
    return [activityList(entries, undefined, user?.id)];
  });
  return card('Security activity', body);
}

export function securityView() {
  return {
    title: 'Security',
    render: () =>
      h(
        'div',
        { class: 'page' },
        h('p', { class: 'crumb' }, h('a', { href: '/settings' }, '← Settings')),
        h('h1', {}, 'Security'),
        passkeysCard(),
        passwordCard(),
        totpCard(),
        sessionsCard(),
        tokensCard(),
        recoveryCard(),
        activityCard(),
      ),
  };
}
