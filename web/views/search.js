// @ts-check
import { h } from '../dom.js';

export function searchView() {
  return {
    title: 'Search',
    render: () =>
      h(
        'hearth-empty-state',
        { heading: 'Search is coming', icon: 'search' },
        h('p', {}, 'Finding photos by place, date, camera, caption or comment arrives in a later version of Hearth.'),
      ),
  };
}
