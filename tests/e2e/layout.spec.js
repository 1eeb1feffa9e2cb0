// @ts-check
import { join, resolve } from 'node:path';
import { test, expect, uploadPhoto } from './fixtures.js';

const photo = join(
  resolve(import.meta.dirname, '../../../shared/corpus/pigallery2/test/backend/assets/4MinsAroundTheWorld'),
  'UTC-20240413-203720-Tokyo.jpg',
);

const views = [
  '/',
  '/albums',
  '/search',
  '/trash',
  '/favourites',
  '/archive',
  '/notifications',
  '/settings',
  '/settings/library',
  '/settings/security',
  '/settings/privacy',
  '/settings/household',
  '/settings/server',
];

test('no view scrolls sideways, from 320 px wide phones to desktops', async ({ page, owner }) => {
  test.setTimeout(90_000);
  await uploadPhoto(page, photo);
  for (const width of [320, 390, 768, 1280, 1366]) {
    await page.setViewportSize({ width, height: 800 });
    for (const view of views) {
      await page.goto(view);
      await expect(page.locator('main h1, main h2').first()).toBeVisible();
      // Late content (lists, the scrubber) settles first.
      await page.waitForLoadState('networkidle');
      const overflow = await page.evaluate(() => {
        const root = document.documentElement;
        const wide = [...document.querySelectorAll('body *')]
          .filter((element) => {
            const box = element.getBoundingClientRect();
            return box.width > 0 && box.right > root.clientWidth + 1;
          })
          .slice(0, 3)
          .map((element) => `${element.tagName.toLowerCase()}.${[...element.classList].join('.')}`);
        return { by: root.scrollWidth - root.clientWidth, wide };
      });
      expect.soft(overflow.by, `${view} at ${width} px scrolls sideways (${overflow.wide.join(', ')})`).toBeLessThanOrEqual(0);
    }
  }
});
