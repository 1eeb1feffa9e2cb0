// @ts-check
/**
 * What the Photos view costs on the wire, counted by Chromium itself
 * (DevTools' encoded lengths: headers and compressed bodies): the first
 * visit within its budget, a repeat visit asking for almost nothing, and
 * the time to the first thumbnails on a throttled phone. The figures are
 * printed; the byte budgets are asserted (they do not depend on timing).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { datedJpeg, runHearth, test, expect } from './fixtures.js';

const base = readFileSync(resolve(import.meta.dirname, '../../../shared/corpus/pigallery2/test/backend/assets/4MinsAroundTheWorld/UTC-20240413-203430-Auckland.jpg'));

// HTTP caching alone is measured: a service worker answering from its own
// cache would make the repeat visit cost nothing at all (pwa.spec.js).
test.use({ serviceWorkers: 'block' });

/** The web app's first visit to Photos, headers included. */
const FIRST_VISIT_BUDGET = 60 * 1024;
/** The library the phone opens: as many photos as the NAS holds. */
const LARGE_LIBRARY = 100_000;
/** A repeat visit: the page revalidated, nothing else of the app. */
const REPEAT_VISIT_BUDGET = 5 * 1024;

/** Lighthouse's "slow 4G" phone: 150 ms round trips, 1.6 Mbit/s down, 750 kbit/s up, a CPU 4× slower. */
const PHONE_ON_4G = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };

/**
 * Counts the bytes of every finished response by kind: the app (pages,
 * scripts, styles), the API's JSON, media.
 * @param {import('@playwright/test').Page} page
 */
async function countBytes(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  /** @type {Map<string, string>} */
  const urls = new Map();
  const totals = { app: 0, api: 0, media: 0, appFiles: 0 };
  cdp.on('Network.responseReceived', (event) => urls.set(event.requestId, event.response.url));
  cdp.on('Network.loadingFinished', (event) => {
    const url = new URL(urls.get(event.requestId) ?? 'about:blank');
    if (/^\/api\/assets\/\d+\/(thumb|preview|original|video)/.test(url.pathname)) totals.media += event.encodedDataLength;
    else if (url.pathname.startsWith('/api/')) totals.api += event.encodedDataLength;
    else if (url.protocol === 'http:' && event.encodedDataLength > 0) {
      // (A file from the browser's cache costs nothing and counts not.)
      totals.app += event.encodedDataLength;
      totals.appFiles += 1;
    }
  });
  return { cdp, totals };
}

/** @param {import('@playwright/test').Page} page */
async function firstThumbnails(page) {
  await page.waitForFunction(() => [...document.querySelectorAll('.tile img')].some((img) => img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0));
}

/** @param {number} bytes */
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

test('the Photos view: a first visit within 60 KiB of app, a repeat visit within 5 KiB', async ({ page, owner, hearth }, testInfo) => {
  void owner;
  for (const [index, when] of ['2024:06:01 10:00:00', '2024:06:02 10:00:00', '2023:12:24 18:00:00'].entries()) {
    const answer = await page.request.post('/api/uploads', { multipart: { file: { name: `p${index}.jpg`, mimeType: 'image/jpeg', buffer: datedJpeg(base, when) } }, headers: { origin: hearth.url } });
    expect((await answer.json()).files[0].status).toBe('imported');
  }
  const first = await countBytes(page);
  await page.goto('/');
  await firstThumbnails(page);
  await expect(page.locator('.tile img')).toHaveCount(3);

  const again = await page.context().newPage();
  const repeat = await countBytes(again);
  await again.goto('/');
  await firstThumbnails(again);

  const figures = `first visit: app ${kib(first.totals.app)} in ${first.totals.appFiles} files, API ${kib(first.totals.api)}, media ${kib(first.totals.media)}; ` +
    `repeat visit: app ${kib(repeat.totals.app)} in ${repeat.totals.appFiles} files, API ${kib(repeat.totals.api)}, media ${kib(repeat.totals.media)}`;
  console.log(figures);
  await testInfo.attach('bytes on the wire', { body: figures });
  expect(first.totals.app, figures).toBeLessThanOrEqual(FIRST_VISIT_BUDGET);
  expect(repeat.totals.app, figures).toBeLessThanOrEqual(REPEAT_VISIT_BUDGET);
  expect(repeat.totals.appFiles, 'only the page is asked for again').toBe(1);
  // The viewer's code comes when a photo is opened, not before.
  await again.locator('.tile').first().click();
  await expect(again.getByRole('dialog')).toBeVisible();
});

test('the Photos view of a 100 000-photo library on a throttled phone on 4G: time to the first thumbnails (printed)', async ({ page, owner, hearth }, testInfo) => {
  void owner;
  test.setTimeout(240_000);
  const answer = await page.request.post('/api/uploads', { multipart: { file: { name: 'first.jpg', mimeType: 'image/jpeg', buffer: datedJpeg(base, '2024:06:01 10:00:00') } }, headers: { origin: hearth.url } });
  const [file] = (await answer.json()).files;
  expect(file.status).toBe('imported');
  await expect.poll(async () => (await page.request.get(`/api/assets/${file.asset_id}/thumb`)).status()).toBe(200);
  // 100 000 more, sharing that photo's thumbnails (`hearth bench seed`),
  // and a restart that indexes them for search before the phone comes.
  /** @type {string} */
  let seeded = '';
  await hearth.restart(() => {
    seeded = runHearth(['bench', 'seed', '--data', hearth.dataDir, '--assets', String(LARGE_LIBRARY)]).trim();
  });
  const started = Date.now();
  await expect
    .poll(async () => (await (await page.request.get('/api/search?q=beach')).json()).total ?? 0, { timeout: 120_000 })
    .toBeGreaterThan(0);
  const months = await (await page.request.get('/api/timeline')).json();
  const total = months.total;
  // Seeded asset i is the owner's when i is even, the other member's
  // otherwise, and shared with the family when i is a multiple of 3.
  let visible = 1;
  for (let i = 1; i <= LARGE_LIBRARY; i++) if (i % 2 === 0 || i % 3 === 0) visible++;
  expect(total, 'the owner sees their first photo, their half, and what the other member shares').toBe(visible);

  await page.setViewportSize({ width: 390, height: 844 });
  const { cdp } = await countBytes(page);
  await cdp.send('Network.emulateNetworkConditions', PHONE_ON_4G);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await page.goto('/');
  await firstThumbnails(page);
  const millis = await page.evaluate(() => Math.min(...performance.getEntriesByType('resource').filter((entry) => entry.name.includes('/thumb')).map((entry) => /** @type {PerformanceResourceTiming} */ (entry).responseEnd)));
  const figure = `${seeded}; search indexed ${((Date.now() - started) / 1000).toFixed(1)} s after the restart; ` +
    `the owner sees ${total} photos in ${months.months.length} months; ` +
    `first thumbnails on a throttled phone (150 ms RTT, 1.6 Mbit/s, CPU ×4), empty cache: ${Math.round(millis)} ms`;
  console.log(figure);
  await testInfo.attach('time to first thumbnails', { body: figure });
});
