import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../tf/node';
import type { Net } from '../net/ir';
import type { ReferenceDistribution } from '../reference/distribution';
import { mulberry32 } from '../util/random';
import { disposeNoiseModel, noiseModel, sampleNoise } from '../reference/noise';
import { monteCarloDistortion, monteCarloScoreMoments } from './monteCarloDistortion';
import { verifyDistortion, verifySeed, VERIFY_DEFAULTS, type MonteCarloCheck } from './verify';

// A linear "network" Φ(y) = wᵀy + b on 3x3x1 inputs, where every moment is analytic:
// E[Φ(y)] = wᵀ(s⊙x + (1−s)⊙μ) + b, Var[Φ(y)] = uᵀ Σ u with u = (1−s)⊙w, Σ = LᵀL + diag(residual).
const d = 9;
const rand = mulberry32(21);
const w = Float32Array.from({ length: d }, () => rand() * 2 - 1);
const xValues = Float32Array.from({ length: d }, () => rand());
const sValues = Float32Array.from({ length: d }, () => rand());
const reference: ReferenceDistribution = {
  shape: [3, 3, 1], count: 100, rank: 2,
  mean: Float32Array.from({ length: d }, () => rand() * 0.5),
  factor: Float32Array.from({ length: 2 * d }, () => (rand() - 0.5) * 0.6),
  variance: new Float32Array(d),
};
for (let i = 0; i < d; i++) reference.variance[i] = reference.factor[i] ** 2 + reference.factor[d + i] ** 2 + 0.05 + 0.05 * rand();

function linearNet(): Net {
  return {
    inputShape: [3, 3, 1], outputs: 1, head: 'none', unsupported: [], owned: [],
    layers: [
      { kind: 'flatten', name: 'flatten' },
      { kind: 'dense', name: 'dense', kernel: tf.tensor2d(w, [d, 1]), bias: tf.tensor1d([0.3]) },
    ],
  };
}

function analytic(rank: number): { mean: number; variance: number } {
  let mean = 0.3;
  const u = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    mean += w[i] * (sValues[i] * xValues[i] + (1 - sValues[i]) * reference.mean[i]);
    u[i] = (1 - sValues[i]) * w[i];
  }
  let variance = 0;
  for (let i = 0; i < d; i++) {
    let explained = 0;
    for (let r = 0; r < rank; r++) explained += reference.factor[r * d + i] ** 2;
    variance += u[i] * u[i] * (reference.variance[i] - explained);
  }
  for (let r = 0; r < rank; r++) {
    let proj = 0;
    for (let i = 0; i < d; i++) proj += u[i] * reference.factor[r * d + i];
    variance += proj * proj;
  }
  return { mean, variance };
}

