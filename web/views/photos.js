// @ts-check
import { h } from '../dom.js';

/** The timeline. The library (import, thumbnails, timeline) is not built yet. */
export function photosView() {
  return {
    title: 'Photos',
    render: () =>
      h(
        'hearth-empty-state',
        { heading: "Your family's photos will live here", icon: 'photos' },
        h('p', {}, 'The photo library arrives in a later version of Hearth: import folders, uploads from phones, and a timeline of every year.'),
        h('p', {}, 'This server is already running. ', h('a', { href: '/settings' }, 'See its status in Settings'), '.'),
      ),
  };
}
