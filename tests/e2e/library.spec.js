// @ts-check
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test, expect } from './fixtures.js';

const corpus = resolve(import.meta.dirname, '../../../shared/corpus/pigallery2/test/backend/assets/4MinsAroundTheWorld');
const photos = ['UTC-20240413-203720-Tokyo.jpg', 'UTC-20240413-203630-London.jpg'].map((name) => join(corpus, name));

test('uploaded photos appear in the timeline and open in the viewer', async ({ page, owner }, testInfo) => {
  await page.goto('/');
  await expect(page.getByText('No photos yet')).toBeVisible();

  // Upload two photos through the Upload button (the phone's photo picker).
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await (await chooser).setFiles(photos);
  const tray = page.getByRole('region', { name: 'Uploads' });
  await expect(tray.getByText('Added', { exact: true })).toHaveCount(2);
  await expect(tray.getByText('Uploads finished')).toBeVisible();

  // Both are in the timeline, under their month, with thumbnails.
  const tiles = page.locator('.tile');
  await expect(tiles).toHaveCount(2);
  await expect(page.getByRole('heading', { name: 'April 2024' })).toBeVisible();
  await expect(page.getByText('2 items')).toBeVisible();
  await expect(page.locator('.tile.loaded')).toHaveCount(2);
  await page.getByRole('button', { name: 'Close the upload list' }).click();
  await page.screenshot({ path: testInfo.outputPath('timeline.png'), fullPage: true });

  // The same file again: reported as already there.
  const again = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await (await again).setFiles(photos[0]);
  await expect(tray.getByText('Already in the library')).toBeVisible();

  // The viewer: open the newest, move with the keyboard, info, close.
  await tiles.first().click();
  const viewer = page.getByRole('dialog', { name: 'Photo viewer' });
  await expect(viewer).toBeVisible();
  const image = viewer.locator('img.viewer-media');
  await expect(image).toHaveJSProperty('complete', true);
  const first = await image.getAttribute('src');
  await page.keyboard.press('ArrowRight');
  await expect(image).not.toHaveAttribute('src', first ?? '');
  await page.keyboard.press('i');
  await expect(viewer.getByRole('complementary', { name: 'Details' })).toContainText('Taken');
  await page.screenshot({ path: testInfo.outputPath('viewer.png') });
  await page.keyboard.press('ArrowLeft');
  await expect(image).toHaveAttribute('src', first ?? '');
  await page.keyboard.press('f');
  await expect(viewer.getByRole('button', { name: 'Unfavourite', exact: true })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(viewer).toBeHidden();
  await expect(page.locator('.tile .badge-fav')).toHaveCount(1);

  // Select both: favourite them together, then move them to the trash.
  // (The grid may redraw under the click as the favourite's event comes
  // back: a click that met the old tile is made again.)
  const bar = page.getByRole('toolbar', { name: 'Selected photos' });
  await expect(async () => {
    if (!(await bar.isVisible())) await tiles.first().locator('.tile-check').click();
    await expect(bar).toContainText('1 selected', { timeout: 1000 });
  }).toPass({ timeout: 10_000 });
  await expect(async () => {
    if (!(await bar.textContent())?.includes('2 selected')) await tiles.nth(1).click();
    await expect(bar).toContainText('2 selected', { timeout: 1000 });
  }).toPass({ timeout: 10_000 });
  await page.getByRole('button', { name: 'Favourite', exact: true }).click();
  await expect(page.locator('.tile .badge-fav')).toHaveCount(2);
  await tiles.first().locator('.tile-check').click();
  await tiles.nth(1).click();
  await page.getByRole('button', { name: 'Move to trash' }).click();
  await expect(page.getByText('No photos yet')).toBeVisible();
  // The notice offers Undo: it puts them back, and says so.
  const toast = page.locator('.toast', { hasText: '2 items moved to the trash.' });
  await toast.getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByRole('status').filter({ hasText: '2 items put back.' })).toBeVisible();
  await expect(tiles).toHaveCount(2);
  await tiles.first().locator('.tile-check').click();
  await tiles.nth(1).click();
  await page.getByRole('button', { name: 'Move to trash' }).click();
  await expect(page.getByText('No photos yet')).toBeVisible();

  // The trash has them; restoring brings them back.
  await page.getByRole('link', { name: 'Trash', exact: true }).click();
  await expect(page.locator('.trash-item')).toHaveCount(2);
  await page.screenshot({ path: testInfo.outputPath('trash.png'), fullPage: true });
  await page.getByRole('button', { name: 'Restore all' }).click();
  await expect(page.getByText('The trash is empty')).toBeVisible();
  await page.getByRole('link', { name: '← Photos' }).click();
  await expect(page.locator('.tile')).toHaveCount(2);
});

test('an animated GIF plays in the viewer', async ({ page, owner }) => {
  await page.goto('/');
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await (await chooser).setFiles(resolve(import.meta.dirname, '../../../shared/corpus/pigallery2/test/backend/assets/earth.gif'));
  await expect(page.locator('.tile')).toHaveCount(1);
  await page.locator('.tile').click();
  const image = page.getByRole('dialog', { name: 'Photo viewer' }).locator('img.viewer-media');
  await expect(image).toHaveAttribute('src', /\/original\?/);
});

test('a photo dropped into the import folder appears on its own', async ({ page, owner, hearth }) => {
  // The default import folder is added (within a second) once the owner exists.
  await expect(async () => {
    await page.goto('/settings/library');
    await expect(page.getByRole('heading', { name: 'Import folders' })).toBeVisible();
    await expect(page.locator('.row', { hasText: 'hearth-import' })).toContainText('Online', { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  // Photos stays open: the new photo arrives by a server event, no reload.
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'No photos yet' })).toBeVisible();
  await page.evaluate(() => ((/** @type {any} */ (window)).stillHere = true));
  copyFileSync(photos[1], join(hearth.importDir, 'london.jpg'));
  // It is read once it has settled (5 s).
  await expect(page.locator('.tile')).toHaveCount(1, { timeout: 30_000 });
  await expect(page.getByText('1 item')).toBeVisible();
  expect(await page.evaluate(() => (/** @type {any} */ (window)).stillHere)).toBe(true);
});

test('the import folder says what its scan skipped', async ({ page, owner, hearth }, testInfo) => {
  mkdirSync(join(hearth.importDir, '.thumbnails'), { recursive: true });
  copyFileSync(photos[0], join(hearth.importDir, '.thumbnails', 'a.jpg'));
  copyFileSync(photos[0], join(hearth.importDir, '.hidden.jpg'));
  writeFileSync(join(hearth.importDir, 'Thumbs.db'), 'cache');
  const folder = page.locator('.row', { hasText: 'hearth-import' });
  // The default import folder is added (within a second) once the owner exists.
  await expect(async () => {
    await page.goto('/settings/library');
    await expect(folder).toContainText('Online', { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await expect(async () => {
    await folder.getByRole('button', { name: 'Scan now' }).click();
    await expect(folder).toContainText('2 hidden skipped', { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await expect(folder).toContainText('1 excluded');
  for (const [name, size, scheme] of /** @type {const} */ ([
    ['desktop-light', { width: 1366, height: 900 }, 'light'],
    ['phone-dark', { width: 390, height: 844 }, 'dark'],
  ])) {
    await page.setViewportSize(size);
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: testInfo.outputPath(`library-skipped-${name}.png`), fullPage: true });
  }
});
