import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/random';
import { averageRanks, isConstant, minMaxNormalise, spearman, ssim, ssimWindow } from './similarity';

const seeded = (n: number, seed: number) => {
  const rand = mulberry32(seed);
  return Float32Array.from({ length: n }, () => rand() * 2 - 1);
};

/**
 * SSIM written out window by window, independently of the prefix sums in similarity.ts: for
 * every w × w window wholly inside the plane, the means, the sample (N − 1) variances and the
 * covariance by direct sums, the SSIM formula, averaged; channels averaged. `x`, `y` are already
 * in [0, 1].
 */
function bruteSsim(x: ArrayLike<number>, y: ArrayLike<number>, h: number, wd: number, ch: number, win = 7): number {
  const c1 = 0.01 ** 2;
  const c2 = 0.03 ** 2;
  const n = win * win;
  let total = 0;
  for (let k = 0; k < ch; k++) {
    const at = (a: ArrayLike<number>, r: number, c: number) => a[(r * wd + c) * ch + k];
    const values: number[] = [];
    for (let r0 = 0; r0 <= h - win; r0++) {
      for (let c0 = 0; c0 <= wd - win; c0++) {
        let mx = 0;
        let my = 0;
        for (let r = r0; r < r0 + win; r++) for (let c = c0; c < c0 + win; c++) {
          mx += at(x, r, c) / n;
          my += at(y, r, c) / n;
        }
        let vx = 0;
        let vy = 0;
        let cov = 0;
        for (let r = r0; r < r0 + win; r++) for (let c = c0; c < c0 + win; c++) {
          vx += (at(x, r, c) - mx) ** 2 / (n - 1);
          vy += (at(y, r, c) - my) ** 2 / (n - 1);
          cov += (at(x, r, c) - mx) * (at(y, r, c) - my) / (n - 1);
        }
        values.push(((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2)));
      }
    }
    total += values.reduce((s, v) => s + v, 0) / values.length;
  }
  return total / ch;
}

