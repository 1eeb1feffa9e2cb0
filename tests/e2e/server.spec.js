// @ts-check
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { OWNER_PASSWORD, expect, screenshots, test, uploadPhoto } from './fixtures.js';

const photo = resolve(import.meta.dirname, '../../../shared/corpus/pigallery2/test/backend/assets/4MinsAroundTheWorld/UTC-20240413-203720-Tokyo.jpg');


test('the owner sees the server, backs up, checks the library and repairs it', async ({ page, owner, hearth }, testInfo) => {
  void owner;
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1280, height: 900 });

  // A photo, uploaded and imported (its tile has its thumbnail).
  await uploadPhoto(page, photo);
  await expect(page.locator('.tile.loaded')).toHaveCount(1);
  const id = Number(await page.locator('.tile').getAttribute('data-id'));

  // Settings → Server, through the link the owner has.
  await page.getByRole('link', { name: 'Settings', exact: true }).first().click();
  await page.getByRole('link', { name: 'Server', exact: true }).click();
  await expect(page).toHaveURL(/\/settings\/server$/);
  await expect(page.getByRole('heading', { name: 'Server', level: 1 })).toBeVisible();
  const about = page.getByRole('region', { name: 'This server' });
  const { version } = await (await page.request.get('/api/server/info')).json();
  await expect(about.locator('[data-fact="version"]')).toContainText(`Hearth ${version}`);
  await expect(about.locator('[data-fact="status"]')).toContainText('Healthy');
  await expect(about.locator('[data-fact="address"]')).toContainText(hearth.url);

  // The backup made at start is listed; Back up now adds one.
  const backups = page.getByRole('region', { name: 'Backups' });
  await expect(backups).toContainText('A copy of the database is made every 24 hours; the newest 7 are kept in');
  const listed = backups.locator('li.backup');
  await expect.poll(() => listed.count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
  const before = await listed.count();
  await backups.getByRole('button', { name: 'Back up now' }).click();
  await expect(backups.getByRole('status')).toContainText('Backed up');
  await expect(listed).toHaveCount(before + 1);
  await expect(backups.locator('code')).toHaveText('hearth backup --to DIR --originals');

  // The check finds nothing wrong, and offers no repair.
  const check = page.getByRole('region', { name: 'Integrity check' });
  await check.getByRole('button', { name: 'Check now' }).click();
  await expect(check).toContainText('Everything is in order: 1 photo or video, 1 file,');
  await expect(check.getByRole('button', { name: 'Repair' })).toHaveCount(0);
  await screenshots(page, testInfo, 'server-clean');

  // A thumbnail goes missing: the check says so, and Repair makes it again.
  const thumb = join(hearth.dataDir, 'media/derived', (id % 256).toString(16).padStart(2, '0'), String(id), 'thumb.jpg');
  expect(existsSync(thumb)).toBe(true);
  rmSync(thumb);
  await check.getByRole('button', { name: 'Check again' }).click();
  await expect(check.locator('[data-problem="missing_thumbnail"]')).toContainText('1 thumbnail missing');
  await check.getByText('Which ones').click();
  await expect(check.locator('.finding')).toContainText(`#${id}`);
  await screenshots(page, testInfo, 'server-problem');
  await check.getByRole('button', { name: 'Repair' }).click();
  await expect(check.locator('[data-problem="missing_thumbnail"]')).toContainText('Repaired');
  await expect(check.getByRole('status')).toContainText('check again in a minute');
  await screenshots(page, testInfo, 'server-repaired');
  await expect(async () => {
    await check.getByRole('button', { name: 'Check again' }).click();
    await expect(check).toContainText('Everything is in order', { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  expect(existsSync(thumb)).toBe(true);
});

test('a member is told the page is the owner’s', async ({ page, owner, hearth, browser }) => {
  void owner;
  const headers = { origin: hearth.url };
  const invite = await (await page.request.post('/api/household/invites', { data: { role: 'member' }, headers })).json();
  const context = await browser.newContext({ baseURL: hearth.url, viewport: { width: 390, height: 844 } });
  const ben = await context.newPage();
  /** @type {string[]} */
  const problems = [];
  ben.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
  ben.on('pageerror', (error) => problems.push(String(error)));
  const joined = await ben.request.post('/api/links/password', {
    data: { token: new URL(invite.url).searchParams.get('token'), account: { username: 'ben', display_name: 'Ben' }, password: `${OWNER_PASSWORD} too` },
    headers,
  });
  expect(joined.status()).toBe(200);

  await ben.goto('/settings');
  await expect(ben.getByRole('link', { name: 'Privacy', exact: true })).toBeVisible();
  await expect(ben.getByRole('link', { name: 'Server', exact: true })).toHaveCount(0);
  await ben.goto('/settings/server');
  await expect(ben.getByRole('heading', { name: 'Only the owner can see this page.' })).toBeVisible();
  await expect(ben.getByRole('region', { name: 'Backups' })).toHaveCount(0);
  await ben.screenshot({ path: '/tmp/server-member-phone-light.png', fullPage: true, animations: 'disabled' });
  expect(problems).toEqual([]);
  await context.close();
});
