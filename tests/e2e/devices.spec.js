// @ts-check
/**
 * Settings → Devices and the trash's kept-out list, as a family member
 * sets up their phone: a device password shown once (with its QR code),
 * the phone's backup app sending a photo over WebDAV (real HTTP from the
 * test, as PhotoSync would), the device's last use, a photo deleted in
 * Hearth and sent again kept out, then brought back.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { OWNER_PASSWORD, expect, screenshots, test } from './fixtures.js';

const photo = readFileSync(resolve(import.meta.dirname, '../../../shared/corpus/pigallery2/test/backend/assets/4MinsAroundTheWorld/UTC-20240413-203430-Auckland.jpg'));

test('a phone gets a device password, backs up a photo, and what was deleted stays out until brought back', async ({ page, owner, hearth }, testInfo) => {
  void owner;
  await page.goto('/settings');
  await page.getByRole('link', { name: 'Devices' }).click();
  await expect(page.getByRole('heading', { name: 'Devices', level: 1 })).toBeVisible();
  await expect(page.getByText('This address is plain http.')).toBeVisible();
  await expect(page.getByText('No devices yet.')).toBeVisible();

  await page.getByLabel('A name for the device').fill('Olivia’s iPhone');
  await page.getByRole('button', { name: 'Add a device' }).click();
  const ask = page.getByRole('dialog', { name: 'Add a device?' });
  await ask.getByLabel('Your password').fill(OWNER_PASSWORD);
  await ask.getByRole('button', { name: 'Add device' }).click();
  await expect(ask).toBeHidden();
  const password = await page.getByLabel('Device password').inputValue();
  expect(password).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
  await expect(page.getByLabel('Path')).toHaveValue('/dav/olivia/');
  await expect(page.getByRole('img', { name: /QR code/ })).toBeVisible();
  await expect(page.locator('.row', { hasText: 'Olivia’s iPhone' })).toContainText('not used yet');
  await screenshots(page, testInfo, 'devices-created');

  // The phone's app sends a photo.
  const auth = `Basic ${Buffer.from(`olivia:${password}`).toString('base64')}`;
  const put = await fetch(`${hearth.url}/dav/olivia/IMG_0001.JPG`, { method: 'PUT', headers: { authorization: auth }, body: photo });
  expect(put.status).toBe(201);
  await page.reload();
  await expect(page.locator('.row', { hasText: 'Olivia’s iPhone' })).toContainText('last backed up');
  await expect(page.getByLabel('Device password')).toHaveCount(0);
  await page.locator('summary', { hasText: 'PhotoSync' }).click();
  await expect(page.getByText('Autotransfer')).toBeVisible();
  await screenshots(page, testInfo, 'devices');

  // Deleted in Hearth, then sent again from a restored phone: kept out.
  await page.goto('/');
  await page.locator('.tile').first().click();
  await page.getByRole('dialog', { name: 'Photo viewer' }).getByRole('button', { name: 'Move to trash' }).click();
  await expect(page.getByRole('dialog', { name: 'Photo viewer' })).toBeHidden();
  await expect(page.locator('.tile')).toHaveCount(0);
  await page.goto('/trash');
  await page.getByRole('button', { name: 'Empty trash' }).click();
  await page.getByRole('dialog', { name: 'Empty the trash?' }).getByRole('button', { name: 'Empty trash' }).click();
  await expect(page.getByRole('heading', { name: 'The trash is empty' })).toBeVisible();
  const again = await fetch(`${hearth.url}/dav/olivia/IMG_0001%20(1).JPG`, { method: 'PUT', headers: { authorization: auth }, body: photo });
  expect(again.status).toBe(201);
  await page.reload();
  const kept = page.getByRole('region', { name: 'Kept out' });
  await expect(kept.locator('.row', { hasText: 'IMG_0001 (1).JPG' })).toBeVisible();
  await screenshots(page, testInfo, 'trash-kept-out');
  await kept.getByRole('button', { name: 'Bring it back' }).click();
  await expect(kept).toBeHidden();
  await page.goto('/');
  await expect(page.locator('.tile')).toHaveCount(1);
});
