// @ts-check
/** Sign-in: a passkey (button or the browser's autofill) or a password, then a two-step code if it is on. */
import { api } from '../api.js';
import { h } from '../dom.js';
import { navigate } from '../nav.js';
import { setMe } from '../session.js';
import { busy, button, errorSlot, field, showIn } from '../ui.js';
import { PasskeyCancelled, autofillAvailable, getPasskey, passkeyProblem } from '../webauthn.js';

/** Where to go after signing in: `?next=` if it is a path of this app. */
function next() {
  const target = new URLSearchParams(location.search).get('next') ?? '/';
  return target.startsWith('/') && !target.startsWith('//') ? target : '/';
}

/** @param {any} user */
function done(user) {
  setMe(user);
  navigate(next(), { replace: true });
}

export function signinView() {
  return {
    title: 'Sign in',
    public: true,
    render: () => {
      const error = errorSlot();
      const passkeyButton = button('Sign in with a passkey', { class: 'button button-wide' });
      const username = field('Username', { name: 'username', autocomplete: 'username webauthn', autocapitalize: 'none', spellcheck: 'false', required: '' });
      const password = field('Password', { name: 'password', type: 'password', autocomplete: 'current-password', required: '' });
      const submit = h('button', { type: 'submit', class: 'button button-wide button-secondary' }, 'Sign in with password');
      const form = h('form', { class: 'stack', novalidate: '' }, username, password, submit);
      const notice = h('p', { class: 'muted notice', hidden: '' });
      const body = h('div', { class: 'stack' }, passkeyButton, h('p', { class: 'divider' }, h('span', {}, 'or')), form, notice, error);
      const page = h('div', { class: 'auth-page' }, h('div', { class: 'auth-card card' }, h('h1', {}, 'Sign in to Hearth'), body));
      /** @type {AbortController | null} */
      let autofill = null;

      const finishPasskey = async (/** @type {{ autofill?: boolean, signal?: AbortSignal }} */ how) => {
        const challenge = await api('/auth/passkey/start', { method: 'POST' });
        const credential = await getPasskey(challenge.options, how);
        done(await api('/auth/passkey/finish', { method: 'POST', body: { ceremony: challenge.ceremony, credential } }));
      };

      api('/server/info')
        .then(async (info) => {
          const why = passkeyProblem(info);
          if (why) {
            passkeyButton.hidden = true;
            body.querySelector('.divider')?.setAttribute('hidden', '');
            notice.hidden = false;
            notice.textContent = `Passkeys are not available here. ${why}`;
            return;
          }
          if (await autofillAvailable()) {
            autofill = new AbortController();
            finishPasskey({ autofill: true, signal: autofill.signal }).catch((err) => {
              if (!(err instanceof PasskeyCancelled)) showIn(error, err);
            });
          }
        })
        .catch((err) => showIn(error, err));

      passkeyButton.addEventListener('click', () =>
        busy(passkeyButton, error, async () => {
          autofill?.abort();
          try {
            await finishPasskey({});
          } catch (err) {
            if (err instanceof PasskeyCancelled) return;
            throw err;
          }
        }),
      );

      form.addEventListener('submit', (event) => {
        event.preventDefault();
        const data = new FormData(form);
        busy(submit, error, async () => {
          const result = await api('/auth/password', {
            method: 'POST',
            body: { username: data.get('username'), password: data.get('password') },
          });
          if (result.ceremony) {
            autofill?.abort();
            body.replaceChildren(secondFactor(result.ceremony));
          } else {
            done(result);
          }
        });
      });
      return page;
    },
  };
}

/** @param {string} ceremony */
function secondFactor(ceremony) {
  const error = errorSlot();
  const code = field(
    'Code from your authenticator app',
    { name: 'code', autocomplete: 'one-time-code', inputmode: 'numeric', required: '', autofocus: '' },
    'Lost your phone? Type one of your recovery codes instead.',
  );
  const submit = h('button', { type: 'submit', class: 'button button-wide' }, 'Continue');
  const form = h('form', { class: 'stack' }, h('p', {}, 'Your password was right. One more step: two-step codes are on for your account.'), code, submit, error);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = new FormData(form).get('code');
    busy(submit, error, async () => {
      done(await api('/auth/second-factor', { method: 'POST', body: { ceremony, code: value } }));
    });
  });
  return form;
}
