// @ts-check
/**
 * Settings → Devices: phones that back up by themselves. A device password
 * per phone (shown once, with a QR code of what the app asks for), the
 * devices with their last use, and how to set up PhotoSync, FolderSync and
 * Syncthing with Hearth.
 */
import { api } from '../api.js';
import { h, stylesheet } from '../dom.js';
import { action, card, copyable, errorSlot, field, refresh, when } from '../ui.js';
import { proveIt } from '../reauth.js';

await stylesheet('styles/devices.css');

/**
 * @typedef {object} Devices
 * @property {string} url
 * @property {string} username
 * @property {boolean} encrypted
 * @property {{ id: number, name: string, created_at: string, last_used_at?: string, last_used_from?: string }[]} devices
 */

/** A word on plain http, where a device password travels unencrypted. */
function plainHttpWarning() {
  return h(
    'p',
    { class: 'callout', role: 'note' },
    h('strong', {}, 'This address is plain http. '),
    'A device password travels unencrypted with every upload: fine on your home Wi-Fi, not over the internet. To back up away from home, put Hearth behind https first (see the install guide).',
  );
}

/** The shown-once block: the app's four fields, copyable, and a QR code of them. @param {any} created */
function shownOnce(created) {
  const url = new URL(created.url);
  const qr = h('img', { class: 'qr', alt: 'QR code of the server, path, user and password', src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(created.qr_svg)}` });
  return h(
    'div',
    { class: 'stack callout device-created' },
    h('p', {}, h('strong', {}, `“${created.device.name}” can now back up. `), 'Copy the password now: Hearth keeps only a fingerprint of it and cannot show it again.'),
    h(
      'dl',
      { class: 'device-fields' },
      h('dt', {}, 'Server'),
      h('dd', {}, copyable(url.origin, 'Server')),
      h('dt', {}, 'Path'),
      h('dd', {}, copyable(url.pathname, 'Path')),
      h('dt', {}, 'User'),
      h('dd', {}, copyable(created.username, 'User')),
      h('dt', {}, 'Password'),
      h('dd', {}, copyable(created.password, 'Device password')),
    ),
    h('div', { class: 'device-qr' }, qr, h('p', { class: 'muted' }, 'Or scan this with the phone’s camera: it holds the same four lines, ready to paste into the app.')),
  );
}

function devicesCard() {
  const body = h('div', { class: 'stack' });
  const load = async () => {
    const error = errorSlot();
    /** @type {Devices} */
    const info = await api('/me/devices');
    const rows = info.devices.map((device) =>
      h(
        'li',
        { class: 'row' },
        h(
          'div',
          { class: 'row-main' },
          h('strong', {}, device.name),
          h('span', { class: 'muted' }, `Added ${when(device.created_at)} · ${device.last_used_at ? `last backed up ${when(device.last_used_at)}${device.last_used_from ? ` from ${device.last_used_from}` : ''}` : 'not used yet'}`),
        ),
        action('Revoke', async () => {
          await api(`/me/devices/${device.id}`, { method: 'DELETE' });
          await refresh(body, load);
        }, error, { heading: `Revoke “${device.name}”?`, message: 'Its backup app can no longer send photos. What it sent stays in your library. A revoked password cannot be brought back; you can make a new one.', confirm: 'Revoke' }),
      ),
    );
    const name = field('A name for the device', { name: 'name', required: '', maxlength: '64', placeholder: 'e.g. Olivia’s iPhone' });
    const form = h('form', { class: 'stack' }, name, h('button', { type: 'submit', class: 'button' }, 'Add a device'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const data = new FormData(form);
      proveIt({
        heading: 'Add a device?',
        body: ['Its password lets an app add photos to your library until you revoke it, so Hearth asks first that it is really you.'],
        confirm: 'Add device',
        act: (proof) => api('/me/devices', { method: 'POST', body: { name: data.get('name'), ...proof } }),
        done: async (created, dialog) => {
          dialog.close();
          await refresh(body, load);
          body.prepend(shownOnce(created));
        },
      });
    });
    return [
      info.encrypted ? null : plainHttpWarning(),
      h('p', { class: 'device-address' }, 'Your backup address: ', h('code', {}, info.url), ' — user ', h('code', {}, info.username), '.'),
      info.devices.length ? h('ul', { class: 'rows' }, ...rows) : h('p', { class: 'muted' }, 'No devices yet. Add one for each phone, so you can revoke one without the others.'),
      form,
      error,
    ];
  };
  refresh(body, load);
  return card('Devices', body);
}

/** One app's steps, folded. @param {string} heading @param {(string | Node)[]} steps @param {string} [note] */
function howTo(heading, steps, note) {
  return h(
    'details',
    { class: 'how-to' },
    h('summary', {}, heading),
    h('ol', {}, ...steps.map((step) => h('li', {}, step))),
    note ? h('p', { class: 'muted' }, note) : null,
  );
}

function appsCard() {
  return card(
    'Set up your phone',
    h('p', {}, 'Hearth has no app of its own to keep up to date: it speaks WebDAV, which the backup apps families already use speak. Add a device above first, then:'),
    howTo('PhotoSync (iPhone and Android)', [
      'Open PhotoSync → Settings → Configure → WebDAV → Add New Configuration.',
      'Server: the server above, without http:// (switch “Use SSL” on only for an https address). Port: the number after the colon.',
      'Path: the path above. Login: your user. Password: the device password.',
      'Save, then Settings → Autotransfer → WebDAV: choose when (e.g. on home Wi-Fi, while charging).',
    ], 'PhotoSync remembers what it sent; Hearth lists it back under the same names, so nothing is sent twice, and a photo you delete in Hearth does not come back.'),
    howTo('FolderSync (Android)', [
      'Accounts → + → WebDAV. Server address: the full address shown above (it ends with your user and a slash). Username: your user. Password: the device password. Test, then save.',
      'Folder pairs → + → Left: the phone’s DCIM/Camera folder; Right: a folder in the Hearth account (e.g. Camera). Sync type: “To remote folder”.',
      'Schedule it (e.g. every hour on Wi-Fi) and turn off “Delete source files after sync” unless you want that.',
    ]),
    howTo('Syncthing (any phone or computer, to an import folder)', [
      'Syncthing does not speak WebDAV: it syncs into a folder on the server. Ask whoever runs Hearth to share one of its import folders (Settings → Library → Import folders) with your device in Syncthing.',
      'On the phone, share the camera folder with the server as “Send Only”.',
      'Hearth imports what arrives there by itself, as it does for every import folder.',
    ]),
    h('p', { class: 'muted' }, 'On an iPhone, Hearth also works from the home screen: in Safari, Share → Add to Home Screen.'),
  );
}

export function devicesView() {
  return {
    title: 'Devices',
    render: () =>
      h(
        'div',
        { class: 'page' },
        h('p', { class: 'crumb' }, h('a', { href: '/settings' }, '← Settings')),
        h('h1', {}, 'Devices'),
        h('p', { class: 'muted' }, 'Phones that back up by themselves. Each phone gets its own password, good only for sending photos to your library and seeing what it sent.'),
        devicesCard(),
        appsCard(),
      ),
  };
}
