// @ts-check
import { emptyView } from './empty-view.js';

export const searchView = () =>
  emptyView({
    title: 'Search',
    heading: 'Search is coming',
    icon: 'search',
    paragraphs: [['Finding photos by place, date, camera, caption or comment arrives in a later version of Hearth.']],
  });