describe('spearman', () => {
  it('matches hand-computed values, ties taking the average rank', () => {
    // Ranks (1,2,3) and (1,3,2): Pearson = 1 / √(2·2) = 0.5.
    expect(spearman([1, 2, 3], [1, 3, 2])).toBeCloseTo(0.5, 14);
    // (1,2,2,3) ranks as (1, 2.5, 2.5, 4); against (1,2,3,4): 4.5 / √(4.5·5) = 0.948683.
    expect(Array.from(averageRanks([1, 2, 2, 3]))).toEqual([1, 2.5, 2.5, 4]);
    expect(spearman([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(4.5 / Math.sqrt(22.5), 14);
  });

  it('is 1 under a monotone map, −1 under a decreasing one', () => {
    const a = seeded(500, 3);
    expect(spearman(a, a.map((v) => Math.exp(3 * v)))).toBe(1);
    expect(spearman(a, a.map((v) => -(v ** 3)))).toBe(-1);
  });

  it('equals 1 − 6Σd²/(n(n²−1)) on data without ties', () => {
    const a = seeded(300, 4);
    const b = seeded(300, 5);
    const ra = averageRanks(a);
    const rb = averageRanks(b);
    const n = a.length;
    const d2 = ra.reduce((s, r, i) => s + (r - rb[i]) ** 2, 0);
    expect(spearman(a, b)).toBeCloseTo(1 - (6 * d2) / (n * (n * n - 1)), 12);
  });

  it('gives 0 for a constant map (the documented convention), never NaN', () => {
    const a = seeded(64, 6);
    const flat = new Float32Array(64).fill(0.3);
    expect(spearman(a, flat)).toBe(0);
    expect(spearman(flat, a)).toBe(0);
    expect(spearman(flat, flat)).toBe(0);
    expect(isConstant(flat)).toBe(true);
    expect(isConstant(a)).toBe(false);
  });

  it('refuses maps of different lengths and non-finite values, naming the index', () => {
    expect(() => spearman([1, 2], [1, 2, 3])).toThrow('The maps differ in length: 2 and 3.');
    expect(() => spearman([1, NaN, 3], [1, 2, 3])).toThrow('The first map has a non-finite value (NaN) at index 1.');
    expect(() => spearman([1, 2, 3], [1, 2, Infinity])).toThrow('The second map has a non-finite value (Infinity) at index 2.');
  });
});

describe('ssim', () => {
  it('agrees with a window-by-window brute force on random maps (1 and 3 channels)', () => {
    for (const [h, w, c, seed] of [[28, 28, 1, 1], [12, 9, 3, 2]] as const) {
      const a = seeded(h * w * c, seed);
      const b = Float32Array.from(a, (v, i) => v + 0.7 * seeded(h * w * c, seed + 10)[i]);
      const expected = bruteSsim(minMaxNormalise(a), minMaxNormalise(b), h, w, c);
      // Prefix sums vs direct sums in float64: they differ by rounding only (~1e-15).
      expect(Math.abs(ssim(a, b, h, w, c) - expected)).toBeLessThan(1e-12);
      expect(expected).toBeGreaterThan(0.3);
      expect(expected).toBeLessThan(0.95);
    }
  });

  it('is 1 for identical maps and for any map against an increasing affine copy (each is min–max normalised)', () => {
    const a = seeded(28 * 28, 8);
    expect(ssim(a, a, 28, 28, 1)).toBeCloseTo(1, 12);
    expect(ssim(a, a.map((v) => 3 * v + 2), 28, 28, 1)).toBeCloseTo(1, 6);
  });

  it('matches the closed form for a map against its negation', () => {
    // −a normalises to 1 − x, so per window μy = 1 − μx, σy² = σx², σxy = −σx²:
    // SSIM = (2μx(1−μx) + C1)(C2 − 2σx²) / ((μx² + (1−μx)² + C1)(2σx² + C2)).
    const h = 10;
    const w = 11;
    const a = seeded(h * w, 9);
    const x = minMaxNormalise(a);
    const c1 = 1e-4;
    const c2 = 9e-4;
    let sum = 0;
    let count = 0;
    for (let r0 = 0; r0 + 7 <= h; r0++) {
      for (let col0 = 0; col0 + 7 <= w; col0++) {
        const win: number[] = [];
        for (let r = r0; r < r0 + 7; r++) for (let c = col0; c < col0 + 7; c++) win.push(x[r * w + c]);
        const mu = win.reduce((s, v) => s + v, 0) / 49;
        const v = win.reduce((s, u) => s + (u - mu) ** 2, 0) / 48;
        sum += ((2 * mu * (1 - mu) + c1) * (c2 - 2 * v)) / ((mu * mu + (1 - mu) ** 2 + c1) * (2 * v + c2));
        count++;
      }
    }
    const value = ssim(a, a.map((u) => -u), h, w, 1);
    expect(Math.abs(value - sum / count)).toBeLessThan(1e-12);
    // Uniform noise in a window has σ² ≈ 1/12, so each window's SSIM is close to −1.
    expect(value).toBeLessThan(-0.8);
  });

  it('handles constant maps: two constant maps give 1, a constant against a map the closed form', () => {
    const flat = new Float32Array(81).fill(-2);
    expect(ssim(flat, new Float32Array(81).fill(5), 9, 9, 1)).toBe(1);
    // The constant map normalises to zeros: SSIM = C1·C2 / ((μy² + C1)(σy² + C2)) per window.
    const b = seeded(81, 10);
    const y = minMaxNormalise(b);
    let sum = 0;
    for (let r0 = 0; r0 < 3; r0++) {
      for (let c0 = 0; c0 < 3; c0++) {
        const win: number[] = [];
        for (let r = r0; r < r0 + 7; r++) for (let c = c0; c < c0 + 7; c++) win.push(y[r * 9 + c]);
        const mu = win.reduce((s, v) => s + v, 0) / 49;
        const v = win.reduce((s, u) => s + (u - mu) ** 2, 0) / 48;
        sum += (1e-4 * 9e-4) / ((mu * mu + 1e-4) * (v + 9e-4));
      }
    }
    const value = ssim(flat, b, 9, 9, 1);
    expect(Math.abs(value - sum / 9)).toBeLessThan(1e-12);
    expect(value).toBeLessThan(0.01);
  });

  it('shrinks the window to the largest odd side on small maps and refuses maps under 3 × 3', () => {
    expect(ssimWindow(28, 28)).toBe(7);
    expect(ssimWindow(6, 28)).toBe(5);
    expect(ssimWindow(5, 4)).toBe(3);
    const a = seeded(30, 11);
    const b = seeded(30, 12);
    expect(Math.abs(ssim(a, b, 5, 6, 1) - bruteSsim(minMaxNormalise(a), minMaxNormalise(b), 5, 6, 1, 5))).toBeLessThan(1e-12);
    expect(() => ssimWindow(2, 9)).toThrow('SSIM needs a map at least 3 × 3; this one is 2 × 9.');
    expect(() => ssim(a, b, 4, 4, 1)).toThrow('The maps have 30 values, not 4 × 4 × 1.');
  });
});
