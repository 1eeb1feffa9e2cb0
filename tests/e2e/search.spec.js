// @ts-check
import { join, resolve } from 'node:path';
import { test, expect } from './fixtures.js';

const corpus = resolve(import.meta.dirname, '../../../shared/corpus');
const photos = [
  'pigallery2/test/backend/assets/4MinsAroundTheWorld/UTC-20240413-203730-Reykjavik.jpg',
  'pigallery2/test/backend/assets/4MinsAroundTheWorld/UTC-20240413-203720-Tokyo.jpg',
  'pigallery2/test/backend/assets/timestamps/big_ben.jpg',
  'lychee/tests/Samples/aarhus.jpg',
  'lychee/tests/Samples/hochuferweg.jpg',
].map((file) => join(corpus, file));

// The unreadable query's 400 is expected (Chromium logs every 4xx).
test.use({ allowedConsoleErrors: [/status of 400/] });

test('search: a typo, a suggestion, a facet, the viewer', async ({ page, owner }, testInfo) => {
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.goto('/');
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await (await chooser).setFiles(photos);
  await expect(page.getByRole('region', { name: 'Uploads' }).getByText('Uploads finished')).toBeVisible();
  await page.getByRole('button', { name: 'Close the upload list' }).click();

  // From the header: a typo still finds Reykjavík.
  const header = page.locator('.header-search').getByRole('combobox', { name: 'Search photos' });
  await header.fill('reykjavk');
  await header.press('Enter');
  await expect(page).toHaveURL(/\/search\?q=reykjavk/);
  await expect(page.getByRole('status')).toContainText('1 result');
  await expect(page.locator('.search-grid .tile')).toHaveCount(1);

  // Suggestions as you type, picked with the keyboard.
  const box = page.locator('.search-page').getByRole('combobox', { name: 'Search photos' });
  await box.fill('nex');
  const suggestions = page.locator('.search-page').getByRole('listbox', { name: 'Suggestions' });
  await expect(suggestions.getByRole('option').first()).toContainText('LGE Nexus 5X');
  await page.screenshot({ path: testInfo.outputPath('suggestions.png') });
  await box.press('ArrowDown');
  await box.press('Enter');
  await expect(page).toHaveURL(/camera%3A%22LGE%20Nexus%205X%22|camera:%22LGE/);
  await expect(page.getByRole('status')).toContainText('2 results');

  // Narrow by a facet: one of the two countries.
  await page.goto('/search?q=camera%3Anexus');
  await expect(page.getByRole('status')).toContainText('2 results');
  await page.getByRole('group', { name: 'Places' }).getByRole('link', { name: /Denmark/ }).click();
  await expect(page.getByRole('status')).toContainText('1 result');
  await expect(page).toHaveURL(/place%3ADenmark/);
  await page.screenshot({ path: testInfo.outputPath('results.png'), fullPage: true });

  // Open the result in the viewer; Back returns to the previous search.
  await page.locator('.search-grid .tile').first().click();
  const viewer = page.getByRole('dialog', { name: 'Photo viewer' });
  await expect(viewer).toBeVisible();
  await page.keyboard.press('i');
  await expect(viewer.getByRole('complementary', { name: 'Details' })).toContainText('Denmark');
  await page.keyboard.press('Escape');
  await page.goBack();
  await expect(page).toHaveURL(/q=camera%3Anexus$/);
  await expect(page.getByRole('status')).toContainText('2 results');

  // A query that cannot be read says where, and shows the help.
  await box.fill('sunset "golden');
  await box.press('Enter');
  await expect(page.getByRole('alert')).toContainText('This quote is never closed. (at character 8)');
  await expect(page.getByRole('heading', { name: 'How to search' })).toBeVisible();

  // Nothing found: help with the query language.
  await page.goto('/search?q=volcano');
  await expect(page.getByText('Nothing matches.')).toBeVisible();
  const tips = page.getByRole('heading', { name: 'Try fewer words, or these' }).locator('..');
  await expect(tips.getByText('place:lisbon · camera:pixel · lens:50mm')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('nothing.png'), fullPage: true });

  // On a phone, in the dark: the Search tab's own box, chips that scroll.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/search?q=camera%3Anexus');
  await expect(page.getByRole('status')).toContainText('2 results');
  await expect(page.locator('.header-search')).toBeHidden();
  await page.screenshot({ path: testInfo.outputPath('phone-dark.png'), fullPage: true });
});
