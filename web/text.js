// @ts-check
/**
 * People's words, shown as plain text: built as DOM nodes (never parsed as
 * HTML), with http(s) links made clickable and `@username` mentions of
 * members emphasised.
 */
import { h } from './dom.js';

/** An http(s) address, up to the next space or angle bracket. */
const URL_LIKE = /\bhttps?:\/\/[^\s<>"]+/giu;
/** `@name` starting a word; names as the server reads them. */
const MENTION = /(^|[^\p{L}\p{N}])@([\p{L}\p{N}_.-]+)/gu;

/**
 * Trims what usually ends a sentence rather than an address: "see
 * https://x.org/a." links https://x.org/a. A closing bracket stays when
 * the address opened one.
 * @param {string} url
 */
function trimUrl(url) {
  let end = url.length;
  while (end > 0) {
    const last = url[end - 1];
    if (/[.,!?;:'*]/.test(last)) end--;
    else if (last === ')' && url.slice(0, end).split('(').length <= url.slice(0, end).split(')').length - 1) end--;
    else break;
  }
  return url.slice(0, end);
}

/**
 * @param {string} text
 * @param {Set<string>} members lower-case usernames to emphasise
 * @returns {Node[]}
 */
function mentions(text, members) {
  /** @type {Node[]} */
  const nodes = [];
  let at = 0;
  for (const match of text.matchAll(MENTION)) {
    const name = match[2].replace(/\.+$/, '');
    if (!members.has(name.toLowerCase())) continue;
    const start = (match.index ?? 0) + match[1].length;
    if (start > at) nodes.push(document.createTextNode(text.slice(at, start)));
    nodes.push(h('strong', { class: 'mention' }, `@${name}`));
    at = start + 1 + name.length;
  }
  if (at < text.length) nodes.push(document.createTextNode(text.slice(at)));
  return nodes;
}

/**
 * A fragment for `text`: its words as text nodes, links as
 * `<a target="_blank" rel="noopener noreferrer nofollow">`.
 * @param {string} text
 * @param {Set<string>} [members] lower-case usernames to emphasise
 * @returns {DocumentFragment}
 */
export function richText(text, members = new Set()) {
  const fragment = document.createDocumentFragment();
  let at = 0;
  for (const match of text.matchAll(URL_LIKE)) {
    const start = match.index ?? 0;
    const url = trimUrl(match[0]);
    let parsed = null;
    try {
      parsed = new URL(url);
    } catch {
      parsed = null;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol)) continue;
    fragment.append(...mentions(text.slice(at, start), members));
    fragment.append(h('a', { href: parsed.href, target: '_blank', rel: 'noopener noreferrer nofollow' }, url));
    at = start + url.length;
  }
  fragment.append(...mentions(text.slice(at), members));
  return fragment;
}
