// @ts-check
import { h } from '../dom.js';
import { emptyView } from './empty-view.js';

/** The timeline. The library (import, thumbnails, timeline) is not built yet. */
export const photosView = () =>
  emptyView({
    title: 'Photos',
    heading: "Your family's photos will live here",
    icon: 'photos',
    paragraphs: [
      ['The photo library arrives in a later version of Hearth: import folders, uploads from phones, and a timeline of every year.'],
      ['This server is already running. ', h('a', { href: '/settings' }, 'See its status in Settings'), '.'],
    ],
  });
