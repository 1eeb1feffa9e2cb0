// @ts-check
/**
 * `<hearth-conversation>`: an album's conversation (or, with an asset,
 * one photo's): hearts, comments oldest first, and a box to write one.
 * Comments are plain text: links become links and members' `@username`s
 * are emphasised, all built as DOM nodes. New comments and hearts arrive
 * by server events, without a reload; what is being written or edited is
 * never disturbed.
 *
 * Set it up with `setup()` before it goes into the page.
 */
import { api, showError } from '../api.js';
import { confirmDialog } from '../dialog.js';
import { h, syncChildren } from '../dom.js';
import { listen, throttled } from '../events.js';
import { icons } from '../icons.js';
import { tileElement } from '../library/timeline.js';
import { richText } from '../text.js';
import { busy, button, errorSlot, showIn, when } from '../ui.js';

/** @typedef {import('../library/timeline.js').Brief} Brief */
/** @typedef {{ id: number, name: string, username: string }} Person */

/**
 * @typedef {object} Comment
 * @property {number} id
 * @property {number} [asset_id]
 * @property {Person} [author]
 * @property {string} [guest]
 * @property {string} body
 * @property {string} created_at
 * @property {string} [edited_at]
 * @property {boolean} mine
 * @property {boolean} removable
 */

/**
 * @typedef {object} Setup
 * @property {number} album
 * @property {number} [asset] one photo's conversation
 * @property {Person[]} members for mentions
 * @property {number} me your user id
 * @property {(id: number) => Brief | undefined} [assetOf] a photo of the album, for thumbnails
 * @property {(id: number) => void} [onOpenAsset] a comment's photo was chosen
 * @property {(comments: number) => void} [onCount] how many comments there are now
 */

export const MAX_COMMENT = 2000;

let serial = 0;

/** @param {string} iso */
const fullDate = (iso) => new Date(iso).toLocaleString(undefined, { dateStyle: 'long', timeStyle: 'short' });

/**
 * "Olivia", "Olivia and Ben", "Olivia, Ben and you".
 * @param {string[]} names
 */
