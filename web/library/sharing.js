// @ts-check
/**
 * Whether what a member uploads starts private or shared with the family:
 * asked once when they join (or set up Hearth), changed in Settings.
 */
import { api } from '../api.js';
import { h, stylesheet } from '../dom.js';
import { setMe } from '../session.js';

// Its styles come with it (not with the page), before it shows.
await stylesheet('styles/choices.css');

let count = 0;

/**
 * The two choices as radio buttons.
 * @param {'family' | 'private'} current
 */
export function sharingChoice(current) {
  const name = `sharing-${++count}`;
  const option = (/** @type {'family' | 'private'} */ value, /** @type {string} */ words, /** @type {string} */ hint) => {
    const input = h('input', { type: 'radio', name, value, id: `${name}-${value}` });
    /** @type {HTMLInputElement} */ (input).checked = value === current;
    return h('div', { class: 'choice' }, input, h('label', { for: input.id }, h('strong', {}, words), h('span', { class: 'muted' }, hint)));
  };
  return h(
    'fieldset',
    { class: 'choices' },
    h('legend', {}, 'Photos you upload'),
    option('family', 'Shared with the family', 'Everyone in the household sees them in Photos. You can make any of them private.'),
    option('private', 'Only you', 'Until you share them, one by one or a selection at a time.'),
  );
}

/** @param {HTMLElement} choice from sharingChoice */
export const chosen = (choice) => /** @type {'family' | 'private'} */ (/** @type {HTMLInputElement | null} */ (choice.querySelector('input:checked'))?.value ?? 'private');

/**
 * Stores the member's choice; answers them as they are now.
 * @param {'family' | 'private'} visibility
 */
export async function saveSharing(visibility) {
  const user = await api('/me', { method: 'PATCH', body: { default_visibility: visibility } });
  setMe(user);
  return user;
}
