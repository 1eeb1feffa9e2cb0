// @ts-check
/**
 * Settings → Library, for the owner: a Google Photos takeout (unpacked,
 * in a folder on the server) brought home, its progress, its report, and
 * its album and sidecar facts in the library.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, screenshots, test } from './fixtures.js';

const photo = readFileSync(resolve(import.meta.dirname, '../../../shared/corpus/pigallery2/test/backend/assets/4MinsAroundTheWorld/UTC-20240413-203430-Auckland.jpg'));

test('the owner brings a Google takeout home from Settings → Library', async ({ page, owner }, testInfo) => {
  void owner;
  const home = mkdtempSync(join(tmpdir(), 'takeout-'));
  const album = join(home, 'Takeout', 'Google Photos', 'Lisbon 2023');
  mkdirSync(album, { recursive: true });
  writeFileSync(join(album, 'metadata.json'), JSON.stringify({ title: 'Lisbon 2023', description: '', access: 'protected' }));
  writeFileSync(join(album, 'tram.jpg'), photo);
  writeFileSync(
    join(album, 'tram.jpg.supplemental-metadata.json'),
    JSON.stringify({ title: 'tram.jpg', description: 'The 28 tram', photoTakenTime: { timestamp: '1690000000' }, favorited: true }),
  );
  try {
    await page.goto('/settings/library');
    const takeout = page.getByRole('region', { name: 'Google Photos takeout' });
    await takeout.getByLabel('Folder on the server').fill(join(home, 'Takeout'));
    await takeout.getByRole('button', { name: 'Bring it home' }).click();
    await expect(takeout.getByText('The takeout import is done.')).toBeVisible();
    await expect(takeout.locator('.takeout-report')).toContainText('Google Photos takeout: 1 imported');
    await screenshots(page, testInfo, 'library-takeout');
    await page.goto('/albums');
    await expect(page.getByText('Lisbon 2023')).toBeVisible();
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
