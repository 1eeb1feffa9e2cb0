// @ts-check
/**
 * Shared fixtures for every browser test:
 * - `hearth`: the real binary on 127.0.0.1:0 with a fresh data folder;
 * - `page` (and `baseURL`) pointed at it, failing the test if the page
 *   requests anything from another host or logs a console error (CSP
 *   violations included).
 */
import { test as base, expect } from '@playwright/test';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const binary =
  process.env.HEARTH_E2E_BIN ??
  join(process.env.CARGO_TARGET_DIR ?? resolve(import.meta.dirname, '../../target'), 'debug/hearth');

/**
 * @typedef {object} Hearth
 * @property {string} url base URL, e.g. http://localhost:41234 (passkeys need a host name)
 * @property {string} setupUrl the first-run link from the log
 * @property {string} dataDir
 * @property {string} importDir the default import folder (watched)
 * @property {string[]} log lines the server wrote
 * @property {(between: () => void | Promise<void>) => Promise<void>} restart
 *   stops the server, runs `between` and starts it again on the same address
 */

/** The environment for the binary: ours, without the caller's HEARTH_* settings. */
function binaryEnv(/** @type {Record<string, string>} */ extraEnv = {}) {
  /** @type {Record<string, string>} */
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('HEARTH_') && value !== undefined) env[key] = value;
  }
  env.HEARTH_LOG__FORMAT = 'json';
  return Object.assign(env, extraEnv);
}

/** Runs the binary with `args` to its end (a command beside the server). */
export function runHearth(/** @type {string[]} */ args) {
  return execFileSync(binary, args, { env: binaryEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Starts `hearth serve` in `home` on `listen`; resolves once it is ready.
 * @param {string} home
 * @param {Record<string, string>} env
 * @param {string} listen
 * @param {string[]} log
 */
async function serve(home, env, listen, log) {
  const child = spawn(binary, ['serve', '--listen', listen, '--data', join(home, 'data')], {
    env,
    cwd: home,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lines = createInterface({ input: child.stderr });
  let setupToken = '';
  const address = await new Promise((resolveAddress, reject) => {
    const timer = setTimeout(() => reject(new Error(`hearth did not start:\n${log.join('\n')}`)), 15_000);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`hearth exited with ${code}:\n${log.join('\n')}`)));
    lines.on('line', (line) => {
      log.push(line);
      setupToken ||= line.match(/\/setup\?token=([\w-]+)/)?.[1] ?? '';
      if (!line.includes('is ready')) return;
      // Only the server's own "is ready" carries its address (a takeout
      // archive, say, may be ready later too).
      let found = '';
      try {
        found = JSON.parse(line).fields?.listen ?? '';
      } catch {
        found = '';
      }
      if (!found) return;
      clearTimeout(timer);
      resolveAddress(found);
    });
  });
  child.removeAllListeners('exit');
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;
  };
  return { port: String(address).split(':').pop() ?? '', setupToken, stop };
}

/**
 * @param {Record<string, string>} extraEnv
 * @returns {Promise<Hearth & { stop: () => Promise<void> }>}
 */
async function startHearth(extraEnv) {
  // The working directory holds the data folder and the default import folder.
  const home = mkdtempSync(join(tmpdir(), 'hearth-e2e-'));
  const env = binaryEnv(extraEnv);
  /** @type {string[]} */
  const log = [];
  let server = await serve(home, env, '127.0.0.1:0', log);
  const url = `http://localhost:${server.port}`;
  const restart = async (/** @type {() => void | Promise<void>} */ between) => {
    await server.stop();
    await between();
    server = await serve(home, env, `127.0.0.1:${server.port}`, log);
  };
  const stop = async () => {
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  };
  const setupUrl = `${url}/setup?token=${server.setupToken}`;
  return { url, setupUrl, dataDir: join(home, 'data'), importDir: join(home, 'hearth-import'), log, restart, stop };
}

export const test = base.extend({
  // Console errors a test provokes on purpose (regular expressions).
  allowedConsoleErrors: [[], { option: true }],
  // HEARTH_* settings for the server a test starts.
  hearthEnv: [{}, { option: true }],
  hearth: async ({ hearthEnv }, use) => {
    const hearth = await startHearth(hearthEnv);
    await use(hearth);
    await hearth.stop();
  },
  baseURL: async ({ hearth }, use) => {
    await use(hearth.url);
  },
  // The owner, made through the setup link with a password; the page's
  // context is signed in as them.
  owner: async ({ page, hearth }, use) => {
    const token = new URL(hearth.setupUrl).searchParams.get('token');
    const response = await page.request.post(`${hearth.url}/api/links/password`, {
      data: { token, account: { username: 'olivia', display_name: 'Olivia' }, password: OWNER_PASSWORD },
    });
    expect(response.status()).toBe(200);
    await use(await response.json());
  },
  page: async ({ page, hearth, allowedConsoleErrors }, use) => {
    const origin = new URL(hearth.url).origin;
    /** @type {string[]} */
    const elsewhere = [];
    /** @type {string[]} */
    const consoleErrors = [];
    page.context().on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin !== origin && url.protocol !== 'data:' && url.protocol !== 'blob:') elsewhere.push(request.url());
    });
    page.on('console', (message) => {
      const text = message.text();
      if (message.type() === 'error' && !allowedConsoleErrors.some((/** @type {RegExp} */ allowed) => allowed.test(text))) {
        consoleErrors.push(text);
      }
    });
    page.on('pageerror', (error) => {
      const text = String(error);
      if (!allowedConsoleErrors.some((/** @type {RegExp} */ allowed) => allowed.test(text))) consoleErrors.push(text);
    });
    await use(page);
    expect(elsewhere, 'the browser requested nothing from any other host').toEqual([]);
    expect(consoleErrors, 'no console errors (CSP violations included)').toEqual([]);
  },
});

