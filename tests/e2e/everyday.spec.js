// @ts-check
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { datedJpeg, test, expect } from './fixtures.js';

const corpus = resolve(import.meta.dirname, '../../../shared/corpus/pigallery2/test/backend/assets/4MinsAroundTheWorld');
const base = readFileSync(join(corpus, 'UTC-20240413-203430-Auckland.jpg'));

/**
 * Uploads photos taken at `dates` through the API; answers their ids.
 * @param {import('@playwright/test').Page} page
 * @param {string} url
 * @param {string[]} dates
 */
async function photosAt(page, url, dates) {
  /** @type {number[]} */
  const ids = [];
  for (const [index, when] of dates.entries()) {
    const answer = await page.request.post('/api/uploads', { multipart: { file: { name: `photo-${index}.jpg`, mimeType: 'image/jpeg', buffer: datedJpeg(base, when) } }, headers: { origin: url } });
    ids.push((await answer.json()).files[0].asset_id);
  }
  return ids;
}

test('archive and favourites: out of the timeline with Undo, in their own views, and back', async ({ page, owner, hearth }, testInfo) => {
  void owner;
  await photosAt(page, hearth.url, ['2024:05:01 10:00:00', '2024:05:02 10:00:00', '2024:05:02 12:00:00']);
  await page.goto('/');
  const tiles = page.locator('.timeline .tile');
  await expect(tiles).toHaveCount(3);
  // Days have headers; "select this day" takes both of the 2nd's photos.
  await expect(page.locator('.day-head')).toHaveCount(2);
  await page.getByRole('button', { name: /^Select Thursday/ }).click();
  const bar = page.getByRole('toolbar', { name: 'Selected photos' });
  await expect(bar).toContainText('2 selected');
  await page.screenshot({ path: testInfo.outputPath('day-selected.png') });
  // Archive them: gone from the timeline, with Undo.
  await bar.getByRole('button', { name: 'Archive' }).click();
  await expect(tiles).toHaveCount(1);
  const toast = page.locator('.toast', { hasText: 'archived' });
  await toast.getByRole('button', { name: 'Undo' }).click();
  await expect(tiles).toHaveCount(3);
  await page.getByRole('button', { name: /^Select Thursday/ }).click();
  await bar.getByRole('button', { name: 'Archive' }).click();
  await expect(tiles).toHaveCount(1);

  // The Archive view has them; Unarchive brings one back.
  await page.getByRole('link', { name: 'Archive', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Archive', level: 1 })).toBeVisible();
  const archived = page.locator('.search-grid .tile');
  await expect(archived).toHaveCount(2);
  await page.screenshot({ path: testInfo.outputPath('archive.png') });
  await archived.first().locator('.tile-check').click();
  await page.getByRole('toolbar', { name: 'Selected photos' }).getByRole('button', { name: 'Unarchive' }).click();
  await expect(archived).toHaveCount(1);

  // The viewer archives too (and says so).
  await page.goto('/');
  await expect(tiles).toHaveCount(2);
  await tiles.first().click();
  const viewer = page.getByRole('dialog', { name: 'Photo viewer' });
  await viewer.getByRole('button', { name: 'Archive', exact: true }).click();
  await expect(viewer.getByRole('button', { name: 'Unarchive' })).toBeVisible();
  await page.keyboard.press('f');
  await page.keyboard.press('Escape');
  await expect(tiles).toHaveCount(1);

  // Favourites.
  await page.getByRole('link', { name: 'Favourites' }).click();
  await expect(page.locator('.search-grid .tile')).toHaveCount(1);
  await page.screenshot({ path: testInfo.outputPath('favourites.png') });
});

test('a selection downloads as one zip; an album adds photos from a picker; a slideshow plays', async ({ page, owner, hearth }, testInfo) => {
  void owner;
  const ids = await photosAt(page, hearth.url, ['2023:07:01 10:00:00', '2023:07:02 10:00:00', '2023:07:03 10:00:00']);
  await page.goto('/');
  const tiles = page.locator('.timeline .tile');
  await expect(tiles).toHaveCount(3);
  await tiles.first().locator('.tile-check').click();
  await tiles.nth(1).click();
  const saved = page.waitForEvent('download');
  await page.getByRole('toolbar', { name: 'Selected photos' }).getByRole('button', { name: 'Download' }).click();
  const download = await saved;
  expect(download.suggestedFilename()).toMatch(/^hearth-photos-\d{4}-\d{2}-\d{2}\.zip$/);
  const zip = readFileSync(/** @type {string} */ (await download.path()));
  expect(zip.subarray(0, 2).toString('latin1')).toBe('PK');
  expect(zip.length).toBeGreaterThan(2 * datedJpeg(base, '2023:07:01 10:00:00').length);

  // An empty album: "Add photos" picks two of them.
  const { album } = await (await page.request.post('/api/albums', { data: { title: 'July' }, headers: { origin: hearth.url } })).json();
  await page.goto(`/albums/${album.id}`);
  await page.getByRole('button', { name: 'Add photos' }).click();
  const picker = page.getByRole('dialog', { name: 'Add photos to “July”' });
  const choices = picker.locator('.picker-grid .tile');
  await expect(choices).toHaveCount(3);
  await choices.nth(0).click();
  await choices.nth(2).click();
  await page.screenshot({ path: testInfo.outputPath('album-picker.png') });
  await picker.getByRole('button', { name: 'Add 2 photos' }).click();
  await expect(page.locator('.album-grid-tiles .tile')).toHaveCount(2);

  // The slideshow: from the viewer, photo after photo; Esc ends it.
  await page.locator('.album-grid-tiles .tile').first().click();
  const viewer = page.getByRole('dialog', { name: 'Photo viewer' });
  await viewer.getByRole('button', { name: 'Slideshow' }).click();
  const show = page.getByRole('dialog', { name: 'Slideshow' });
  await expect(show.locator('img.slide')).toBeVisible();
  await expect(show).toContainText('1 of 2');
  await page.keyboard.press('ArrowRight');
  await expect(show).toContainText('2 of 2');
  await page.screenshot({ path: testInfo.outputPath('slideshow.png') });
  await page.keyboard.press('Escape');
  await expect(show).toBeHidden();
  await expect(viewer).toBeVisible();
  void ids;
});

test('search opens on places, cameras and recent searches; uploads start as the member chose', async ({ page, owner, hearth }, testInfo) => {
  void owner;
  for (const file of ['UTC-20240413-203720-Tokyo.jpg', 'UTC-20240413-203630-London.jpg']) {
    await page.request.post('/api/uploads', { multipart: { file: { name: basename(file), mimeType: 'image/jpeg', buffer: readFileSync(join(corpus, file)) } }, headers: { origin: hearth.url } });
  }
  await page.goto('/search');
  await expect(page.getByRole('group', { name: 'Years' }).getByRole('link', { name: /2024/ })).toBeVisible();
  await expect(page.getByRole('button', { name: 'How to search' })).toHaveAttribute('aria-expanded', 'false');
  await page.screenshot({ path: testInfo.outputPath('search-landing.png') });
  await page.getByRole('group', { name: 'Years' }).getByRole('link', { name: /2024/ }).click();
  await expect(page.locator('.search-grid .tile')).toHaveCount(2);
  await page.goto('/search');
  await expect(page.getByRole('group', { name: 'Recent searches' }).getByRole('link', { name: '2024', exact: true })).toBeVisible();

  // Settings → Sharing: the owner's uploads start shared with the family.
  await page.goto('/settings');
  await page.getByLabel(/Shared with the family/).check();
  await expect(page.getByText('Saved. Photos you upload from now on start this way.')).toBeVisible();
  expect((await (await page.request.get('/api/me')).json()).default_visibility).toBe('family');
  await page.screenshot({ path: testInfo.outputPath('settings-sharing.png'), fullPage: true });
});
