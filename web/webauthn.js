// @ts-check
/**
 * Passkeys in the browser: turns the server's JSON options into what
 * `navigator.credentials` takes, and the resulting credential back into
 * JSON. Uses the browser's own JSON support where it exists.
 */

/** @param {string} text base64url */
function fromBase64url(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0)).buffer;
}

/** @param {ArrayBuffer | null | undefined} buffer */
function toBase64url(buffer) {
  if (!buffer) return undefined;
  let binary = '';
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Why passkeys cannot be used here, or null when they can: the server's
 * reason, this browser's, or this page being at another address than the
 * one passkeys are bound to.
 * @param {{ passkeys_unavailable?: string | null, public_url?: string }} info from `/api/server/info`
 */
export function passkeyProblem(info) {
  if (info.passkeys_unavailable) return info.passkeys_unavailable;
  if (info.public_url && new URL(info.public_url).origin !== location.origin) {
    return `Passkeys work at ${new URL(info.public_url).origin}, and this page was opened at ${location.origin}. Open Hearth at its own address.`;
  }
  return passkeySupportProblem();
}

/** Why passkeys cannot be used in this browser, or null when they can. */
export function passkeySupportProblem() {
  if (!window.isSecureContext) {
    return 'Passkeys need a secure connection (HTTPS), and this page was opened over plain http.';
  }
  if (!window.PublicKeyCredential || !navigator.credentials) {
    return 'This browser does not support passkeys.';
  }
  return null;
}

/** True when the browser can offer passkeys in the username field's autofill. */
export async function autofillAvailable() {
  const PKC = /** @type {any} */ (window.PublicKeyCredential);
  return !!PKC && typeof PKC.isConditionalMediationAvailable === 'function' && (await PKC.isConditionalMediationAvailable());
}

/**
 * @param {any} publicKey creation options JSON
 * @returns {PublicKeyCredentialCreationOptions}
 */
function creationOptions(publicKey) {
  const PKC = /** @type {any} */ (window.PublicKeyCredential);
  if (typeof PKC.parseCreationOptionsFromJSON === 'function') return PKC.parseCreationOptionsFromJSON(publicKey);
  return {
    ...publicKey,
    challenge: fromBase64url(publicKey.challenge),
    user: { ...publicKey.user, id: fromBase64url(publicKey.user.id) },
    excludeCredentials: (publicKey.excludeCredentials ?? []).map((/** @type {any} */ c) => ({ ...c, id: fromBase64url(c.id) })),
  };
}

/**
 * @param {any} publicKey request options JSON
 * @returns {PublicKeyCredentialRequestOptions}
 */
function requestOptions(publicKey) {
  const PKC = /** @type {any} */ (window.PublicKeyCredential);
  if (typeof PKC.parseRequestOptionsFromJSON === 'function') return PKC.parseRequestOptionsFromJSON(publicKey);
  return {
    ...publicKey,
    challenge: fromBase64url(publicKey.challenge),
    allowCredentials: (publicKey.allowCredentials ?? []).map((/** @type {any} */ c) => ({ ...c, id: fromBase64url(c.id) })),
  };
}

/**
 * A credential as JSON the server reads.
 * @param {any} credential
 */
function credentialJSON(credential) {
  if (typeof credential.toJSON === 'function') return credential.toJSON();
  const response = credential.response;
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    extensions: credential.getClientExtensionResults?.() ?? {},
    response: {
      clientDataJSON: toBase64url(response.clientDataJSON),
      attestationObject: toBase64url(response.attestationObject),
      authenticatorData: toBase64url(response.authenticatorData),
      signature: toBase64url(response.signature),
      userHandle: toBase64url(response.userHandle),
      transports: response.getTransports?.(),
    },
  };
}

/** The person closed the passkey prompt, or it timed out. */
export class PasskeyCancelled extends Error {}

/** @param {unknown} err */
function cancelled(err) {
  return err instanceof DOMException && (err.name === 'NotAllowedError' || err.name === 'AbortError');
}

/**
 * Runs a registration ceremony with the server's options.
 * @param {any} options `{ publicKey }`
 */
export async function createPasskey(options) {
  try {
    const credential = await navigator.credentials.create({ publicKey: creationOptions(options.publicKey) });
    return credentialJSON(credential);
  } catch (err) {
    if (cancelled(err)) throw new PasskeyCancelled('No passkey was made.');
    throw err;
  }
}

/**
 * Runs a sign-in ceremony. With `autofill`, the browser offers passkeys in
 * the username field instead of a dialog, until `signal` aborts.
 * @param {any} options `{ publicKey, mediation }`
 * @param {{ autofill?: boolean, signal?: AbortSignal }} [how]
 */
export async function getPasskey(options, how = {}) {
  /** @type {CredentialRequestOptions} */
  const request = { publicKey: requestOptions(options.publicKey), signal: how.signal };
  if (how.autofill) /** @type {any} */ (request).mediation = 'conditional';
  try {
    const credential = await navigator.credentials.get(request);
    return credentialJSON(credential);
  } catch (err) {
    if (cancelled(err)) throw new PasskeyCancelled('No passkey was used.');
    throw err;
  }
}
