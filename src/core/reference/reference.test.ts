import { describe, expect, it, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setupNodeBackend } from '../tf/node';
import { loadMnistSplit, PIXELS } from '../../node/mnistData';
import { PROJECT_ROOT } from '../../node/modelFiles';
import { RunningMoments } from './moments';
import { covariance, lowRankFactor } from './lowRank';
import { parseReference, type ReferenceDistribution } from './distribution';
import { symmetricEigen } from './symmetricEigen';
import { mulberry32 } from '../util/random';

function loadCommitted(): ReferenceDistribution {
  const dir = join(PROJECT_ROOT, 'public', 'models', 'mnist');
  const json = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8'));
  const buf = readFileSync(join(dir, 'reference.bin'));
  return parseReference(json, buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
}

describe('RunningMoments (Chan, Golub & LeVeque)', () => {
  it('merging uneven batches equals the two-pass mean and unbiased variance', () => {
    const rand = mulberry32(5);
    const dim = 3;
    const rows = 101;
    const data = Float64Array.from({ length: rows * dim }, () => rand() * 10 - 3);
    const m = new RunningMoments(dim);
    m.addBatch(data.subarray(0, 7 * dim), 7);
    m.addBatch(data.subarray(7 * dim, 60 * dim), 53);
    m.addBatch(data.subarray(60 * dim), 41);
    const v = m.variance();
    for (let j = 0; j < dim; j++) {
      let mean = 0;
      for (let r = 0; r < rows; r++) mean += data[r * dim + j] / rows;
      let ss = 0;
      for (let r = 0; r < rows; r++) ss += (data[r * dim + j] - mean) ** 2;
      expect(m.mean[j]).toBeCloseTo(mean, 12);
      expect(v[j]).toBeCloseTo(ss / (rows - 1), 10);
    }
  });

  it('gives the analytic variance of {1, 2, 3, 4} = 5/3', () => {
    const m = new RunningMoments(1);
    m.addBatch([1, 2], 2);
    m.addBatch([3, 4], 2);
    expect(m.mean[0]).toBe(2.5);
    expect(m.variance()[0]).toBeCloseTo(5 / 3, 14);
  });
});

describe('lowRankFactor', () => {
  beforeAll(async () => setupNodeBackend('wasm'));

  it('recovers a planted spectrum: LᵀL equals C when C has rank r (max error < 1e-4)', async () => {
    const d = 40;
    const r = 4;
    const rand = mulberry32(9);
    const basis = Float64Array.from({ length: r * d }, () => rand() - 0.5);
    const weights = [9, 4, 1, 0.25];
    const c = new Float32Array(d * d);
    for (let p = 0; p < r; p++) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) c[i * d + j] += weights[p] * basis[p * d + i] * basis[p * d + j];
    const tf = await import('@tensorflow/tfjs');
    const cov = tf.tensor2d(c, [d, d]);
    const { factor } = lowRankFactor(cov, r, { seed: 3 });
    cov.dispose();
    let worst = 0;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let ltl = 0;
        for (let p = 0; p < r; p++) ltl += factor[p * d + i] * factor[p * d + j];
        worst = Math.max(worst, Math.abs(ltl - c[i * d + j]));
      }
    }
    expect(worst).toBeLessThan(1e-4);
  });
});

describe('the committed MNIST reference distribution', () => {
  let committed: ReferenceDistribution;
  let covValues: Float32Array;
  let exact: { values: Float64Array; vectors: Float64Array };

  beforeAll(async () => {
    await setupNodeBackend('wasm');
    committed = loadCommitted();
    const { train } = loadMnistSplit();
    const moments = new RunningMoments(PIXELS);
    moments.addBatch(train.images, train.count);
    const cov = covariance(train.images, train.count, moments.mean);
    covValues = cov.dataSync() as Float32Array;
    cov.dispose();
    exact = symmetricEigen(covValues, PIXELS);
  });

  it('holds rank 64 over 784 pixels, estimated from the 8,000 training digits', () => {
    expect(committed.rank).toBe(64);
    expect(committed.count).toBe(8000);
    expect(committed.factor.length).toBe(64 * 784);
  });

  it('has the per-pixel variance on the covariance diagonal (float32: 1e-5 absolute)', () => {
    let worst = 0;
    for (let i = 0; i < PIXELS; i++) worst = Math.max(worst, Math.abs(committed.variance[i] - covValues[i * PIXELS + i]));
    expect(worst).toBeLessThan(1e-5);
  });

  // The top-r subspace of the factor must capture the variance the exact top-r eigenvectors
  // capture, within 1% (the bar), for every rank a user can pick.
  for (const r of [1, 5, 10, 30, 64]) {
    it(`rank ${r}: captured variance within 1% of the exact top-${r} eigenvalues`, () => {
      const rows = Float64Array.from(committed.factor.subarray(0, r * PIXELS));
      // Orthonormalise the factor rows, then measure Σ uᵀ C u over that basis.
      for (let p = 0; p < r; p++) {
        for (let q = 0; q < p; q++) {
          let dot = 0;
          for (let i = 0; i < PIXELS; i++) dot += rows[p * PIXELS + i] * rows[q * PIXELS + i];
          for (let i = 0; i < PIXELS; i++) rows[p * PIXELS + i] -= dot * rows[q * PIXELS + i];
        }
        let norm = 0;
        for (let i = 0; i < PIXELS; i++) norm += rows[p * PIXELS + i] ** 2;
        norm = Math.sqrt(norm);
        for (let i = 0; i < PIXELS; i++) rows[p * PIXELS + i] /= norm;
      }
      let captured = 0;
      for (let p = 0; p < r; p++) {
        for (let i = 0; i < PIXELS; i++) {
          let ci = 0;
          for (let j = 0; j < PIXELS; j++) ci += covValues[i * PIXELS + j] * rows[p * PIXELS + j];
          captured += rows[p * PIXELS + i] * ci;
        }
      }
      const best = exact.values.subarray(0, r).reduce((s, v) => s + v, 0);
      expect(Math.abs(captured - best) / best).toBeLessThan(0.01);
      let traceLtL = 0;
      for (let k = 0; k < r * PIXELS; k++) traceLtL += committed.factor[k] ** 2;
      expect(Math.abs(traceLtL - best) / best).toBeLessThan(0.01);
    });
  }
});
