// @ts-check
/**
 * `/cancel-deletion?token=…`: the link a member gets when they ask for
 * their account to be deleted. Until it is purged, one button keeps it.
 * No session needed (deleting the account ended them all).
 */
import { api, ApiError } from '../api.js';
import { h } from '../dom.js';
import { busy, button, errorSlot } from '../ui.js';

/** @param {string} why */
function unusable(why) {
  return h(
    'div',
    { class: 'stack' },
    h('h1', {}, 'This link does not work any more'),
    h('p', {}, why),
    h('p', {}, 'If the account is still waiting to be deleted, the owner of this Hearth can keep it (Settings → Privacy).'),
    h('p', {}, h('a', { href: '/signin' }, 'Go to sign in')),
  );
}

export function cancelDeletionView() {
  return {
    title: 'Keep your account',
    public: true,
    render: () => {
      const token = new URLSearchParams(location.search).get('token') ?? '';
      const box = h('div', { class: 'auth-card card' });
      const page = h('div', { class: 'auth-page' }, box);
      if (!token) {
        box.append(unusable('The link is incomplete: copy all of it, up to the end of the token.'));
        return page;
      }
      const error = errorSlot();
      const keep = button('Keep my account', { class: 'button button-wide' });
      keep.addEventListener('click', () =>
        busy(keep, error, async () => {
          try {
            const answer = await api('/account-deletion/cancel', { method: 'POST', body: { token } });
            box.replaceChildren(
              h(
                'div',
                { class: 'stack' },
                h('h1', {}, 'Your account is back'),
                h('p', {}, `Welcome back${answer?.display_name ? `, ${answer.display_name}` : ''}. Nothing was deleted: your photos, albums and comments are as they were.`),
                h('p', {}, 'You were signed out when you asked for the deletion: sign in as before, with your passkey or password.'),
                h('a', { class: 'button button-wide', href: '/signin' }, 'Sign in'),
              ),
            );
          } catch (err) {
            if (err instanceof ApiError && (err.code === 'link_unusable' || err.status === 410)) {
              box.replaceChildren(unusable('It was used already, or the account has been deleted for good: then nothing can bring it back.'));
              return;
            }
            throw err;
          }
        }),
      );
      box.append(
        h(
          'div',
          { class: 'stack' },
          h('h1', {}, 'Keep your account?'),
          h('p', {}, 'Your account is waiting to be deleted. Until it is purged, this brings it back as it was: your photos, albums, comments and everything else.'),
          keep,
          error,
          h('p', { class: 'muted' }, 'Still want it gone? Do nothing: it is purged on the day you were told.'),
        ),
      );
      return page;
    },
  };
}