describe('Monte-Carlo distortion', () => {
  beforeAll(async () => setupNodeBackend('wasm'));

  for (const rank of [0, 1, 2]) {
    it(`matches the analytic moments of a linear score at rank ${rank} (100,000 samples, 5 standard errors)`, async () => {
      const net = linearNet();
      const noise = noiseModel(reference, rank);
      const x = tf.tensor4d(xValues, [1, 3, 3, 1]);
      const s = tf.tensor3d(sValues, [3, 3, 1]);
      const phiX = 1.7;
      const got = await monteCarloScoreMoments(net, x, s, noise, 0, phiX, { samples: 100_000, seed: 5 });
      const want = analytic(rank);
      expect(Math.abs(got.mean - want.mean)).toBeLessThan(5 * got.standardError);
      // The sample variance of a Gaussian has relative standard error √(2/(N−1)) ≈ 0.45%.
      expect(Math.abs(got.variance - want.variance) / want.variance).toBeLessThan(5 * Math.sqrt(2 / 99_999));
      expect(got.distortion).toBeCloseTo(0.5 * (phiX - got.mean) ** 2 + 0.5 * got.variance, 10);
      tf.dispose([x, s, ...net.layers.flatMap((l) => (l.kind === 'dense' ? [l.kernel, l.bias!] : []))]);
      disposeNoiseModel(noise);
    });
  }

  it('gives a differentiable estimate whose gradient matches finite differences (same noise, 1e-2 relative)', () => {
    const net = linearNet();
    const noise = noiseModel(reference, 2);
    const samples = sampleNoise(noise, 4096, 9);
    const x = tf.tensor4d(xValues, [1, 3, 3, 1]);
    const s = tf.tensor3d(sValues, [3, 3, 1]);
    const f = (sv: tf.Tensor) => monteCarloDistortion(net, x, sv, samples, 0, 1.7);
    const g = tf.grad(f)(s).dataSync();
    const h = 1e-2;
    let err = 0;
    let norm = 0;
    for (let i = 0; i < d; i++) {
      const e = tf.oneHot(tf.tensor1d([i], 'int32'), d).reshape([3, 3, 1]);
      const fd = (f(tf.add(s, tf.mul(e, h))).dataSync()[0] - f(tf.sub(s, tf.mul(e, h))).dataSync()[0]) / (2 * h);
      err += (fd - g[i]) ** 2;
      norm += g[i] ** 2;
    }
    // D̂ is quadratic in s, so central differences are exact up to float32 rounding.
    expect(Math.sqrt(err / norm)).toBeLessThan(1e-2);
    disposeNoiseModel(noise);
  });

  it('refuses a rank above what the reference holds, or a negative one', () => {
    expect(() => noiseModel(reference, 3)).toThrow('Rank 3 is above the 2 the reference distribution holds.');
    expect(() => noiseModel(reference, -1)).toThrow('The covariance rank must be a whole number ≥ 0; got -1.');
  });

  it('leaves no tensors behind', async () => {
    const net = linearNet();
    const x = tf.tensor4d(xValues, [1, 3, 3, 1]);
    const s = tf.tensor3d(sValues, [3, 3, 1]);
    const noise = noiseModel(reference, 2);
    const before = tf.memory().numTensors;
    await monteCarloScoreMoments(net, x, s, noise, 0, 1, { samples: 3000, seed: 1 });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('verifying a finished mask by Monte Carlo', () => {
  beforeAll(async () => setupNodeBackend('wasm'));
  const phiXOf = () => 0.3 + w.reduce((a, wi, i) => a + wi * xValues[i], 0);
  const disposeNet = (net: Net) => tf.dispose(net.layers.flatMap((l) => (l.kind === 'dense' ? [l.kernel, l.bias!] : [])));

  for (const rank of [0, 2]) {
    it(`lies within 3 standard errors of the analytic D at rank ${rank}, and stops once the error is under 2 % of D`, async () => {
      const net = linearNet();
      const x = tf.tensor4d(xValues, [1, 3, 3, 1]);
      const s = tf.tensor3d(sValues, [3, 3, 1]);
      const partials: MonteCarloCheck[] = [];
      const got = await verifyDistortion(net, x, 0, s, reference, { rank, seed: 3, onEstimate: (e) => partials.push(e) });
      const { mean, variance } = analytic(rank);
      const want = 0.5 * (phiXOf() - mean) ** 2 + 0.5 * variance;
      expect(Math.abs(got.distortion - want)).toBeLessThan(3 * got.standardError);
      expect(got.converged).toBe(true);
      expect(got.standardError).toBeLessThanOrEqual(VERIFY_DEFAULTS.relativeError * got.distortion);
      expect(got.samples).toBeGreaterThanOrEqual(VERIFY_DEFAULTS.minSamples);
      expect(got.samples % VERIFY_DEFAULTS.chunk).toBe(0);
      // Streamed: one estimate per chunk of 256, growing, the last the result.
      expect(partials.map((e) => e.samples)).toEqual(Array.from({ length: got.samples / 256 }, (_, k) => 256 * (k + 1)));
      expect(partials[partials.length - 1]).toEqual(got);
      // The moments of Φ(y) from the same samples: D̂ = ½(Φ(x) − Ê)² + ½ V̂·(n−1)/n exactly.
      expect(got.distortion).toBeCloseTo(0.5 * (phiXOf() - got.mean) ** 2 + 0.5 * got.variance * (got.samples - 1) / got.samples, 4);
      tf.dispose([x, s]);
      disposeNet(net);
    });
  }

  it('is reproducible by its seed, draws apart from the optimiser\'s, and a cap stops it unconverged', async () => {
    const net = linearNet();
    const x = tf.tensor4d(xValues, [1, 3, 3, 1]);
    const s = tf.tensor3d(sValues, [3, 3, 1]);
    const a = await verifyDistortion(net, x, 0, s, reference, { rank: 2, seed: 8 });
    const b = await verifyDistortion(net, x, 0, s, reference, { rank: 2, seed: 8 });
    const c = await verifyDistortion(net, x, 0, s, reference, { rank: 2, seed: 9 });
    expect(b).toEqual(a);
    expect(c.distortion).not.toBe(a.distortion);
    expect(verifySeed(8)).not.toBe(8);
    expect(verifySeed(8)).toBeGreaterThanOrEqual(1_000_000);
    const capped = await verifyDistortion(net, x, 0, s, reference, { rank: 2, seed: 8, relativeError: 1e-6, maxSamples: 600, minSamples: 100 });
    expect(capped).toMatchObject({ samples: 600, converged: false });
    tf.dispose([x, s]);
    disposeNet(net);
  });

  it('cancelled between chunks, it throws AbortedError and frees every tensor', async () => {
    const net = linearNet();
    const x = tf.tensor4d(xValues, [1, 3, 3, 1]);
    const s = tf.tensor3d(sValues, [3, 3, 1]);
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const run = verifyDistortion(net, x, 0, s, reference, {
      rank: 2, seed: 1, relativeError: 1e-6, signal: controller.signal, onEstimate: (e) => { if (e.samples >= 512) controller.abort(); },
    });
    await expect(run).rejects.toThrow('The run was cancelled.');
    expect(tf.memory().numTensors).toBe(before);
    await expect(verifyDistortion(net, x, 0, tf.zeros([2, 2, 1]), reference, { rank: 0, seed: 1 })).rejects.toThrow('The mask has 4 values; the input has 9.');
    tf.dispose([x, s]);
    disposeNet(net);
  });
});
