// @ts-check
import { test, expect } from './fixtures.js';

const NAV = [
  { name: 'Photos', path: '/', heading: 'Photos' },
  { name: 'Albums', path: '/albums', heading: 'Albums' },
  { name: 'Search', path: '/search', heading: 'Search' },
  { name: 'Settings', path: '/settings', heading: 'Settings' },
];

test('every navigation entry opens its view', async ({ page, owner }) => {
  await page.goto('/');
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const entry of NAV) {
    await nav.getByRole('link', { name: entry.name }).click();
    await expect(page).toHaveURL(entry.path);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(entry.heading);
    await expect(nav.getByRole('link', { name: entry.name })).toHaveAttribute('aria-current', 'page');
  }
  // Back and forward move between views without reloading.
  await page.goBack();
  await expect(page).toHaveURL('/search');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Search');
});

test('settings show the server version and health from the API', async ({ page, owner }) => {
  const info = await (await page.request.get('/api/server/info')).json();
  await page.goto('/settings');
  await expect(page.locator('[data-fact="version"] dd')).toHaveText(`Hearth ${info.version}`);
  await expect(page.locator('[data-fact="status"] dd')).toHaveText('Healthy');
  await expect(page.locator('[data-fact="database"] dd')).toHaveText('Working');
  await expect(page).toHaveTitle('Settings · Hearth');
});

test('an unknown address gets an honest page', async ({ page, owner }) => {
  const response = await page.goto('/no/such/page');
  expect(response?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('There is no page here');
  await page.getByRole('link', { name: 'Go to Photos' }).click();
  await expect(page).toHaveURL('/');
});

test.describe('errors', () => {
  test.use({ allowedConsoleErrors: [/status of 404/] });

  test('errors from the API are shown in words', async ({ page, owner }) => {
  await page.goto('/settings');
  await expect(page.locator('[data-fact="version"]')).toBeVisible();
  // A call the server refuses: the UI's error surface shows the server's words.
  await page.evaluate(async () => {
    const { api, showError } = await import('/api.js');
    try {
      await api('/no-such-endpoint');
    } catch (err) {
      showError(err);
    }
  });
  await expect(page.getByRole('alert')).toContainText('There is no API endpoint at this path.');
  await page.getByRole('button', { name: 'Dismiss' }).click();
  await expect(page.getByRole('alert')).toHaveCount(0);
  });
});

test('the API explorer lists operations and sends requests', async ({ page }, testInfo) => {
  await page.goto('/api/docs');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Hearth');
  const health = page.locator('details#health');
  await health.locator('summary').click();
  await health.getByRole('button', { name: 'Send request' }).click();
  await expect(health.locator('.try-output')).toContainText('200 OK');
  await expect(health.locator('.try-output')).toContainText('"status": "ok"');
  await page.screenshot({ path: testInfo.outputPath('api-docs.png'), fullPage: true });
});

for (const scheme of /** @type {const} */ (['light', 'dark'])) {
  for (const device of [
    { name: 'phone', viewport: { width: 390, height: 844 } },
    { name: 'desktop', viewport: { width: 1280, height: 800 } },
  ]) {
    test(`screenshots: ${device.name}, ${scheme}`, async ({ page, owner }, testInfo) => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize(device.viewport);
      for (const entry of [NAV[0], NAV[3], { name: 'Security', path: '/settings/security', heading: 'Security' }]) {
        await page.goto(entry.path);
        await expect(page.getByRole('heading', { level: 1 })).toHaveText(entry.heading);
        if (entry.path === '/settings') await expect(page.locator('[data-fact="status"] dd')).toHaveText('Healthy');
        const tabBar = page.getByRole('navigation', { name: 'Main' });
        const box = await tabBar.boundingBox();
        if (device.name === 'phone') {
          // The tab bar sits at the bottom, in thumb reach, with 48px+ targets.
          expect(box && box.y + box.height).toBeGreaterThanOrEqual(device.viewport.height - 1);
          for (const link of await tabBar.getByRole('link').all()) {
            expect((await link.boundingBox())?.height).toBeGreaterThanOrEqual(48);
          }
        }
        const file = testInfo.outputPath(`${entry.name.toLowerCase()}-${device.name}-${scheme}.png`);
        await page.screenshot({ path: file, fullPage: true });
        await testInfo.attach(`${entry.name} (${device.name}, ${scheme})`, { path: file, contentType: 'image/png' });
      }
    });
  }
}
