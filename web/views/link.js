// @ts-check
/**
 * The pages one-time links open: first-run setup (`/setup`), invites
 * (`/invite`) and account recovery (`/recover`). Each ends signed in.
 */
import { api } from '../api.js';
import { h } from '../dom.js';
import { chosen, saveSharing, sharingChoice } from '../library/sharing.js';
import { navigate } from '../nav.js';
import { setMe } from '../session.js';
import { busy, button, dayAndTime, errorSlot, field } from '../ui.js';
import { PasskeyCancelled, createPasskey, passkeyProblem } from '../webauthn.js';

/** @param {'setup' | 'invite' | 'recovery'} kind */
function askFor(kind) {
  return kind === 'setup' ? 'run `hearth setup-link` on the server for a new one' : 'ask whoever sent it for a new one';
}

/**
 * @param {'setup' | 'invite' | 'recovery'} kind
 * @param {string} state
 */
function unusable(kind, state) {
  const words = {
    expired: 'This link has expired.',
    used: 'This link has already been used.',
    revoked: 'This link was withdrawn.',
  };
  return h(
    'div',
    { class: 'stack' },
    h('h1', {}, 'This link does not work any more'),
    h('p', {}, `${words[/** @type {keyof typeof words} */ (state)] ?? 'This link cannot be used.'} If you still need it, ${askFor(kind)}.`),
    h('p', {}, h('a', { href: '/signin' }, 'Go to sign in')),
  );
}

/**
 * A recovery link in its waiting period: when it will work, and why.
 * @param {any} info
 */
function waiting(info) {
  return h(
    'div',
    { class: 'stack' },
    h('h1', {}, 'This recovery link works later'),
    h('p', {}, `For ${info.display_name}’s safety, a recovery link made in Hearth waits before it can be used: open this page again from ${dayAndTime(info.usable_at)}.`),
    h('p', { class: 'muted' }, 'Meanwhile the account’s devices and the owner were told about it, and can cancel it.'),
  );
}

/** @param {any} info */
function heading(info) {
  if (info.kind === 'setup') return ['Welcome to Hearth', 'Create the owner account. You will look after this server and invite the family.'];
  if (info.kind === 'invite') {
    return ["You're invited", `Join the family's Hearth${info.role === 'admin' ? ' as an admin' : ''}. Choose how the family will see you.`];
  }
  return [`Welcome back, ${info.display_name}`, 'Add a new passkey (or set a new password) to get back into your account. Every other device is signed out and API tokens are revoked; two-step codes, if you had them, are turned off (turn them on again in Settings → Security).'];
}

export function linkView() {
  return {
    title: 'Welcome',
    public: true,
    render: () => {
      const token = new URLSearchParams(location.search).get('token') ?? '';
      const box = h('div', { class: 'auth-card card' }, h('p', { class: 'muted' }, 'Checking the link…'));
      api('/links/inspect', { method: 'POST', body: { token } })
        .then(async (info) => {
          if (info.state === 'waiting') {
            box.replaceChildren(waiting(info));
            return;
          }
          if (info.state !== 'valid') {
            box.replaceChildren(unusable(info.kind, info.state));
            return;
          }
          const server = await api('/server/info');
          box.replaceChildren(form(token, info, passkeyProblem(server)));
        })
        .catch((err) =>
          box.replaceChildren(
            h('div', { class: 'stack' }, h('h1', {}, 'This link does not work'), h('p', {}, err.message), h('p', {}, h('a', { href: '/signin' }, 'Go to sign in'))),
          ),
        );
      return h('div', { class: 'auth-page' }, box);
    },
  };
}

/**
 * @param {string} token
 * @param {any} info
 * @param {string | null} passkeyProblem
 */
function form(token, info, passkeyProblem) {
  const [title, intro] = heading(info);
  const error = errorSlot();
  const creating = info.kind !== 'recovery';
  const fields = creating
    ? [
        field('Your name', { name: 'display_name', autocomplete: 'name', required: '', maxlength: '64' }, 'As the family will see it, e.g. “Grandma” or “Sam”.'),
        field('Username', { name: 'username', autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false', required: '', maxlength: '32' }, 'Lowercase letters, digits, dots, dashes. For signing in with a password.'),
        field('Email (optional)', { name: 'email', type: 'email', autocomplete: 'email' }),
      ]
    : [];
  const passwordField = field('Password', { name: 'password', type: 'password', autocomplete: 'new-password', minlength: '10' }, 'At least 10 characters. A few unrelated words work well.');
  passwordField.hidden = !passkeyProblem;
  const passkeyButton = button(creating ? 'Create account with a passkey' : 'Add a passkey', { class: 'button button-wide' });
  const passwordButton = h('button', { type: 'submit', class: 'button button-wide button-secondary' }, creating ? 'Use a password instead' : 'Set a password instead');
  const note = passkeyProblem
    ? h('p', { class: 'muted notice' }, `Passkeys are not available here. ${passkeyProblem}`)
    : h('p', { class: 'muted' }, 'A passkey lets you sign in with your fingerprint, face or screen lock. Nothing to remember.');
  if (passkeyProblem) {
    passkeyButton.hidden = true;
    passwordButton.textContent = creating ? 'Create account' : 'Set password';
    passwordButton.classList.remove('button-secondary');
  }
  // Asked once, when the account is made: a spouse should not start with an empty timeline.
  const sharing = creating ? sharingChoice('family') : null;
  const formEl = h('form', { class: 'stack', novalidate: '' }, ...fields, sharing, passwordField, passkeyButton, passwordButton, error);

  const account = () => {
    if (!creating) return undefined;
    const data = new FormData(formEl);
    return { display_name: data.get('display_name'), username: data.get('username'), email: data.get('email') || null };
  };
  const finish = async (/** @type {any} */ user) => {
    setMe(sharing ? await saveSharing(chosen(sharing)) : user);
    navigate('/', { replace: true });
  };

  passkeyButton.addEventListener('click', () =>
    busy(passkeyButton, error, async () => {
      const challenge = await api('/links/passkey/start', { method: 'POST', body: { token, account: account() } });
      try {
        const credential = await createPasskey(challenge.options);
        await finish(await api('/links/passkey/finish', { method: 'POST', body: { ceremony: challenge.ceremony, credential } }));
      } catch (err) {
        if (!(err instanceof PasskeyCancelled)) throw err;
      }
    }),
  );
  formEl.addEventListener('submit', (event) => {
    event.preventDefault();
    if (passwordField.hidden) {
      passwordField.hidden = false;
      passwordButton.textContent = creating ? 'Create account' : 'Set password';
      passwordField.querySelector('input')?.focus();
      return;
    }
    const password = new FormData(formEl).get('password');
    busy(passwordButton, error, async () => {
      await finish(await api('/links/password', { method: 'POST', body: { token, account: account(), password } }));
    });
  });
  return h('div', { class: 'stack' }, h('h1', {}, title), h('p', {}, intro), note, formEl);
}

/** Shown while no owner exists and nobody opened the setup link. */
export function waitingView() {
  return {
    title: 'Almost ready',
    public: true,
    render: () =>
      h(
        'hearth-empty-state',
        { heading: 'Hearth is almost ready', icon: 'flame' },
        h('p', {}, 'The owner account has not been created yet. The link to create it is in the server’s log.'),
        h('p', {}, 'Lost it? Run ', h('code', {}, 'hearth setup-link'), ' on the server for a new one.'),
      ),
  };
}