function listed(names) {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

export class HearthConversation extends HTMLElement {
  constructor() {
    super();
    /** @type {Setup} */
    this.options = { album: 0, members: [], me: 0 };
    /** @type {Map<number, { key: string, node: HTMLElement }>} */
    this.nodes = new Map();
    /** @type {number | null} the comment being edited */
    this.editing = null;
    this.loaded = false;
    /** @type {(() => void)[]} */
    this.stops = [];
    this.update = throttled(() => this.load(), 250);
  }

  /** @param {Setup} options */
  setup(options) {
    this.options = options;
    if (this.isConnected) this.load();
  }

  /** @param {Person[]} members */
  setMembers(members) {
    this.options.members = members;
  }

  get path() {
    return `/albums/${this.options.album}`;
  }

  connectedCallback() {
    if (!this.querySelector('.convo')) this.build();
    this.stops.push(
      listen('comments', (event) => {
        if (event.album !== this.options.album) return;
        if (this.options.asset && !event.ids.includes(this.options.asset)) return;
        this.update();
      }),
      listen('resync', () => this.update()),
    );
    this.load();
  }

  disconnectedCallback() {
    for (const stop of this.stops.splice(0)) stop();
    this.update.cancel();
  }

  build() {
    const id = `convo-${++serial}`;
    this.heart = h('button', { type: 'button', class: 'heart-button', 'aria-pressed': 'false' });
    this.heartNames = h('span', { class: 'muted heart-names' });
    this.heart.addEventListener('click', () => this.toggleHeart());
    this.list = h('ol', { class: 'convo-list', 'aria-label': this.options.asset ? 'Comments on this photo' : 'Comments', 'aria-live': 'polite' });
    this.empty = h('p', { class: 'muted convo-empty' }, this.options.asset ? 'No comments on this photo yet.' : 'No comments yet. Say something nice.');
    this.error = errorSlot();

    // The composer.
    this.area = h('textarea', { id: `${id}-text`, name: 'body', rows: '2', maxlength: String(MAX_COMMENT), placeholder: this.options.asset ? 'Comment on this photo…' : 'Write a comment…', 'aria-autocomplete': 'list', 'aria-controls': `${id}-hints`, 'aria-describedby': `${id}-count` });
    this.counter = h('span', { class: 'muted convo-count', id: `${id}-count` }, `0 / ${MAX_COMMENT}`);
    this.hints = h('ul', { class: 'mention-hints', id: `${id}-hints`, role: 'listbox', 'aria-label': 'People to mention', hidden: '' });
    this.send = h('button', { type: 'submit', class: 'button' }, 'Send');
    const form = h(
      'form',
      { class: 'composer' },
      h('label', { for: this.area.id, class: 'visually-hidden' }, this.options.asset ? 'Comment on this photo' : 'Write a comment'),
      this.hints,
      this.area,
      h('div', { class: 'composer-foot' }, this.counter, h('span', { class: 'muted composer-tip' }, 'Ctrl+Enter sends'), this.send),
    );
    this.area.addEventListener('input', () => {
      this.grow(/** @type {HTMLTextAreaElement} */ (this.area));
      this.count();
      this.suggest();
    });
    this.area.addEventListener('keydown', (event) => this.composerKey(event, form));
    this.area.addEventListener('blur', () => setTimeout(() => this.closeHints(), 150));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.post();
    });
    this.replaceChildren(h('div', { class: 'convo' }, h('div', { class: 'convo-hearts' }, this.heart, this.heartNames), this.empty, this.list, form, this.error));
  }

  /** @param {HTMLTextAreaElement} area */
  grow(area) {
    area.style.height = 'auto';
    area.style.height = `${Math.min(area.scrollHeight + 2, 240)}px`;
  }

  count() {
    const area = /** @type {HTMLTextAreaElement} */ (this.area);
    const length = area.value.length;
    const counter = /** @type {HTMLElement} */ (this.counter);
    counter.textContent = `${length.toLocaleString()} / ${MAX_COMMENT.toLocaleString()}`;
    counter.classList.toggle('convo-count-near', length > MAX_COMMENT - 200);
  }

  async load() {
    const path = this.options.asset ? `${this.path}/comments?asset=${this.options.asset}` : `${this.path}/comments`;
    try {
      const conversation = await api(path);
      this.render(conversation);
    } catch (err) {
      // A removed album or photo: the host view says so; here, quietly.
      if (!this.loaded) showIn(/** @type {HTMLElement} */ (this.error), err);
    }
  }

  /** @param {{ comments: Comment[], hearts: Person[], hearted: boolean }} conversation */
  render(conversation) {
    const list = /** @type {HTMLElement} */ (this.list);
    const first = !this.loaded;
    const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    this.renderHearts(conversation.hearts, conversation.hearted);
    /** @type {HTMLElement[]} */
    const wanted = [];
    /** @type {HTMLElement | null} */
    let arrived = null;
    let mineArrived = false;
    const seen = new Set();
    for (const comment of conversation.comments) {
      seen.add(comment.id);
      const key = JSON.stringify([comment.body, comment.edited_at, comment.removable, comment.mine, comment.asset_id, comment.author?.name, comment.guest]);
      let entry = this.nodes.get(comment.id);
      if (!entry || (entry.key !== key && this.editing !== comment.id)) {
        const isNew = !entry && !first;
        entry = { key, node: this.commentNode(comment) };
        if (isNew) {
          const node = entry.node;
          node.classList.add('comment-new');
          node.addEventListener('animationend', () => node.classList.remove('comment-new'), { once: true });
          setTimeout(() => node.classList.remove('comment-new'), 2500);
          arrived = entry.node;
          mineArrived ||= comment.mine;
        }
        this.nodes.set(comment.id, entry);
      }
      wanted.push(entry.node);
    }
    for (const id of this.nodes.keys()) if (!seen.has(id)) this.nodes.delete(id);
    // Moves only what moved, so focus in an edit box stays.
    syncChildren(list, wanted);
    /** @type {HTMLElement} */ (this.empty).hidden = wanted.length > 0;
    this.loaded = true;
    this.options.onCount?.(conversation.comments.length);
    if (first || mineArrived || (arrived && nearBottom)) list.scrollTop = list.scrollHeight;
  }

  /**
   * @param {Person[]} hearts
   * @param {boolean} hearted
   */
  renderHearts(hearts, hearted) {
    const heart = /** @type {HTMLButtonElement} */ (this.heart);
    const what = this.options.asset ? 'this photo' : 'this album';
    heart.innerHTML = icons.heart;
    heart.append(h('span', { class: 'heart-count' }, hearts.length ? String(hearts.length) : 'Heart'));
    heart.setAttribute('aria-pressed', String(hearted));
    heart.setAttribute('aria-label', hearted ? `Take back your heart on ${what} (${hearts.length})` : `Heart ${what} (${hearts.length})`);
    const names = hearts.map((p) => (p.id === this.options.me ? 'you' : p.name));
    heart.title = names.length ? `Hearted by ${listed(names)}` : `Nobody hearted ${what} yet`;
    /** @type {HTMLElement} */ (this.heartNames).textContent = names.length ? `Hearted by ${listed(names)}` : '';
    this.hearted = hearted;
  }

  async toggleHeart() {
    const heart = /** @type {HTMLButtonElement} */ (this.heart);
    heart.disabled = true;
    try {
      const body = { hearted: !this.hearted, ...(this.options.asset ? { asset_id: this.options.asset } : {}) };
      const result = await api(`${this.path}/hearts`, { method: 'POST', body });
      this.renderHearts(result.hearts, result.hearted);
    } catch (err) {
      showError(err);
    } finally {
      heart.disabled = false;
    }
  }

  /** @param {Comment} comment */
  commentNode(comment) {
    const who = comment.author?.name ?? (comment.guest ? `${comment.guest} (guest)` : 'Someone');
    const members = new Set(this.options.members.map((m) => m.username.toLowerCase()));
    // A deleted account (or one waiting to be) has a name but no username: no initial.
    const gone = !!comment.author && !comment.author.username;
    const avatar = gone
      ? h('span', { class: 'avatar avatar-gone', 'aria-hidden': 'true' })
      : h('span', { class: `avatar avatar-${(comment.author?.id ?? 0) % 6}`, 'aria-hidden': 'true' }, [...who][0]?.toUpperCase() ?? '?');
    const time = h('time', { datetime: comment.created_at, title: fullDate(comment.created_at) }, when(comment.created_at));
    const meta = h('div', { class: 'comment-meta' }, h('strong', { class: 'comment-author' }, who), h('span', { class: 'muted' }, time, comment.edited_at ? h('span', { class: 'comment-edited', title: `Edited ${fullDate(comment.edited_at)}` }, ' · edited') : null));
    const body = h('p', { class: 'comment-body' }, richText(comment.body, members));
    const actions = h('div', { class: 'comment-actions' });
    const error = errorSlot();
    if (comment.mine) {
      const edit = button('Edit', { class: 'button button-quiet button-small', 'aria-label': 'Edit your comment' });
      edit.addEventListener('click', () => this.edit(comment, body, actions));
      actions.append(edit);
    }
    if (comment.removable) {
      const remove = button('Delete', { class: 'button button-quiet button-small', 'aria-label': comment.mine ? 'Delete your comment' : `Delete ${who}’s comment` });
      remove.addEventListener('click', async () => {
        const yes = await confirmDialog({ heading: 'Delete this comment?', message: comment.mine ? 'It is removed for everyone in the album.' : `${who}’s comment is removed for everyone in the album.`, confirm: 'Delete', danger: true });
        if (!yes) return;
        busy(remove, error, async () => {
          await api(`${this.path}/comments/${comment.id}`, { method: 'DELETE' });
          await this.load();
        });
      });
      actions.append(remove);
    }
    /** @type {HTMLElement | null} */
    let photo = null;
    if (comment.asset_id && !this.options.asset) {
      const asset = this.options.assetOf?.(comment.asset_id);
      const open = () => this.options.onOpenAsset?.(/** @type {number} */ (comment.asset_id));
      if (asset) {
        const thumb = tileElement(asset);
        thumb.classList.add('comment-thumb');
        thumb.removeAttribute('role');
        thumb.setAttribute('aria-label', 'Open the photo and its comments');
        thumb.addEventListener('click', open);
        photo = h('div', { class: 'comment-photo' }, thumb, h('span', { class: 'muted' }, 'on a photo'));
      } else {
        photo = h('div', { class: 'comment-photo' }, h('span', { class: 'muted' }, 'on a photo no longer in the album'));
      }
    }
    return h(
      'li',
      { class: comment.mine ? 'comment comment-mine' : 'comment', 'data-id': String(comment.id) },
      avatar,
      h('div', { class: 'comment-main' }, h('div', { class: 'comment-head' }, meta, actions), photo, body, error),
    );
  }

  /**
   * Edits a comment in place.
   * @param {Comment} comment
   * @param {HTMLElement} body
   * @param {HTMLElement} actions
   */
  edit(comment, body, actions) {
    this.editing = comment.id;
    const area = h('textarea', { rows: '3', maxlength: String(MAX_COMMENT), 'aria-label': 'Edit your comment' });
    area.value = comment.body;
    const save = h('button', { type: 'submit', class: 'button button-small' }, 'Save');
    const cancel = button('Cancel', { class: 'button button-quiet button-small' });
    const error = errorSlot();
    const form = h('form', { class: 'comment-edit' }, area, h('div', { class: 'comment-edit-actions' }, cancel, save), error);
    const done = () => {
      this.editing = null;
      this.nodes.delete(comment.id);
      this.load();
    };
    cancel.addEventListener('click', () => {
      form.replaceWith(body);
      actions.hidden = false;
      this.editing = null;
    });
    area.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.stopPropagation();
        cancel.click();
      }
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) form.requestSubmit();
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      busy(save, error, async () => {
        await api(`${this.path}/comments/${comment.id}`, { method: 'PATCH', body: { body: area.value } });
        done();
      });
    });
    body.replaceWith(form);
    actions.hidden = true;
    this.grow(area);
    area.focus();
  }

  async post() {
    const area = /** @type {HTMLTextAreaElement} */ (this.area);
    const error = /** @type {HTMLElement} */ (this.error);
    if (!area.value.trim()) {
      area.focus();
      return;
    }
    await busy(/** @type {HTMLButtonElement} */ (this.send), error, async () => {
      const body = { body: area.value, ...(this.options.asset ? { asset_id: this.options.asset } : {}) };
      await api(`${this.path}/comments`, { method: 'POST', body });
      area.value = '';
      this.grow(area);
      this.count();
      await this.load();
    });
  }

  // Mentions: hints for `@na…` from the album's members.

  /** The `@word` being typed before the caret, if any. */
  mentionAtCaret() {
    const area = /** @type {HTMLTextAreaElement} */ (this.area);
    const before = area.value.slice(0, area.selectionStart);
    const match = before.match(/(?:^|[^\p{L}\p{N}])@([\p{L}\p{N}_.-]*)$/u);
    return match ? { word: match[1], start: before.length - match[1].length - 1 } : null;
  }

  suggest() {
    const at = this.mentionAtCaret();
    const hints = /** @type {HTMLElement} */ (this.hints);
    if (!at) return this.closeHints();
    const word = at.word.toLowerCase();
    const found = this.options.members
      .filter((m) => m.id !== this.options.me && (m.username.toLowerCase().startsWith(word) || m.name.toLowerCase().split(/\s+/).some((part) => part.startsWith(word))))
      .slice(0, 6);
    if (!found.length) return this.closeHints();
    hints.replaceChildren(
      ...found.map((person, index) => {
        const option = h('li', { role: 'option', id: `${hints.id}-${index}`, class: 'mention-hint', 'aria-selected': String(index === 0), 'data-username': person.username }, h('strong', {}, person.name), h('span', { class: 'muted' }, ` @${person.username}`));
        option.addEventListener('pointerdown', (event) => {
          event.preventDefault();
          this.pick(person.username);
        });
        return option;
      }),
    );
    hints.hidden = false;
    this.area?.setAttribute('aria-activedescendant', `${hints.id}-0`);
  }

  closeHints() {
    const hints = /** @type {HTMLElement} */ (this.hints);
    hints.hidden = true;
    hints.replaceChildren();
    this.area?.removeAttribute('aria-activedescendant');
  }

  /** @param {string} username */
  pick(username) {
    const area = /** @type {HTMLTextAreaElement} */ (this.area);
    const at = this.mentionAtCaret();
    if (!at) return;
    const after = area.value.slice(area.selectionStart);
    const inserted = `@${username} `;
    area.value = area.value.slice(0, at.start) + inserted + after;
    const caret = at.start + inserted.length;
    area.setSelectionRange(caret, caret);
    this.closeHints();
    this.count();
    area.focus();
  }

  /**
   * @param {KeyboardEvent} event
   * @param {HTMLFormElement} form
   */
  composerKey(event, form) {
    const hints = /** @type {HTMLElement} */ (this.hints);
    if (!hints.hidden) {
      const options = [...hints.children];
      const current = options.findIndex((o) => o.getAttribute('aria-selected') === 'true');
      const moves = /** @type {Record<string, number>} */ ({ ArrowDown: 1, ArrowUp: -1 });
      if (event.key in moves) {
        event.preventDefault();
        const next = (current + moves[event.key] + options.length) % options.length;
        options.forEach((o, i) => o.setAttribute('aria-selected', String(i === next)));
        this.area?.setAttribute('aria-activedescendant', options[next].id);
        return;
      }
      if ((event.key === 'Enter' || event.key === 'Tab') && current >= 0) {
        event.preventDefault();
        this.pick(options[current].getAttribute('data-username') ?? '');
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        this.closeHints();
        return;
      }
    }
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  }
}

customElements.define('hearth-conversation', HearthConversation);
