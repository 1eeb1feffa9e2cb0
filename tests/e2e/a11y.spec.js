// @ts-check
/**
 * Accessibility: axe-core (test-only, injected by the test runner, never
 * shipped) on every view and dialog, on a phone and a desktop, light and
 * dark. Serious and critical violations fail the test, with what and where.
 */
import AxeBuilder from '@axe-core/playwright';
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { test, expect } from './fixtures.js';

const corpus = resolve(import.meta.dirname, '../../../shared/corpus/pigallery2/test/backend/assets/4MinsAroundTheWorld');
const photos = ['UTC-20240413-203720-Tokyo.jpg', 'UTC-20240413-203630-London.jpg'].map((name) => join(corpus, name));

/**
 * Serious and critical violations on the page as it is now.
 * @param {import('@playwright/test').Page} page
 * @param {string} where
 */
async function problems(page, where) {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${where}: ${v.id} (${v.impact}) ${v.help}\n${v.nodes.slice(0, 4).map((n) => `    ${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1, 2).join('')}`).join('\n')}`);
}

for (const [size, viewport] of /** @type {const} */ ([
  ['desktop', { width: 1366, height: 900 }],
  ['phone', { width: 390, height: 844 }],
])) {
  for (const scheme of /** @type {const} */ (['light', 'dark'])) {
    test(`every view and dialog has no serious or critical accessibility violation (${size}, ${scheme})`, async ({ page, owner, hearth, browser }) => {
      void owner;
      test.setTimeout(120_000);
      const headers = { origin: hearth.url };
      /** @type {number[]} */
      const ids = [];
      for (const file of photos) {
        const answer = await page.request.post('/api/uploads', { multipart: { file: { name: basename(file), mimeType: 'image/jpeg', buffer: readFileSync(file) } }, headers });
        ids.push((await answer.json()).files[0].asset_id);
      }
      const { album } = await (await page.request.post('/api/albums', { data: { title: 'Tokyo and London', ids }, headers })).json();
      await page.request.post(`/api/albums/${album.id}/comments`, { data: { body: 'What a trip!', asset_id: ids[0] }, headers });
      const link = await (await page.request.post(`/api/albums/${album.id}/links`, { data: { label: 'Grandma', allow_comments: true, allow_download: true }, headers })).json();
      await page.setViewportSize(viewport);
      await page.emulateMedia({ colorScheme: scheme });

      /** @type {string[]} */
      const found = [];
      /** @param {string} where */
      const check = async (where) => found.push(...(await problems(page, where)));
      /**
       * @param {string} path
       * @param {import('@playwright/test').Locator} ready
       */
      const visit = async (path, ready) => {
        await page.goto(path);
        await expect(ready).toBeVisible();
        await check(path);
      };

      await visit('/', page.locator('.tile.loaded').first());
      // The selection bar, the Add to album picker.
      await page.locator('.tile .tile-check').first().click({ force: true });
      await expect(page.getByRole('toolbar', { name: 'Selected photos' })).toBeVisible();
      await check('/ with a selection');
      await page.getByRole('toolbar', { name: 'Selected photos' }).getByRole('button', { name: 'Add to album' }).click();
      await expect(page.getByRole('dialog', { name: 'Add to album' })).toBeVisible();
      await check('/ Add to album');
      await page.keyboard.press('Escape');
      // The viewer, with its details.
      await visit(`/?photo=${ids[0]}`, page.getByRole('dialog', { name: 'Photo viewer' }).locator('img.viewer-media'));
      await page.keyboard.press('i');
      await expect(page.getByRole('complementary', { name: 'Details' }).getByText('Taken')).toBeVisible();
      await check('viewer with details');

      await visit('/albums', page.getByRole('link', { name: /Tokyo and London/ }).first());
      await visit(`/albums/${album.id}`, page.locator('.tile.loaded').first());
      await page.getByRole('button', { name: 'More' }).click();
      await check('album menu');
      await page.getByRole('menuitem', { name: 'Share by link' }).click();
      await expect(page.getByRole('dialog', { name: /^Share/ })).toBeVisible();
      await check('album share dialog');
      await page.keyboard.press('Escape');
      await visit(`/albums/${album.id}?photo=${ids[0]}`, page.getByRole('complementary', { name: 'Comments' }));

      // Adding photos from inside the album; the slideshow.
      await page.goto(`/albums/${album.id}`);
      await page.getByRole('button', { name: 'Add photos' }).click();
      await expect(page.locator('.picker-grid .tile').first()).toBeVisible();
      await check('album: Add photos');
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'More' }).click();
      await page.getByRole('menuitem', { name: 'Slideshow' }).click();
      await expect(page.getByRole('dialog', { name: 'Slideshow' }).locator('.slide')).toBeVisible();
      await page.keyboard.press('Space');
      await check('slideshow, paused');
      await page.keyboard.press('Escape');
      await page.request.patch(`/api/assets/${ids[0]}`, { data: { favourite: true }, headers });
      // (The search index takes a moment to learn the marks.)
      const indexed = async (/** @type {string} */ path) => {
        await expect(async () => {
          await page.goto(path);
          await expect(page.locator('.tile').first()).toBeVisible({ timeout: 1000 });
        }).toPass();
        await check(path);
      };
      await indexed('/favourites');
      await page.request.patch(`/api/assets/${ids[0]}`, { data: { archived: true }, headers });
      await indexed('/archive');
      await visit('/search', page.getByRole('combobox', { name: /Search/ }).first());
      await visit('/search?q=tokyo', page.locator('.tile.loaded').first());
      await visit('/notifications', page.getByText(/Welcome to the family/));
      await visit('/settings', page.getByRole('heading', { name: 'Settings', level: 1 }));
      await visit('/settings/security', page.getByRole('heading', { name: 'Passkeys' }));
      await visit('/settings/devices', page.getByRole('heading', { name: 'Set up your phone' }));
      await visit('/settings/privacy', page.getByRole('heading', { level: 1 }));
      await visit('/settings/household', page.getByRole('heading', { name: 'Members' }));
      await visit('/settings/library', page.getByRole('heading', { level: 1 }));
      await visit('/settings/server', page.getByRole('heading', { name: 'Backups' }));
      await page.request.post('/api/assets/trash', { data: { ids: [ids[1]] }, headers });
      await visit('/trash', page.locator('.trash-item').first());
      await page.getByRole('button', { name: 'Empty trash' }).click();
      await expect(page.getByRole('dialog', { name: 'Empty the trash?' })).toBeVisible();
      await check('trash: Empty the trash?');
      await page.keyboard.press('Escape');
      await visit('/api/docs', page.getByRole('heading', { level: 1 }).first());

      // Signed out: sign-in; a guest on the share link.
      const guestContext = await browser.newContext({ baseURL: hearth.url, viewport, colorScheme: scheme });
      const guest = await guestContext.newPage();
      await guest.goto('/signin');
      await expect(guest.getByRole('heading', { level: 1 })).toBeVisible();
      found.push(...(await problems(guest, '/signin')));
      const invite = await (await page.request.post('/api/household/invites', { data: { role: 'member' }, headers })).json();
      await guest.goto(new URL(invite.url).pathname + new URL(invite.url).search);
      await expect(guest.getByRole('heading', { name: "You're invited" })).toBeVisible();
      found.push(...(await problems(guest, 'invite')));
      await guest.goto(new URL(link.url).pathname);
      await expect(guest.locator('.tile.loaded').first()).toBeVisible();
      found.push(...(await problems(guest, 'shared album')));
      await guest.locator('.tile').first().click();
      await expect(guest.getByRole('dialog', { name: 'Photo viewer' })).toBeVisible();
      found.push(...(await problems(guest, 'shared album viewer')));
      await guestContext.close();

      expect(found, found.join('\n')).toEqual([]);
    });
  }
}
