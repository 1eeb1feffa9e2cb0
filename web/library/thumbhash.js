// @ts-check
/**
 * Thumbhash placeholders: a photo's ~25-byte hash (made by the server when
 * it makes the thumbnail) decoded to a tiny blurred image, drawn before the
 * thumbnail arrives. Decoded images are cached by hash.
 */

/** @type {Map<string, ImageData>} */
const cache = new Map();

/**
 * @param {string} base64
 * @returns {ImageData | null}
 */
export function decode(base64) {
  const cached = cache.get(base64);
  if (cached) return cached;
  let hash;
  try {
    hash = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
  if (hash.length < 5) return null;
  const header24 = hash[0] | (hash[1] << 8) | (hash[2] << 16);
  const header16 = hash[3] | (hash[4] << 8);
  const lDc = (header24 & 63) / 63;
  const pDc = ((header24 >> 6) & 63) / 31.5 - 1;
  const qDc = ((header24 >> 12) & 63) / 31.5 - 1;
  const lScale = ((header24 >> 18) & 31) / 31;
  const hasAlpha = header24 >> 23 !== 0;
  const pScale = ((header16 >> 3) & 63) / 63;
  const qScale = ((header16 >> 9) & 63) / 63;
  const landscape = header16 >> 15 !== 0;
  const lx = Math.max(3, landscape ? (hasAlpha ? 5 : 7) : header16 & 7);
  const ly = Math.max(3, landscape ? header16 & 7 : hasAlpha ? 5 : 7);
  const start = hasAlpha ? 6 : 5;
  let index = 0;
  /** @param {number} nx @param {number} ny @param {number} scale */
  const channel = (nx, ny, scale) => {
    /** @type {number[]} */
    const ac = [];
    for (let cy = 0; cy < ny; cy++) {
      for (let cx = cy ? 0 : 1; cx * ny < nx * (ny - cy); cx++) {
        const byte = hash[start + (index >> 1)] ?? 0;
        ac.push((((byte >> ((index & 1) << 2)) & 15) / 7.5 - 1) * scale);
        index++;
      }
    }
    return ac;
  };
  const lAc = channel(lx, ly, lScale);
  const pAc = channel(3, 3, pScale * 1.25);
  const qAc = channel(3, 3, qScale * 1.25);
  const ratio = lx / ly;
  const w = Math.round(ratio > 1 ? 32 : 32 * ratio);
  const h = Math.round(ratio > 1 ? 32 / ratio : 32);
  const pixels = new Uint8ClampedArray(w * h * 4);
  const fx = new Float64Array(Math.max(lx, 3));
  const fy = new Float64Array(Math.max(ly, 3));
  for (let y = 0, i = 0; y < h; y++) {
    for (let x = 0; x < w; x++, i += 4) {
      let l = lDc;
      let p = pDc;
      let q = qDc;
      for (let cx = 0; cx < fx.length; cx++) fx[cx] = Math.cos((Math.PI / w) * (x + 0.5) * cx);
      for (let cy = 0; cy < fy.length; cy++) fy[cy] = Math.cos((Math.PI / h) * (y + 0.5) * cy);
      for (let cy = 0, j = 0; cy < ly; cy++) {
        const fy2 = fy[cy] * 2;
        for (let cx = cy ? 0 : 1; cx * ly < lx * (ly - cy); cx++, j++) l += lAc[j] * fx[cx] * fy2;
      }
      for (let cy = 0, j = 0; cy < 3; cy++) {
        const fy2 = fy[cy] * 2;
        for (let cx = cy ? 0 : 1; cx < 3 - cy; cx++, j++) {
          const f = fx[cx] * fy2;
          p += pAc[j] * f;
          q += qAc[j] * f;
        }
      }
      const b = l - (2 / 3) * p;
      const r = (3 * l - b + q) / 2;
      const g = r - q;
      pixels[i] = 255 * r;
      pixels[i + 1] = 255 * g;
      pixels[i + 2] = 255 * b;
      pixels[i + 3] = 255;
    }
  }
  const image = new ImageData(pixels, w, h);
  if (cache.size > 5000) cache.clear();
  cache.set(base64, image);
  return image;
}

/**
 * A canvas showing the placeholder (stretched by CSS to the tile).
 * @param {string | undefined} base64
 */
export function placeholder(base64) {
  const canvas = document.createElement('canvas');
  canvas.className = 'tile-hash';
  canvas.setAttribute('aria-hidden', 'true');
  const image = base64 ? decode(base64) : null;
  if (image) {
    canvas.width = image.width;
    canvas.height = image.height;
    canvas.getContext('2d')?.putImageData(image, 0, 0);
  } else {
    canvas.width = 1;
    canvas.height = 1;
  }
  return canvas;
}
