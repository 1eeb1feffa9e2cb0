// @ts-check
import { emptyView } from './empty-view.js';

export const albumsView = () =>
  emptyView({
    title: 'Albums',
    heading: 'Albums are coming',
    icon: 'albums',
    paragraphs: [['Shared and live albums, with comments and reactions, arrive in a later version of Hearth.']],
  });
