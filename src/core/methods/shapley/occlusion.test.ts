import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../../tf/node';
import { mulberry32 } from '../../util/random';
import type { ReferenceDistribution } from '../../reference/distribution';
import { windowStarts } from './occlusion';
import { occlusionMethod } from './occlusionMethod';
import { denseImageNet } from './testNets';

const [H, W, C] = [6, 7, 2];
const D = H * W * C;
const rand = mulberry32(21);
const weights = Array.from({ length: D }, () => rand() * 2 - 1);
const input = Array.from({ length: D }, () => rand());
const mean = Float32Array.from({ length: D }, () => rand() * 0.5);
const reference: ReferenceDistribution = { shape: [H, W, C], count: 10, mean, variance: new Float32Array(D).fill(0.01), factor: new Float32Array(0), rank: 0 };

/** Σ over the window's pixels and channels of w·(x − b): the score drop when the window is occluded. */
function drop(y0: number, x0: number, size: number, baseline: ArrayLike<number>): number {
  let s = 0;
  for (let y = y0; y < Math.min(H, y0 + size); y++) {
    for (let x = x0; x < Math.min(W, x0 + size); x++) {
      for (let c = 0; c < C; c++) {
        const i = (y * W + x) * C + c;
        s += weights[i] * (input[i] - baseline[i]);
      }
    }
  }
  return s;
}

describe('occlusion on a linear model (6x7 image, 2 channels)', () => {
  beforeAll(async () => {
    await setupNodeBackend('wasm');
  });

  it('window starts tile the axis and the last window is flush with the edge', () => {
    expect(windowStarts(6, 2, 2)).toEqual([0, 2, 4]);
    expect(windowStarts(7, 2, 2)).toEqual([0, 2, 4, 5]);
    expect(windowStarts(6, 3, 2)).toEqual([0, 2, 3]);
    expect(windowStarts(7, 3, 1)).toEqual([0, 1, 2, 3, 4]);
    expect(windowStarts(4, 9, 2)).toEqual([0]);
  });

  for (const baseline of ['zeros', 'reference-mean'] as const) {
    it(`non-overlapping windows (2, stride 2; ${baseline}): each pixel gets Σ over its window of w·(x − b)`, async () => {
      const { model, net } = denseImageNet([H, W, C], [{ W: [weights], b: [0.3] }]);
      const x = tf.tensor4d(input, [1, H, W, C]);
      const b = baseline === 'zeros' ? new Float32Array(D) : mean;
      const out = await occlusionMethod.explain(net, x, 0, occlusionMethod.params.parse({ window: 2, stride: 2, baseline }), { reference });
      expect(out.shape).toEqual([1, H, W, C]);
      // Columns start at 0, 2, 4, 5: columns 5 and 6 are covered by two windows (starts 4 and 5), so
      // their pixels average two drops; the rest lie in one window.
      const cols = windowStarts(W, 2, 2);
      for (let y = 0; y < H; y++) {
        for (let xx = 0; xx < W; xx++) {
          const covering = cols.filter((x0) => x0 <= xx && xx < x0 + 2);
          const expected = covering.reduce((a, x0) => a + drop(2 * Math.floor(y / 2), x0, 2, b), 0) / covering.length;
          // Logits ~1 in float32: differences carry ~1e-6.
          for (let c = 0; c < C; c++) expect(Math.abs(out.relevance[(y * W + xx) * C + c] - expected)).toBeLessThan(1e-5);
        }
      }
      expect(out.passes).toEqual({ forward: 3 * 4 + 1, backward: 0 });
      x.dispose();
      model.dispose();
    });
  }

  it('overlapping windows (3, stride 1): each pixel gets the mean drop of the windows covering it', async () => {
    const { model, net } = denseImageNet([H, W, C], [{ W: [weights] }]);
    const x = tf.tensor4d(input, [1, H, W, C]);
    const out = await occlusionMethod.explain(net, x, 0, occlusionMethod.params.parse({ window: 3, stride: 1 }), {});
    const zero = new Float32Array(D);
    for (let y = 0; y < H; y++) {
      for (let xx = 0; xx < W; xx++) {
        const drops: number[] = [];
        for (let y0 = 0; y0 + 3 <= H; y0++) {
          for (let x0 = 0; x0 + 3 <= W; x0++) if (y0 <= y && y < y0 + 3 && x0 <= xx && xx < x0 + 3) drops.push(drop(y0, x0, 3, zero));
        }
        const expected = drops.reduce((a, d) => a + d, 0) / drops.length;
        expect(Math.abs(out.relevance[(y * W + xx) * C] - expected)).toBeLessThan(1e-5);
      }
    }
    expect(out.extras!.evaluations).toBe(4 * 5 + 1);
    x.dispose();
    model.dispose();
  });
});
