// @ts-check
import { h } from '../dom.js';
import { emptyView } from './empty-view.js';

export const notFoundView = () =>
  emptyView({
    title: 'Not found',
    heading: 'There is no page here',
    icon: 'compass',
    paragraphs: [['The address may be mistyped, or the page may have moved. ', h('a', { href: '/' }, 'Go to Photos'), '.']],
  });
