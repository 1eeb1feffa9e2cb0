// @ts-check
/**
 * Who is signed in, for the whole app. `me()` asks the server once and
 * remembers; signing in or out updates everyone through `hearth:me`.
 */
import { api } from './api.js';

/**
 * @typedef {object} Me
 * @property {number} id
 * @property {string} username
 * @property {string} display_name
 * @property {string | null} email
 * @property {'owner' | 'admin' | 'member'} role
 * @property {boolean} has_password
 * @property {boolean} totp_enabled
 * @property {'family' | 'private'} default_visibility what their uploads start as
 */

/** @type {Promise<Me | null> | null} */
let current = null;

/**
 * The signed-in member, or null. Asked again with `fresh` (each view does,
 * so a session ended elsewhere is noticed at once).
 * @param {{ fresh?: boolean }} [how]
 */
export function me(how = {}) {
  if (how.fresh) current = null;
  current ??= api('/auth/session')
    .then((state) => state.user)
    .catch((err) => {
      current = null;
      throw err;
    });
  return current;
}

/** @param {Me | null} value */
export function setMe(value) {
  current = Promise.resolve(value);
  window.dispatchEvent(new CustomEvent('hearth:me', { detail: value }));
}

export async function signOut() {
  await api('/auth/signout', { method: 'POST' }).catch(() => {});
  setMe(null);
}

/** @param {Me | null} user */
export function isAdmin(user) {
  return user?.role === 'owner' || user?.role === 'admin';
}
