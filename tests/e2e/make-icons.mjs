// Renders web/icon.svg as the PNG icons the manifest names (run from
// tests/e2e: node make-icons.mjs); the PNGs are committed.
import { chromium } from 'playwright';
import { readFileSync } from 'node:fs';
const svg = readFileSync(new URL('../../web/icon.svg', import.meta.url), 'utf8');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage();
for (const [name, size, pad, bg] of [['icon-192.png', 192, 0, 'transparent'], ['icon-512.png', 512, 0, 'transparent'], ['icon-maskable-512.png', 512, 0.1, '#c2410c']]) {
  await page.setViewportSize({ width: size, height: size });
  const inner = Math.round(size * (1 - 2 * pad));
  // A maskable icon: the flame inside the safe zone, the colour to the edges.
  const art = pad ? svg.replace('rx="14"', 'rx="0"') : svg;
  await page.setContent(`<html><body style="margin:0;background:${bg};display:grid;place-items:center;width:${size}px;height:${size}px">${art.replace('<svg ', `<svg width="${pad ? size : inner}" height="${pad ? size : inner}" `)}</body></html>`);
  if (pad) {
    await page.setContent(`<html><body style="margin:0;background:${bg};display:grid;place-items:center;width:${size}px;height:${size}px"><svg width="${inner}" height="${inner}" viewBox="8 8 48 48" xmlns="http://www.w3.org/2000/svg"><rect x="0" y="0" width="64" height="64" fill="#c2410c"/>${svg.split('\n').filter((l) => l.includes('<path')).join('')}</svg></body></html>`);
  }
  await page.screenshot({ path: new URL(`../../web/${name}`, import.meta.url).pathname, omitBackground: !pad, clip: { x: 0, y: 0, width: size, height: size } });
}
await browser.close();
