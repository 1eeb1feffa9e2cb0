// @ts-check
import { h } from '../dom.js';

/**
 * A view that only shows an empty state: for parts not built yet, said
 * honestly, and for addresses that lead nowhere.
 * @param {{ title: string, heading: string, icon: string, paragraphs: (string | Node)[][] }} content
 */
export function emptyView({ title, heading, icon, paragraphs }) {
  return {
    title,
    render: () => h('hearth-empty-state', { heading, icon }, ...paragraphs.map((parts) => h('p', {}, ...parts))),
  };
}