export const OWNER_PASSWORD = 'lantern orchard quietly 47';

/**
 * Gives a page a passkey authenticator, as a phone with a fingerprint
 * reader: Chromium's virtual authenticator over CDP.
 * @param {import('@playwright/test').Page} page
 */
export async function addPasskeyAuthenticator(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

/**
 * Full-page screenshots of the page as it is, light and dark, desktop and phone.
 * @param {import('@playwright/test').Page} page
 * @param {import('@playwright/test').TestInfo} testInfo
 * @param {string} name
 */
export async function screenshots(page, testInfo, name) {
  // Notices go by themselves; here they would hide part of the page.
  for (const dismiss of await page.getByRole('button', { name: 'Dismiss' }).all()) await dismiss.click();
  await page.mouse.move(0, 0);
  await page.evaluate(() => window.scrollTo(0, 0));
  for (const [size, viewport] of /** @type {const} */ ([
    ['desktop', { width: 1280, height: 900 }],
    ['phone', { width: 390, height: 844 }],
  ])) {
    await page.setViewportSize(viewport);
    for (const scheme of /** @type {const} */ (['light', 'dark'])) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: testInfo.outputPath(`${name}-${size}-${scheme}.png`), fullPage: true, animations: 'disabled' });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 900 });
}

/**
 * Uploads one photo through the Upload button, on the Photos page.
 * @param {import('@playwright/test').Page} page
 * @param {string} file
 */
export async function uploadPhoto(page, file) {
  await page.goto('/');
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await (await chooser).setFiles(file);
  await expect(page.getByRole('region', { name: 'Uploads' }).getByText('Uploads finished')).toBeVisible();
  await page.getByRole('button', { name: 'Close the upload list' }).click();
  await expect(page.locator('.tile')).toHaveCount(1);
}

/** The password members made in the tests sign in with. */
export const MEMBER_PASSWORD = `${OWNER_PASSWORD} too`;

/**
 * What goes wrong in a second browser's page: requests to other hosts,
 * console errors (but for `allowed`), uncaught exceptions, native dialogs.
 * @param {import('@playwright/test').BrowserContext} context
 * @param {import('@playwright/test').Page} page
 * @param {string} url the server's
 * @param {RegExp[]} [allowed] console errors the test provokes
 * @returns {string[]}
 */
export function watch(context, page, url, allowed = []) {
  /** @type {string[]} */
  const problems = [];
  context.on('request', (request) => {
    const address = new URL(request.url());
    if (address.origin !== new URL(url).origin && address.protocol !== 'data:' && address.protocol !== 'blob:') problems.push(`requested ${request.url()}`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error' && !allowed.some((pattern) => pattern.test(message.text()))) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(String(error)));
  page.on('dialog', (dialog) => {
    problems.push(`a ${dialog.type()} opened: ${dialog.message()}`);
    dialog.dismiss();
  });
  return problems;
}

/**
 * A member joins through an invite (with a password), in a browser of their own.
 * @param {import('@playwright/test').Page} owner the owner's page
 * @param {import('@playwright/test').Browser} browser
 * @param {string} url
 * @param {{ username: string, display_name: string }} account
 * @param {RegExp[]} [allowed]
 */
export async function joinHousehold(owner, browser, url, account, allowed = []) {
  const headers = { origin: url };
  const invite = await (await owner.request.post('/api/household/invites', { data: { role: 'member' }, headers })).json();
  const context = await browser.newContext({ baseURL: url, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = watch(context, page, url, allowed);
  const joined = await page.request.post('/api/links/password', {
    data: { token: new URL(invite.url).searchParams.get('token'), account, password: MEMBER_PASSWORD },
    headers,
  });
  expect(joined.status()).toBe(200);
  return { context, page, problems };
}

export { expect };

/**
 * A JPEG taken at `when` ("YYYY:MM:DD HH:MM:SS"): `jpeg` with its own EXIF
 * segments left out and one holding only DateTimeOriginal put in (so each
 * date is a different file to Hearth, too).
 * @param {Buffer} jpeg
 * @param {string} when
 */
export function datedJpeg(jpeg, when) {
  const tiff = Buffer.alloc(64);
  tiff.write('II*\0', 0, 'latin1');
  tiff.writeUInt32LE(8, 4);
  // IFD0: one entry, the pointer to the Exif IFD (at 26).
  tiff.writeUInt16LE(1, 8);
  tiff.writeUInt16LE(0x8769, 10);
  tiff.writeUInt16LE(4, 12);
  tiff.writeUInt32LE(1, 14);
  tiff.writeUInt32LE(26, 18);
  // The Exif IFD: DateTimeOriginal, 20 ASCII bytes at 44.
  tiff.writeUInt16LE(1, 26);
  tiff.writeUInt16LE(0x9003, 28);
  tiff.writeUInt16LE(2, 30);
  tiff.writeUInt32LE(20, 32);
  tiff.writeUInt32LE(44, 36);
  tiff.write(`${when}\0`, 44, 'latin1');
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, 0, 2 + 6 + tiff.length]), Buffer.from('Exif\0\0', 'latin1'), tiff]);
  /** @type {Buffer[]} */
  const kept = [];
  let at = 2;
  while (at + 4 <= jpeg.length && jpeg[at] === 0xff && jpeg[at + 1] !== 0xda) {
    const length = jpeg.readUInt16BE(at + 2);
    if (jpeg[at + 1] !== 0xe1) kept.push(jpeg.subarray(at, at + 2 + length));
    at += 2 + length;
  }
  return Buffer.concat([jpeg.subarray(0, 2), app1, ...kept, jpeg.subarray(at)]);
}
