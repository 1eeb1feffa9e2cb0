// @ts-check
import { resolve } from 'node:path';
import { test, expect, uploadPhoto } from './fixtures.js';

/**
 * A 24-bit BMP of one colour (BMP needs no encoder).
 * @param {number} width
 * @param {number} height
 * @param {[number, number, number]} rgb
 */
function bmp(width, height, [r, g, b]) {
  const row = Math.ceil((width * 3) / 4) * 4;
  const data = Buffer.alloc(54 + row * height);
  data.write('BM', 0, 'latin1');
  data.writeUInt32LE(data.length, 2);
  data.writeUInt32LE(54, 10);
  data.writeUInt32LE(40, 14);
  data.writeInt32LE(width, 18);
  data.writeInt32LE(height, 22);
  data.writeUInt16LE(1, 26);
  data.writeUInt16LE(24, 28);
  data.writeUInt32LE(row * height, 34);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = 54 + y * row + x * 3;
      data[at] = b;
      data[at + 1] = g;
      data[at + 2] = r;
    }
  }
  return data;
}

/** @type {[string, number, number, [number, number, number]][]} */
const shapes = [
  ['portrait', 600, 900, [190, 90, 40]],
  ['landscape', 1200, 900, [40, 120, 190]],
  ['panorama', 2400, 600, [60, 160, 80]],
];

for (const [size, viewport] of /** @type {const} */ ([
  ['desktop', { width: 1280, height: 720 }],
  ['phone', { width: 390, height: 844 }],
])) {
  test(`the viewer shows a portrait, a landscape and a panorama whole (${size})`, async ({ page, owner }, testInfo) => {
    await page.goto('/');
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await (await chooser).setFiles(
      shapes.map(([name, width, height, colour]) => ({ name: `${name}.bmp`, mimeType: 'image/bmp', buffer: bmp(width, height, colour) })),
    );
    await expect(page.getByRole('region', { name: 'Uploads' }).getByText('Uploads finished')).toBeVisible();
    await page.getByRole('button', { name: 'Close the upload list' }).click();
    const tiles = page.locator('.tile');
    await expect(tiles).toHaveCount(3);
    await page.setViewportSize(viewport);

    await tiles.first().click();
    const viewer = page.getByRole('dialog', { name: 'Photo viewer' });
    const image = viewer.locator('img.viewer-media');
    /** The image inside the stage, its shape kept, as large as the stage allows. */
    const fitsWhole = async (/** @type {string} */ what) => {
      await expect(image).toHaveJSProperty('complete', true);
      // Both boxes from one layout: the details below the stage may still
      // be filling in, and the stage shrinks with them.
      const { box, room, naturalWidth, naturalHeight } = await image.evaluate((img) => {
        const photo = /** @type {HTMLImageElement} */ (img);
        const frame = photo.closest('.viewer-stage');
        if (!frame) throw new Error('the image is outside the stage');
        return {
          box: photo.getBoundingClientRect().toJSON(),
          room: frame.getBoundingClientRect().toJSON(),
          naturalWidth: photo.naturalWidth,
          naturalHeight: photo.naturalHeight,
        };
      });
      expect(box.x, `${what}: left edge`).toBeGreaterThanOrEqual(room.x - 0.5);
      expect(box.y, `${what}: top edge`).toBeGreaterThanOrEqual(room.y - 0.5);
      expect(box.x + box.width, `${what}: right edge`).toBeLessThanOrEqual(room.x + room.width + 0.5);
      expect(box.y + box.height, `${what}: bottom edge`).toBeLessThanOrEqual(room.y + room.height + 0.5);
      expect(room.y + room.height, `${what}: the stage ends within the screen`).toBeLessThanOrEqual(viewport.height + 0.5);
      const shape = naturalWidth / naturalHeight;
      expect(Math.abs(box.width / box.height - shape) / shape, `${what}: its shape`).toBeLessThan(0.02);
      const fillsWidth = Math.abs(box.width - room.width) < 1;
      const fillsHeight = Math.abs(box.height - room.height) < 1;
      expect(fillsWidth || fillsHeight, `${what}: ${box.width}×${box.height} in ${room.width}×${room.height}`).toBe(true);
    };
    for (let index = 0; index < shapes.length; index++) {
      if (index > 0) {
        const before = await image.getAttribute('src');
        await page.keyboard.press('ArrowRight');
        await expect(image).not.toHaveAttribute('src', before ?? '');
      }
      await fitsWhole(`photo ${index + 1}`);
    }
    await page.screenshot({ path: testInfo.outputPath(`viewer-${size}.png`) });
    // With the details beside (desktop) or below (phone) it.
    await page.keyboard.press('i');
    await expect(viewer.getByRole('complementary', { name: 'Details' })).toBeVisible();
    await fitsWhole('with details');
    for (let step = 0; step < 2; step++) {
      const before = await image.getAttribute('src');
      await page.keyboard.press('ArrowLeft');
      await expect(image).not.toHaveAttribute('src', before ?? '');
      await fitsWhole(`with details, back ${step + 1}`);
    }
    await page.screenshot({ path: testInfo.outputPath(`viewer-${size}-details.png`) });
    if (size === 'desktop') {
      // Zoomed past the preview's pixels (1440 wide; the panorama is 2400):
      // the original takes its place, and the zoom stays.
      for (let step = 0; step < 2 && (await image.evaluate((img) => /** @type {HTMLImageElement} */ (img).naturalWidth)) !== 1440; step++) {
        const before = await image.getAttribute('src');
        await page.keyboard.press('ArrowRight');
        await expect(image).not.toHaveAttribute('src', before ?? '');
        await expect(image).toHaveJSProperty('complete', true);
      }
      await expect(image).toHaveJSProperty('naturalWidth', 1440);
      await expect(image).toHaveAttribute('src', /\/preview\?/);
      // Beside the details the stage is narrower: 1.5× still fits the preview.
      await page.keyboard.press('+');
      await page.keyboard.press('+');
      await expect(image).toHaveAttribute('src', /\/original\?/);
      await expect(image).toHaveJSProperty('naturalWidth', 2400);
      await page.keyboard.press('-');
      await page.keyboard.press('-');
    }
  });
}

