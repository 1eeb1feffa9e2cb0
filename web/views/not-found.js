// @ts-check
import { h } from '../dom.js';

export function notFoundView() {
  return {
    title: 'Not found',
    render: () =>
      h(
        'hearth-empty-state',
        { heading: 'There is no page here', icon: 'compass' },
        h('p', {}, 'The address may be mistyped, or the page may have moved. ', h('a', { href: '/' }, 'Go to Photos'), '.'),
      ),
  };
}
