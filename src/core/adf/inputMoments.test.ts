import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../tf/node';
import type { ReferenceDistribution } from '../reference/distribution';
import { disposeReferenceTensors, inputMoments, referenceTensors } from './inputMoments';
import { distortion } from './propagate';

/**
 * A 1x3x1 reference of rank 2: the factor rows are L_0 = (0.4, −0.3, 0.1), L_1 = (0.2, 0.1, 0.5).
 * Pixel 2 has variance 0.2 < Σ_r L_r² = 0.26, so its residual is clipped to 0.
 */
const REFERENCE: ReferenceDistribution = {
  shape: [1, 3, 1], count: 10, rank: 2,
  mean: Float32Array.from([0.5, 0.1, -0.2]),
  variance: Float32Array.from([0.3, 0.2, 0.2]),
  factor: Float32Array.from([0.4, -0.3, 0.1, 0.2, 0.1, 0.5]),
};

// Values of order 1 through a few float32 operations: 1e-6 is a few ulps.
const close = (actual: tf.Tensor, expected: number[][] | number[][][], what: string) => {
  const a = actual.arraySync() as number[][];
  expect(a.flat(3).length, what).toBe(expected.flat(2).length);
  (a.flat(3) as number[]).forEach((v, i) => expect(Math.abs(v - (expected.flat(2) as number[])[i]), `${what}[${i}]`).toBeLessThan(1e-6));
};

describe('inputMoments: the moments of y = s⊙x + (1−s)⊙n', () => {
  beforeAll(async () => {
    await setupNodeBackend('wasm');
  });

  it('builds mean, diag variance, factor (first rows of L) and residual for a batch of masks', () => {
    const x = tf.tensor4d([1, 2, 3], [1, 1, 3, 1]);
    // Mask 0 keeps a quarter of every pixel; mask 1 keeps pixel 0 fully and drops pixel 2.
    const s = tf.tensor4d([0.25, 0.25, 0.25, 1, 0.5, 0], [2, 1, 3, 1]);
    const keep = [[0.75, 0.75, 0.75], [0, 0.5, 1]];
    const xs = [1, 2, 3];
    const sv = [[0.25, 0.25, 0.25], [1, 0.5, 0]];
    const expectedMean = sv.map((row, b) => row.map((si, i) => si * xs[i] + keep[b][i] * REFERENCE.mean[i]));
    const expectedVar = keep.map((row) => row.map((k, i) => k * k * REFERENCE.variance[i]));
    // Residual of the rank-1 factor: max(0, var − L_0²) = (0.14, 0.11, 0.19).
    const rank1Residual = [0.14, 0.11, 0.19];
    const full = referenceTensors(REFERENCE, 2);
    const rank1 = referenceTensors(REFERENCE, 1);
    tf.tidy(() => {
      const flat = (t: tf.Tensor) => tf.reshape(t, [2, -1]);
      const diag = inputMoments(x, s, full, 'diag');
      if (diag.mode !== 'diag') throw new Error('unreachable');
      close(flat(diag.mean), expectedMean, 'mean');
      close(flat(diag.variance), expectedVar, 'diag variance');

      const lowrank = inputMoments(x, s, rank1, 'lowrank');
      if (lowrank.mode !== 'lowrank') throw new Error('unreachable');
      expect(lowrank.factor.shape).toEqual([2, 1, 1, 3, 1]);
      close(tf.reshape(lowrank.factor, [2, 1, 3]), keep.map((row) => [row.map((k, i) => k * REFERENCE.factor[i])]), 'factor');
      close(flat(lowrank.mean), expectedMean, 'lowrank mean');

      const ld = inputMoments(x, s, rank1, 'lowrank-diag');
      if (ld.mode !== 'lowrank-diag') throw new Error('unreachable');
      close(flat(ld.residual), keep.map((row) => row.map((k, i) => k * k * rank1Residual[i])), 'residual');
      // With both rows the last pixel's factor variance 0.26 exceeds its variance 0.2: residual 0.
      const ld2 = inputMoments(x, s, full, 'lowrank-diag');
      if (ld2.mode !== 'lowrank-diag') throw new Error('unreachable');
      expect(ld2.factor.shape).toEqual([2, 2, 1, 3, 1]);
      close(flat(ld2.residual), keep.map((row) => [row[0] ** 2 * 0.1, row[1] ** 2 * 0.1, 0]), 'clipped residual');
    });
    tf.dispose([x, s]);
    disposeReferenceTensors(full);
    disposeReferenceTensors(rank1);
  });

  it('has no factor at rank 0 (no zero-size tensor) and the whole variance as residual', () => {
    const before = tf.memory().numTensors;
    const none = referenceTensors(REFERENCE, 0);
    expect(none.factor).toBeNull();
    expect(none.residual).toBe(none.variance);
    expect(Array.from(none.residual.dataSync())).toEqual(Array.from(REFERENCE.variance));
    disposeReferenceTensors(none);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('checks the rank', () => {
    expect(() => referenceTensors(REFERENCE, 3)).toThrow('ADF rank must be an integer from 0 to the reference\'s rank 2; got 3.');
    const none = referenceTensors(REFERENCE, 0);
    const x = tf.zeros([1, 1, 3, 1]) as tf.Tensor4D;
    expect(() => inputMoments(x, x, none, 'lowrank')).toThrow('ADF mode lowrank needs a reference factor of rank at least 1.');
    expect(() => inputMoments(x, x, none, 'lowrank-diag')).toThrow('ADF mode lowrank-diag needs a reference factor of rank at least 1.');
    tf.dispose(x);
    disposeReferenceTensors(none);
  });
});

describe('distortion', () => {
  it('is ½((μ_k − Φ(x))² + v_k) per mask', async () => {
    await setupNodeBackend('wasm');
    const d = tf.tidy(() => distortion(
      { mean: tf.tensor2d([[1, 2], [0, -1]]), variance: tf.tensor2d([[0.5, 0.1], [0.2, 0.3]]) }, 1, 1.5,
    ).arraySync());
    // ½(0.5² + 0.1) = 0.175 and ½(2.5² + 0.3) = 3.275.
    expect(d[0]).toBeCloseTo(0.175, 6);
    expect(d[1]).toBeCloseTo(3.275, 6);
  });
});
