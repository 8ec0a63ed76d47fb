import { describe, expect, it } from 'vitest';
import { preprocessMnist, MNIST_CENTRE } from './mnistPreprocess';
import type { RawImage } from './rawImage';
import { loadMnistSplit, PIXELS } from '../../node/mnistData';

const { heldOut } = loadMnistSplit();

/** Renders held-out digit i at `scale`x in the given polarity, optionally with ink as alpha. */
function render(i: number, scale: number, mode: 'dark-on-light' | 'light-on-dark' | 'alpha'): RawImage {
  const size = 28 * scale;
  const data = new Uint8ClampedArray(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = heldOut.images[i * PIXELS + Math.floor(y / scale) * 28 + Math.floor(x / scale)];
      const o = (y * size + x) * 4;
      if (mode === 'alpha') data.set([0, 0, 0, Math.round(255 * v)], o);
      else {
        const g = Math.round(255 * (mode === 'dark-on-light' ? 1 - v : v));
        data.set([g, g, g, 255], o);
      }
    }
  }
  return { width: size, height: size, data };
}

function rectangle(w: number, h: number, rect: { x: number; y: number; width: number; height: number }): RawImage {
  const data = new Uint8ClampedArray(w * h * 4).fill(255);
  for (let y = rect.y; y < rect.y + rect.height; y++) {
    for (let x = rect.x; x < rect.x + rect.width; x++) data.set([0, 0, 0, 255], (y * w + x) * 4);
  }
  return { width: w, height: h, data };
}

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) { ma += a[i] / n; mb += b[i] / n; }
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < n; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

function massCentre(p: Float32Array): [number, number] {
  let m = 0, r = 0, c = 0;
  for (let i = 0; i < p.length; i++) { m += p[i]; r += p[i] * Math.floor(i / 28); c += p[i] * (i % 28); }
  return [r / m, c / m];
}

describe('preprocessMnist', () => {
  // MNIST digits are already preprocessed this way, so drawing one 4x larger and preprocessing
  // it again must give it back. A few thin or slanted digits land a pixel off (integer
  // centring), which costs correlation, so we bound the median and the 10th percentile.
  it('gives back MNIST digits drawn 4x larger (200 digits: median correlation > 0.99, 90% > 0.95)', () => {
    const corrs = Array.from({ length: 200 }, (_, k) => {
      const i = k * 10;
      const out = preprocessMnist(render(i, 4, 'dark-on-light'));
      expect(out.polarity).toBe('dark-on-light');
      return correlation(out.pixels, heldOut.images.subarray(i * PIXELS, (i + 1) * PIXELS));
    }).sort((a, b) => a - b);
    expect(corrs[100]).toBeGreaterThan(0.99);
    expect(corrs[20]).toBeGreaterThan(0.95);
  });

  it('treats light-on-dark and ink-as-transparency the same as dark-on-light (1e-6)', () => {
    const a = preprocessMnist(render(3, 3, 'dark-on-light'));
    const b = preprocessMnist(render(3, 3, 'light-on-dark'));
    const c = preprocessMnist(render(3, 3, 'alpha'));
    expect(b.polarity).toBe('light-on-dark');
    expect(c.notes).toContain('Transparent pixels were treated as background.');
    for (let i = 0; i < PIXELS; i++) {
      expect(Math.abs(a.pixels[i] - b.pixels[i])).toBeLessThan(1e-6);
      expect(Math.abs(a.pixels[i] - c.pixels[i])).toBeLessThan(1e-6);
    }
  });

  it('crops to the ink, fits it into 20 pixels and centres it by mass at (14, 14)', () => {
    const out = preprocessMnist(rectangle(200, 100, { x: 30, y: 10, width: 10, height: 40 }));
    expect(out.crop).toEqual({ x: 30, y: 10, width: 10, height: 40 });
    const rows = new Set<number>();
    const cols = new Set<number>();
    out.pixels.forEach((v, i) => { if (v > 0.5) { rows.add(Math.floor(i / 28)); cols.add(i % 28); } });
    expect(rows.size).toBe(20);
    expect(cols.size).toBe(5);
    const [r, c] = massCentre(out.pixels);
    expect(Math.abs(r - MNIST_CENTRE)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(c - MNIST_CENTRE)).toBeLessThanOrEqual(0.5);
  });

  it('downscales a 3000 x 3000 image to the same result as a 300 x 300 one (max diff < 0.05)', () => {
    const big = preprocessMnist(rectangle(3000, 3000, { x: 1000, y: 500, width: 400, height: 1600 }));
    const small = preprocessMnist(rectangle(300, 300, { x: 100, y: 50, width: 40, height: 160 }));
    let worst = 0;
    for (let i = 0; i < PIXELS; i++) worst = Math.max(worst, Math.abs(big.pixels[i] - small.pixels[i]));
    expect(worst).toBeLessThan(0.05);
  });

  it('enlarges a tiny 6 x 6 digit to fill the 20-pixel box', () => {
    const out = preprocessMnist(rectangle(6, 6, { x: 2, y: 1, width: 2, height: 4 }));
    const rows = new Set<number>();
    out.pixels.forEach((v, i) => { if (v > 0.5) rows.add(Math.floor(i / 28)); });
    expect(rows.size).toBeGreaterThanOrEqual(18);
  });

  it('says so when there is no digit', () => {
    const blank: RawImage = { width: 50, height: 50, data: new Uint8ClampedArray(50 * 50 * 4).fill(255) };
    expect(() => preprocessMnist(blank)).toThrow('No digit found: the image is blank or has too little contrast.');
  });

  it('rejects pixel data of the wrong length', () => {
    expect(() => preprocessMnist({ width: 10, height: 10, data: new Uint8ClampedArray(12) }))
      .toThrow('The image data holds 12 bytes, not 10 x 10 x 4.');
    expect(() => preprocessMnist({ width: 0, height: 10, data: new Uint8ClampedArray(0) }))
      .toThrow('The image has no pixels (0 x 10).');
  });
});