test('the owner writes a caption in the viewer; the camera is named once', async ({ page, owner }, testInfo) => {
  const photo = resolve(import.meta.dirname, '../../../shared/corpus/immich-test-assets/metadata/rating/mongolels.jpg');
  await uploadPhoto(page, photo);
  await page.locator('.tile').first().click();
  const viewer = page.getByRole('dialog', { name: 'Photo viewer' });
  await expect(viewer).toBeVisible();
  await page.keyboard.press('i');
  const details = viewer.getByRole('complementary', { name: 'Details' });
  await expect(details).toContainText('Canon EOS 500D');
  await expect(details).not.toContainText('Canon Canon');

  const caption = details.getByRole('textbox', { name: 'Caption' });
  await caption.fill('Grandpa by the yurt, summer 2009');
  await caption.press('Enter');
  await expect(details.getByRole('status')).toHaveText('Caption saved');
  await page.screenshot({ path: testInfo.outputPath('caption-desktop.png') });
  // Typing in the box is not a shortcut: "f" and "i" stayed text.
  await expect(viewer.getByRole('button', { name: 'Favourite', exact: true })).toBeVisible();

  // It is kept: the API says so, and the viewer shows it again.
  const id = (await caption.getAttribute('id'))?.replace('caption-', '');
  const saved = await page.request.get(`/api/assets/${id}`).then((r) => r.json());
  expect(saved.caption).toBe('Grandpa by the yurt, summer 2009');
  await page.keyboard.press('Escape');
  await page.locator('.tile').first().click();
  // The details stay open from last time.
  await expect(details.getByRole('textbox', { name: 'Caption' })).toHaveValue('Grandpa by the yurt, summer 2009');

  // Emptied, it is removed.
  await details.getByRole('textbox', { name: 'Caption' }).fill('');
  await details.getByRole('textbox', { name: 'Caption' }).press('Enter');
  await expect(details.getByRole('status')).toHaveText('Caption removed');
  expect((await page.request.get(`/api/assets/${id}`).then((r) => r.json())).caption ?? null).toBeNull();
});

test('trash from the viewer moves on to the next photo; Undo brings it back', async ({ page, owner }) => {
  await page.goto('/');
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await (await chooser).setFiles(shapes.slice(0, 2).map(([name, width, height, colour]) => ({ name: `${name}.bmp`, mimeType: 'image/bmp', buffer: bmp(width, height, colour) })));
  await expect(page.getByRole('region', { name: 'Uploads' }).getByText('Uploads finished')).toBeVisible();
  await page.getByRole('button', { name: 'Close the upload list' }).click();
  const tiles = page.locator('.tile');
  await expect(tiles).toHaveCount(2);
  await tiles.first().click();
  const viewer = page.getByRole('dialog', { name: 'Photo viewer' });
  const image = viewer.locator('img.viewer-media');
  // The address names the photo: a reload opens it again, Back closes it.
  await expect(page).toHaveURL(/\?photo=\d+$/);
  const id = new URL(page.url()).searchParams.get('photo');
  await page.reload();
  await expect(viewer).toBeVisible();
  await expect(image).toHaveAttribute('src', new RegExp(`/assets/${id}/preview`));
  await page.goBack();
  await expect(viewer).toBeHidden();
  await expect(page).toHaveURL(/\/$/);
  await tiles.first().click();
  await expect(page).toHaveURL(new RegExp(`\\?photo=${id}$`));
  await page.keyboard.press('ArrowRight');
  await expect(page).not.toHaveURL(new RegExp(`\\?photo=${id}$`));
  await page.goBack();
  await expect(viewer).toBeHidden();
  await tiles.first().click();
  // Tab goes round the viewer's controls, never to the page behind.
  for (let step = 0; step < 14; step++) {
    await page.keyboard.press(step % 5 === 4 ? 'Shift+Tab' : 'Tab');
    expect(await page.evaluate(() => !!document.activeElement?.closest('hearth-viewer')), `focus after ${step + 1} presses`).toBe(true);
  }
  // And round a dialog's (Add to album), from the viewer.
  await viewer.getByRole('button', { name: 'Add to album' }).click();
  const picker = page.getByRole('dialog', { name: 'Add to album' });
  await expect(picker).toBeVisible();
  for (let step = 0; step < 8; step++) {
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => !!document.activeElement?.closest('dialog[open]'))).toBe(true);
  }
  await page.keyboard.press('Escape');
  await expect(picker).toBeHidden();
  const first = await image.getAttribute('src');
  await viewer.getByRole('button', { name: 'Move to trash' }).click();
  // The next photo shows, and the notice (above the viewer) offers Undo.
  await expect(image).not.toHaveAttribute('src', first ?? '');
  const toast = page.locator('.toast', { hasText: '1 item moved to the trash.' });
  await expect(toast).toBeVisible();
  await expect(tiles).toHaveCount(1);
  await toast.getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByRole('status').filter({ hasText: '1 item put back.' })).toBeVisible();
  await expect(tiles).toHaveCount(2);
  // The Delete key does the same.
  await page.keyboard.press('Delete');
  await expect(page.getByRole('status').filter({ hasText: '1 item moved to the trash.' })).toHaveCount(1);
  await expect(tiles).toHaveCount(1);
});
