// @ts-check
/**
 * Album roles: what each may do. Viewers see, comment and heart;
 * contributors also add their own photos and remove those they added;
 * editors also remove any and edit the album; the owner also manages
 * members, the live rule, and may delete it.
 */

/** @typedef {'viewer' | 'contributor' | 'editor' | 'owner'} Role */

/**
 * @typedef {object} AlbumSummary
 * @property {number} id
 * @property {string} title
 * @property {string} description
 * @property {{ id: number, name: string, username: string }} owner
 * @property {Role} role yours
 * @property {boolean} live
 * @property {number} count
 * @property {number} members
 * @property {import('../library/timeline.js').Brief} [cover]
 * @property {boolean} muted
 * @property {string} updated_at
 */

/** @typedef {{ id: number, name: string, username: string, role: Role }} AlbumMember */

const RANK = /** @type {Record<Role, number>} */ ({ viewer: 0, contributor: 1, editor: 2, owner: 3 });

export const ROLE_NAMES = /** @type {Record<Role, string>} */ ({ owner: 'Owner', editor: 'Editor', contributor: 'Contributor', viewer: 'Viewer' });

/** What each role may do, in a few words (for the members dialog). */
export const ROLE_HINTS = /** @type {Record<Role, string>} */ ({
  owner: 'everything, members and the live rule included',
  editor: 'adds and removes any photos, edits the album',
  contributor: 'adds their own photos',
  viewer: 'sees, comments and hearts',
});

/**
 * @param {Role} role
 * @param {Role} least
 */
export const atLeast = (role, least) => RANK[role] >= RANK[least];

/**
 * "2 photos", "1 photo".
 * @param {number} n
 * @param {string} one
 * @param {string} [many]
 */
export const count = (n, one, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`;
