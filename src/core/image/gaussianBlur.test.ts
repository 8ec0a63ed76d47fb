import { describe, expect, it } from 'vitest';
import { gaussianBlur, gaussianKernel } from './gaussianBlur';
import { mulberry32 } from '../util/random';

/** The blur by definition: the 2-D weighted mean Σ k(dy)k(dx) x / Σ k(dy)k(dx) over pixels inside the image. */
function naiveBlur(pixels: Float32Array, [h, w, c]: [number, number, number], sigma: number): Float64Array {
  const k = gaussianKernel(sigma);
  const r = (k.length - 1) / 2;
  const out = new Float64Array(pixels.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) {
    let acc = 0;
    let norm = 0;
    for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) {
      const yy = y + dy;
      const xx = x + dx;
      if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
      const weight = k[dy + r] * k[dx + r];
      acc += weight * pixels[(yy * w + xx) * c + ch];
      norm += weight;
    }
    out[(y * w + x) * c + ch] = acc / norm;
  }
  return out;
}

function randomImage(length: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  return Float32Array.from({ length }, () => rand());
}

describe('gaussianKernel', () => {
  it('is symmetric, sums to 1, has radius ⌈3σ⌉ and the Gaussian ratios', () => {
    const k = gaussianKernel(1.5);
    expect(k.length).toBe(2 * 5 + 1);
    expect(k.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    for (let i = 0; i < k.length; i++) expect(k[i]).toBeCloseTo(k[k.length - 1 - i], 15);
    // k(1)/k(0) = exp(−1/(2σ²)).
    expect(k[6] / k[5]).toBeCloseTo(Math.exp(-1 / 4.5), 12);
  });

  it('is the identity for σ = 0 and rejects a negative σ', () => {
    expect(Array.from(gaussianKernel(0))).toEqual([1]);
    expect(() => gaussianKernel(-1)).toThrow('The blur σ must be a finite number ≥ 0; got -1.');
  });
});

describe('gaussianBlur', () => {
  // The separable passes and the 2-D definition differ only in float rounding (float64 inside,
  // float32 output: ~6e-8 relative on values in [0,1]); 1e-6 leaves room and catches any wrong
  // weight, stride or border (those change values by 1e-2 or more).
  it('equals the 2-D renormalised weighted mean at every pixel, border included (1e-6)', () => {
    const shape: [number, number, number] = [9, 12, 2];
    const pixels = randomImage(9 * 12 * 2, 3);
    for (const sigma of [0.8, 1.5, 5]) {
      const fast = gaussianBlur(pixels, shape, sigma);
      const slow = naiveBlur(pixels, shape, sigma);
      for (let i = 0; i < pixels.length; i++) expect(Math.abs(fast[i] - slow[i])).toBeLessThan(1e-6);
    }
  });

  it('keeps a constant image constant even when the kernel is wider than the image (σ = 5 on 28x28)', () => {
    const blurred = gaussianBlur(new Float32Array(28 * 28).fill(0.7), [28, 28, 1], 5);
    for (const v of blurred) expect(Math.abs(v - 0.7)).toBeLessThan(1e-6);
  });

  it('blurs each channel on its own and returns the image unchanged at σ = 0', () => {
    const a = randomImage(36, 5);
    const b = randomImage(36, 6);
    const both = Float32Array.from({ length: 72 }, (_, i) => (i % 2 === 0 ? a[i >> 1] : b[i >> 1]));
    const blurred = gaussianBlur(both, [6, 6, 2], 1);
    const blurredA = gaussianBlur(a, [6, 6, 1], 1);
    const blurredB = gaussianBlur(b, [6, 6, 1], 1);
    for (let i = 0; i < 36; i++) {
      expect(blurred[2 * i]).toBe(blurredA[i]);
      expect(blurred[2 * i + 1]).toBe(blurredB[i]);
    }
    expect(gaussianBlur(a, [6, 6, 1], 0)).toEqual(a);
  });

  it('rejects pixels that do not match the shape', () => {
    expect(() => gaussianBlur(new Float32Array(5), [2, 2, 1], 1)).toThrow('The image holds 5 values, not 2 x 2 x 1.');
  });
});
