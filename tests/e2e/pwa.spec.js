// @ts-check
/**
 * The installable app: a valid manifest with icons and a share target, a
 * service worker that installs, keeps the app available offline and never
 * keeps the library's photos or answers, and "Share → Hearth" uploading
 * what a phone's gallery shares.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from './fixtures.js';

const photo = readFileSync(resolve(import.meta.dirname, '../../../shared/corpus/pigallery2/test/backend/assets/4MinsAroundTheWorld/UTC-20240413-203430-Auckland.jpg'));

test('the manifest names the app, its icons and a share target', async ({ page, hearth }) => {
  await page.goto('/');
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  const answer = await page.request.get(new URL(href ?? '', hearth.url).href);
  expect(answer.headers()['content-type']).toContain('application/manifest+json');
  const manifest = await answer.json();
  expect(manifest).toMatchObject({ name: 'Hearth', start_url: '/', scope: '/', display: 'standalone' });
  for (const size of [192, 512]) {
    const icon = manifest.icons.find((/** @type {any} */ i) => i.sizes === `${size}x${size}` && i.type === 'image/png' && !i.purpose);
    expect(icon, `a ${size}px PNG icon`).toBeTruthy();
    const png = await page.request.get(icon.src);
    expect(png.headers()['content-type']).toBe('image/png');
    const bytes = await png.body();
    // The PNG's own header says its size.
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([size, size]);
  }
  expect(manifest.icons.some((/** @type {any} */ i) => i.purpose === 'maskable')).toBe(true);
  expect(manifest.share_target).toMatchObject({ action: '/share', method: 'POST', enctype: 'multipart/form-data' });
  expect(manifest.share_target.params.files[0].name).toBe('file');
});

test.describe('offline', () => {
  // Offline, the library's answers cannot come: the page says so.
  test.use({ allowedConsoleErrors: [/server cannot be reached|ERR_INTERNET_DISCONNECTED/] });
  test('the service worker installs, the app opens offline, and nothing of the library is kept', async ({ page, owner, hearth, context }) => {
  void owner;
  const answer = await page.request.post('/api/uploads', { multipart: { file: { name: 'a.jpg', mimeType: 'image/jpeg', buffer: photo } }, headers: { origin: hearth.url } });
  expect((await answer.json()).files[0].status).toBe('imported');
  await page.goto('/');
  expect(await page.evaluate(async () => Boolean((await navigator.serviceWorker.ready).active))).toBe(true);
  await page.reload();
  await expect(page.locator('.tile img')).toHaveCount(1);
  await expect.poll(() => page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);
  // Only the app is cached: no photo, no answer of the API.
  const cached = await page.evaluate(async () => {
    const urls = [];
    for (const name of await caches.keys()) for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
    return urls;
  });
  expect(cached).toContain('/');
  expect(cached.some((path) => path.startsWith('/v/'))).toBe(true);
  expect(cached.filter((path) => path.startsWith('/api/'))).toEqual([]);

  // Offline, the app itself still opens (and says what it cannot reach).
  await context.setOffline(true);
  await page.reload();
  await expect(page.locator('hearth-shell')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Hearth' }).first()).toBeVisible();
  await expect(page.getByText('The server cannot be reached').first()).toBeVisible();
  await context.setOffline(false);
  });
});

test('"Share → Hearth" from a gallery uploads the shared photos', async ({ page, owner }) => {
    void owner;
    await page.goto('/');
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.reload();
    await expect.poll(() => page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);
    // What Android does for a share target: a multipart POST to its action.
    await page.evaluate(() => {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = '/share';
      form.enctype = 'multipart/form-data';
      const input = document.createElement('input');
      input.type = 'file';
      input.name = 'file';
      input.multiple = true;
      input.id = 'shared-files';
      form.append(input);
      document.body.append(form);
    });
    await page.setInputFiles('#shared-files', [{ name: 'From the gallery.jpg', mimeType: 'image/jpeg', buffer: photo }]);
    await page.evaluate(() => /** @type {HTMLFormElement} */ (document.querySelector('#shared-files')?.closest('form')).submit());
    // Any page could post to /share: nothing goes up before the member says yes.
    const ask = page.getByRole('dialog', { name: 'Add the shared photo?' });
    await expect(ask).toContainText('From the gallery.jpg');
    await ask.getByRole('button', { name: 'Add' }).click();
    await expect(page.getByRole('region', { name: 'Uploads' }).getByText('Uploads finished')).toBeVisible();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.locator('.tile')).toHaveCount(1);
    // The shared file does not stay behind in the service worker's inbox.
    expect(await page.evaluate(async () => (await (await caches.open('hearth-share')).keys()).length)).toBe(0);
});
