// @ts-check
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { datedJpeg, test, expect } from './fixtures.js';

const base = readFileSync(resolve(import.meta.dirname, '../../../shared/corpus/pigallery2/test/backend/assets/4MinsAroundTheWorld/UTC-20240413-203430-Auckland.jpg'));

/** One photo in 1601, then one a year or so from 1990 to 2026 (a span like a scanned family archive's). */
const dates = ['1601:05:01 12:00:00', ...Array.from({ length: 37 }, (_, i) => `${1990 + i}:0${1 + (i % 9)}:15 10:00:00`)];

for (const [size, viewport] of /** @type {const} */ ([
  ['desktop', { width: 1366, height: 900 }],
  ['phone', { width: 390, height: 844 }],
])) {
  test(`the scrubber names years legibly from 1601 to 2026, drags without selecting text and stays clear of the tray (${size})`, async ({ page, owner, hearth }, testInfo) => {
    void owner;
    test.setTimeout(60_000);
    const headers = { origin: hearth.url };
    for (const [index, when] of dates.entries()) {
      const answer = await page.request.post('/api/uploads', { multipart: { file: { name: `scan-${index}.jpg`, mimeType: 'image/jpeg', buffer: datedJpeg(base, when) } }, headers });
      expect((await answer.json()).files[0].status).toBe('imported');
    }
    await page.setViewportSize(viewport);
    await page.goto('/');
    const rail = page.getByRole('slider', { name: 'Jump to a month' });
    await expect(rail).toBeVisible();
    await expect(page.locator('.scrubber-year').first()).toHaveText('2026');

    // Labels never overlap; a year without room is a dot.
    const labels = await page.locator('.scrubber-year, .scrubber-month').evaluateAll((all) => all.map((el) => el.getBoundingClientRect()).map((r) => ({ top: r.top, bottom: r.bottom })));
    expect(labels.length).toBeGreaterThan(4);
    for (let i = 1; i < labels.length; i++) expect(labels[i].top, `label ${i} below label ${i - 1}`).toBeGreaterThanOrEqual(labels[i - 1].bottom);
    const railBox = await rail.boundingBox();
    if (!railBox) throw new Error('no rail');
    for (const label of labels) expect(label.bottom).toBeLessThanOrEqual(railBox.y + railBox.height + 1);

    // A slider with a value and words for it.
    await expect(rail).toHaveAttribute('aria-valuenow', String(dates.length - 1));
    await expect(rail).toHaveAttribute('aria-valuetext', /2026/);

    // Dragging to the bottom: the oldest month, named in the bubble; nothing selected as text.
    await page.mouse.move(railBox.x + railBox.width / 2, railBox.y + 10);
    await page.mouse.down();
    await page.mouse.move(railBox.x + railBox.width / 2, railBox.y + railBox.height / 2, { steps: 5 });
    await page.mouse.move(railBox.x + railBox.width / 2, railBox.y + railBox.height - 1, { steps: 5 });
    await expect(page.locator('.scrubber-bubble')).toHaveText(/1601/);
    await page.screenshot({ path: testInfo.outputPath(`scrubber-${size}.png`) });
    await page.mouse.up();
    expect(await page.evaluate(() => String(window.getSelection()))).toBe('');
    await expect(page.getByRole('heading', { name: /1601/ })).toBeInViewport();

    // The keyboard: Home is the oldest month, End the newest.
    await rail.focus();
    await page.keyboard.press('Home');
    await expect(rail).toHaveAttribute('aria-valuetext', /1601/);
    await page.keyboard.press('End');
    await expect(rail).toHaveAttribute('aria-valuetext', /2026/);

    // The grid by keyboard: arrows move between photos, x selects, Enter opens.
    await page.keyboard.press('End');
    const first = page.locator('.timeline .tile').first();
    await first.focus();
    const focused = () => page.evaluate(() => Number(document.activeElement?.getAttribute('data-id')));
    const start = await focused();
    await page.keyboard.press('ArrowRight');
    const second = await focused();
    expect(second).not.toBe(start);
    await page.keyboard.press('ArrowLeft');
    expect(await focused()).toBe(start);
    await page.keyboard.press('ArrowDown');
    const below = await focused();
    expect(below).not.toBe(start);
    const [was, now] = await Promise.all([
      page.locator(`.tile[data-id="${start}"]`).boundingBox(),
      page.locator(`.tile[data-id="${below}"]`).boundingBox(),
    ]);
    expect(now && was && now.y > was.y).toBe(true);
    await page.keyboard.press('ArrowUp');
    expect(await focused()).toBe(start);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('x');
    await expect(page.getByRole('toolbar', { name: 'Selected photos' })).toContainText('1 selected');
    await page.keyboard.press('Escape');
    await expect(page.getByRole('toolbar', { name: 'Selected photos' })).toBeHidden();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('dialog', { name: 'Photo viewer' })).toBeVisible();
    await expect(page).toHaveURL(new RegExp(`photo=${below}`));
    await page.keyboard.press('Escape');

    // With the upload tray open, the rail ends above it.
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await (await chooser).setFiles({ name: 'again.jpg', mimeType: 'image/jpeg', buffer: datedJpeg(base, '2026:01:01 09:00:00') });
    const tray = page.getByRole('region', { name: 'Uploads' });
    await expect(tray.getByText('Uploads finished')).toBeVisible();
    await expect(tray).toContainText('1 added');
    await expect.poll(async () => {
      const [r, t] = await Promise.all([rail.boundingBox(), tray.boundingBox()]);
      return r && t ? r.y + r.height <= t.y : false;
    }).toBe(true);
    await page.screenshot({ path: testInfo.outputPath(`scrubber-tray-${size}.png`) });
  });
}
