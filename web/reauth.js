// @ts-check
/**
 * A fresh proof that it is you, asked in a dialog before an action that
 * hands over or removes control — deleting an account, handing over
 * ownership, changing a role, disabling a member, a recovery link. The
 * server wants the proof in the same request: the password (with a code
 * when two-step sign-in is on) or a passkey; some actions also want a
 * username typed.
 */
import { api } from './api.js';
import { openDialog } from './dialog.js';
import { h } from './dom.js';
import { me } from './session.js';
import { busy, button, errorSlot, field, showIn } from './ui.js';
import { PasskeyCancelled, getPasskey, passkeyProblem } from './webauthn.js';

/** @typedef {{ password?: string, code?: string, ceremony?: string, credential?: unknown }} Proof */

/**
 * Opens the dialog; `act` runs with the proof (and what was typed). When it
 * succeeds the dialog closes, or `done` takes it over (to show a result).
 * @param {object} spec
 * @param {string} spec.heading
 * @param {(Node | string)[]} spec.body what will happen, in words
 * @param {string} spec.confirm the action button's words
 * @param {{ label: string, expect: string }} [spec.typed] a name typed to confirm
 * @param {boolean} [spec.danger]
 * @param {(proof: Proof, typed: string) => Promise<any>} spec.act
 * @param {(result: any, dialog: HTMLDialogElement) => void} [spec.done]
 * @param {() => void} [spec.onClose]
 */
export async function proveIt({ heading, body, confirm, typed, danger = false, act, done, onClose }) {
  const user = await me();
  if (!user) return;
  const formId = `proof-${Math.random().toString(36).slice(2, 8)}`;
  const error = errorSlot();
  const typedField = typed ? field(typed.label, { name: 'confirm', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', required: '' }) : null;
  const typedInput = /** @type {HTMLInputElement | null} */ (typedField?.querySelector('input') ?? null);
  const password = user.has_password ? field('Your password', { name: 'password', type: 'password', autocomplete: 'current-password' }) : null;
  const passwordInput = /** @type {HTMLInputElement | null} */ (password?.querySelector('input') ?? null);
  const code = user.has_password && user.totp_enabled
    ? field('Code from your authenticator app', { name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code' }, 'Or one of your recovery codes.')
    : null;
  const codeInput = /** @type {HTMLInputElement | null} */ (code?.querySelector('input') ?? null);
  const passkey = button('Use passkey', { class: 'button button-secondary', hidden: '' });
  const passkeyNote = h('p', { class: 'muted', hidden: '' });
  const go = h('button', { type: 'submit', class: `button ${danger ? 'button-danger' : ''}`.trim(), form: formId, disabled: '' }, confirm);
  if (!password) go.hidden = true;
  const cancel = button('Cancel', { class: 'button button-secondary' });

  const matches = () => !typed || typedInput?.value.trim().toLowerCase() === typed.expect.toLowerCase();
  const sync = () => {
    go.disabled = !matches() || !passwordInput?.value || (!!codeInput && !codeInput.value.trim());
    passkey.disabled = !matches();
  };
  for (const input of [typedInput, passwordInput, codeInput]) input?.addEventListener('input', sync);
  sync();

  api('/server/info')
    .then((info) => {
      const why = passkeyProblem(info);
      passkey.hidden = !!why;
      if (why && !password) {
        passkeyNote.hidden = false;
        passkeyNote.textContent = `Passkeys cannot be used here, and you have no password. ${why}`;
      }
    })
    .catch((err) => showIn(error, err));

  const form = h(
    'form',
    { class: 'stack dialog-form', id: formId, novalidate: '' },
    ...body.map((part) => (typeof part === 'string' ? h('p', {}, part) : part)),
    typedField,
    h('p', { class: 'field-label' }, password ? 'Confirm it is you, with your password or a passkey:' : 'Confirm it is you with a passkey:'),
    password,
    code,
    passkey,
    passkeyNote,
    error,
  );
  const dialog = openDialog({ heading, body: [form], actions: [cancel, go], onClose });
  cancel.addEventListener('click', () => dialog.close());

  /** @param {Proof} proof */
  const run = async (proof) => {
    const result = await act(proof, typedInput?.value.trim() ?? '');
    if (done) done(result, dialog);
    else dialog.close();
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!matches()) {
      showIn(error, `Type ${typed?.expect} exactly, to confirm.`);
      return;
    }
    busy(go, error, () => run({ password: passwordInput?.value ?? '', ...(codeInput ? { code: codeInput.value.trim() } : {}) }));
  });
  passkey.addEventListener('click', () =>
    busy(passkey, error, async () => {
      if (!matches()) throw new Error(`Type ${typed?.expect} exactly, to confirm.`);
      const challenge = await api('/auth/passkey/start', { method: 'POST' });
      let credential;
      try {
        credential = await getPasskey(challenge.options);
      } catch (err) {
        if (err instanceof PasskeyCancelled) return;
        throw err;
      }
      await run({ ceremony: challenge.ceremony, credential });
    }),
  );
  (typedInput ?? passwordInput ?? passkey).focus();
}

/**
 * A button that opens the proof dialog (`spec` as for `proveIt`).
 * @param {string} text
 * @param {Parameters<typeof proveIt>[0]} spec
 * @param {string} [className]
 */
export function proofButton(text, spec, className = 'button button-quiet') {
  const control = button(text, { class: className });
  control.addEventListener('click', () => proveIt(spec));
  return control;
}
