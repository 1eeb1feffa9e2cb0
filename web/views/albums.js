// @ts-check
import { h } from '../dom.js';

export function albumsView() {
  return {
    title: 'Albums',
    render: () =>
      h(
        'hearth-empty-state',
        { heading: 'Albums are coming', icon: 'albums' },
        h('p', {}, 'Shared and live albums, with comments and reactions, arrive in a later version of Hearth.'),
      ),
  };
}
