import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupNodeBackend } from '../tf/node';
import type { Net } from '../net/ir';
import type { ReferenceDistribution } from '../reference/distribution';
import { mulberry32 } from '../util/random';
import { AbortedError } from '../methods/types';
import { createCurveEvaluator, curveSettings, curveSettingsProblem, relevanceCurve, type CurveRecipe, type CurveSettings } from './curve';
import { areaUpTo, keptCounts, relevanceOrder } from './ordering';
import { randomMapMethod } from './randomMap';
import type { RelevanceCurve } from './types';

// A linear model Φ(y) = w·y + b on a 4 x 4 x 1 input (d = 16) with two outputs: with fillings of
// known mean and covariance, the expected distortion of every kept set has a closed form.
const H = 4, W = 4, D = H * W;

function linearNet(w: number[], b: number, other: number[] = new Array(D).fill(0)): Net {
  const kernel = tf.tensor2d(w.flatMap((wi, i) => [wi, other[i]]), [D, 2]);
  return {
    inputShape: [H, W, 1], outputs: 2, head: 'softmax', unsupported: [], owned: [],
    layers: [
      { kind: 'flatten', name: 'flatten' },
      { kind: 'dense', name: 'dense', kernel, bias: tf.tensor1d([b, 0]) },
    ],
  };
}

function disposeNet(net: Net): void {
  for (const l of net.layers) if (l.kind === 'dense') tf.dispose([l.kernel, ...(l.bias ? [l.bias] : [])]);
}

const rand = mulberry32(11);
const w = Array.from({ length: D }, () => rand() * 4 - 2);
const xValues = Array.from({ length: D }, () => rand());
const mu = Array.from({ length: D }, () => rand() * 0.5);
// V of rank 2 with a residual: Σ = LᵀL + diag(ρ²).
const RANK = 2;
const L = Array.from({ length: RANK * D }, () => rand() * 0.6 - 0.3);
const rho2 = Array.from({ length: D }, () => 0.02 + rand() * 0.05);
const variance = rho2.map((r, i) => r + L[i] ** 2 + L[D + i] ** 2);

function reference(): ReferenceDistribution {
  return {
    shape: [H, W, 1], count: 1000, rank: RANK,
    mean: Float32Array.from(mu), variance: Float32Array.from(variance), factor: Float32Array.from(L),
  };
}

/** Cov[n_i, n_j] of V at a rank: the factor's rows up to `rank`, the rest of each variance on the diagonal. */
function covariance(rank: number, i: number, j: number): number {
  let c = 0;
  for (let r = 0; r < rank; r++) c += L[r * D + i] * L[r * D + j];
  if (i === j) {
    let explained = 0;
    for (let r = 0; r < rank; r++) explained += L[r * D + i] ** 2;
    c += Math.max(0, variance[i] - explained);
  }
  return c;
}

/** E[½(Φ(x) − Φ(y))²] when the components outside `kept` are filled from (mean, cov). */
function expectedHalfSquare(kept: Set<number>, mean: (i: number) => number, cov: (i: number, j: number) => number): number {
  let m = 0, v = 0;
  for (let i = 0; i < D; i++) {
    if (kept.has(i)) continue;
    m += w[i] * (xValues[i] - mean(i));
    for (let j = 0; j < D; j++) if (!kept.has(j)) v += w[i] * w[j] * cov(i, j);
  }
  return 0.5 * (m * m + v);
}

function settings(over: Partial<CurveSettings>): CurveSettings {
  return curveSettings.parse({ step: 1, maxRate: 1, seed: 3, ...over });
}

beforeAll(async () => {
  await setupNodeBackend('cpu');
});

describe('ordering and areas', () => {
  it('orders by signed value, breaks ties by the seed, and refuses NaN', () => {
    const r = Float32Array.from([0.5, 2, -1, 2, 0.5, 0.5]);
    const a = Array.from(relevanceOrder(r, 1));
    expect(a.slice(0, 2).sort()).toEqual([1, 3]);
    expect(a[5]).toBe(2);
    expect(a.slice(2, 5).sort()).toEqual([0, 4, 5]);
    // Over seeds, each of the two tied maxima comes first about half the time.
    let first1 = 0;
    for (let s = 0; s < 400; s++) if (relevanceOrder(r, s)[0] === 1) first1++;
    expect(first1 / 400).toBeGreaterThan(0.4);
    expect(first1 / 400).toBeLessThan(0.6);
    expect(Array.from(relevanceOrder(r, 1))).toEqual(a);
    expect(() => relevanceOrder(Float32Array.from([1, NaN]), 0)).toThrow('component 1 is NaN');
  });

  it('counts k = 0, g, … and ends at ⌈maxRate·d⌉, and refuses g > d', () => {
    const full = keptCounts(784, 5, 1);
    expect(full).toHaveLength(158);
    expect(full.slice(-2)).toEqual([780, 784]);
    expect(keptCounts(784, 5, 0.3).slice(-2)).toEqual([235, 236]);
    expect(keptCounts(784, 5, 0.2).at(-1)! / 784).toBeGreaterThanOrEqual(0.2);
    expect(keptCounts(784, 98, 0.25)).toEqual([0, 98, 196]);
    expect(keptCounts(10, 3, 1)).toEqual([0, 3, 6, 9, 10]);
    expect(() => keptCounts(10, 11, 1)).toThrow('g = 11 is larger than the input\'s 10 components');
  });

  it('integrates by trapezoids, interpolating at the bound', () => {
    // f(r) = r on [0, 1]: area up to 0.25 is 0.03125 even between grid points.
    expect(areaUpTo([0, 0.2, 0.4, 1], [0, 0.2, 0.4, 1], 0.25)).toBeCloseTo(0.03125, 12);
    expect(areaUpTo([0, 0.5, 1], [1, 1, 1], 1)).toBeCloseTo(1, 12);
    expect(areaUpTo([0, 0.1], [1, 0], 0.2)).toBeNull();
  });
});

describe('relevance-ordering curve on a linear model (closed form)', () => {
  const N = 4096;
  // The fillings are one sample of N: each point's mean lies within a few standard errors of the
  // expectation. 4.5 SE over 17 points of one seeded run: a true failure, not bad luck (p < 1e-4).
  const SE = 4.5;

  async function checkAgainstClosedForm(rank: number, recipe: CurveRecipe | undefined, mean: (i: number) => number, cov: (i: number, j: number) => number) {
    const net = linearNet(w, 0.3);
    const x = tf.tensor4d(xValues, [1, H, W, 1]);
    const map = Float32Array.from(w.map((wi, i) => Math.abs(wi * (xValues[i] - mu[i]))));
    const s = settings({ protocol: 'studio', samples: N, rank });
    const ev = await createCurveEvaluator(net, x, 0, s, reference(), recipe);
    const curve = await ev.curve(map);
    ev.dispose();
    const order = relevanceOrder(map, s.seed + 1);
    expect(curve.rates).toHaveLength(D + 1);
    let worst = 0;
    curve.kept.forEach((k, i) => {
      const expected = expectedHalfSquare(new Set(Array.from(order.subarray(0, k))), mean, cov);
      const z = Math.abs(curve.distortion[i] - expected) / Math.max(curve.stderr[i], 1e-9);
      worst = Math.max(worst, z);
      if (k === D) expect(curve.distortion[i]).toBeLessThan(1e-9);
      else expect(z).toBeLessThan(SE);
    });
    x.dispose();
    disposeNet(net);
    return worst;
  }

  it('Gaussian fillings from V, diagonal (rank 0)', async () => {
    await checkAgainstClosedForm(0, undefined, (i) => mu[i], (i, j) => covariance(0, i, j));
  });

  it('Gaussian fillings from V, low rank + diagonal residual (rank 2)', async () => {
    const before = tf.memory().numTensors;
    await checkAgainstClosedForm(2, undefined, (i) => mu[i], (i, j) => covariance(2, i, j));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('uniform fillings in [min x, max x]: mean (lo + hi)/2, variance (hi − lo)²/12, independent', async () => {
    const lo = Math.min(...xValues), hi = Math.max(...xValues);
    const recipe: CurveRecipe = { noise: 'uniform', score: 'logit', halve: true, clip: false };
    await checkAgainstClosedForm(0, recipe, () => (lo + hi) / 2, (i, j) => (i === j ? (hi - lo) ** 2 / 12 : 0));
  });

  it('the paper protocol equals a brute-force (p(y) − p(x))² over the same uniform draws', async () => {
    const other = Array.from({ length: D }, () => rand() * 2 - 1);
    const net = linearNet(w, 0.3, other);
    const x = tf.tensor4d(xValues, [1, H, W, 1]);
    const map = Float32Array.from(w.map((wi, i) => wi * xValues[i]));
    const s = settings({ protocol: 'paper', samples: 64, step: 3 });
    const curve = await relevanceCurve(net, x, 0, map, s);
    // The same draws the evaluator takes: tfjs's seeded uniform, [N, d] in [min x, max x].
    const lo = Math.min(...xValues), hi = Math.max(...xValues);
    const uT = tf.randomUniform([64, D], lo, hi, 'float32', s.seed);
    const u = await uT.data();
    uT.dispose();
    const p0 = (y: ArrayLike<number>) => {
      let z0 = 0.3, z1 = 0;
      for (let i = 0; i < D; i++) {
        z0 += w[i] * y[i];
        z1 += other[i] * y[i];
      }
      return 1 / (1 + Math.exp(z1 - z0));
    };
    const px = p0(xValues);
    // The order written out independently: distinct values, sorted descending.
    const order = Array.from({ length: D }, (_, i) => i).sort((a, b) => map[b] - map[a]);
    const perFilling = Array.from({ length: 64 }, () => new Array<number>(curve.kept.length));
    curve.kept.forEach((k, idx) => {
      let sum = 0;
      for (let f = 0; f < 64; f++) {
        const y = Array.from({ length: D }, (_, i) => u[f * D + i]);
        for (const i of order.slice(0, k)) y[i] = xValues[i];
        perFilling[f][idx] = (p0(y) - px) ** 2;
        sum += perFilling[f][idx];
      }
      // float32 logits against float64 here: 1e-6 absolute on squared probability gaps ≤ 1.
      expect(curve.distortion[idx]).toBeCloseTo(sum / 64, 6);
    });
    // The areas' standard errors: each filling's own area (trapezoids to 20 %, written out here),
    // their sample SD / √64.
    const areas = perFilling.map((v) => {
      let a = 0;
      for (let i = 1; i < v.length && curve.rates[i - 1] < 0.2; i++) {
        const r1 = Math.min(curve.rates[i], 0.2);
        const v1 = v[i - 1] + (v[i] - v[i - 1]) * (r1 - curve.rates[i - 1]) / (curve.rates[i] - curve.rates[i - 1]);
        a += (r1 - curve.rates[i - 1]) * (v[i - 1] + v1) / 2;
      }
      return a;
    });
    const mean = areas.reduce((a, b) => a + b, 0) / 64;
    expect(curve.auc.r20).toBeCloseTo(mean, 6);
    const se = Math.sqrt(areas.reduce((a, b) => a + (b - mean) ** 2, 0) / 63 / 64);
    expect(curve.aucStderr!.r20).toBeCloseTo(se, 6);
    expect(curve.aucStderr!.r20).toBeGreaterThan(0);
    x.dispose();
    disposeNet(net);
  });
});

describe('the random map and the oracle', () => {
  it('the mean of random maps\' curves matches the expectation over uniformly random kept sets; the oracle beats it', async () => {
    const net = linearNet(w, 0.3);
    const x = tf.tensor4d(xValues, [1, H, W, 1]);
    const s = settings({ protocol: 'studio', samples: 512, rank: 0, step: 2 });
    const ev = await createCurveEvaluator(net, x, 0, s, reference());
    const maps = 60;
    const curves: RelevanceCurve[] = [];
    for (let m = 0; m < maps; m++) {
      const r = await randomMapMethod.explain(net, x, 0, {}, { seed: 100 + m });
      curves.push(await ev.curve(r.relevance, { orderSeed: m }));
    }
    // Expected distortion when the complement T (t = d − k components) is a uniformly random set:
    // E[Σ_{i,j∈T} a_i a_j] = t/d Σ a_i² + t(t−1)/(d(d−1)) Σ_{i≠j} a_i a_j, for the mean gap and for the variance.
    const a = w.map((wi, i) => wi * (xValues[i] - mu[i]));
    curves[0].kept.forEach((k, idx) => {
      const t = D - k;
      const p1 = t / D, p2 = D > 1 ? (t * (t - 1)) / (D * (D - 1)) : 0;
      let diag = 0, off = 0;
      for (let i = 0; i < D; i++) {
        for (let j = 0; j < D; j++) {
          const term = a[i] * a[j] + w[i] * w[j] * covariance(0, i, j);
          if (i === j) diag += term;
          else off += term;
        }
      }
      const expected = 0.5 * (p1 * diag + p2 * off);
      const values = curves.map((c) => c.distortion[idx]);
      const mean = values.reduce((u, v) => u + v, 0) / maps;
      const sd = Math.sqrt(values.reduce((u, v) => u + (v - mean) ** 2, 0) / (maps - 1));
      // Two errors: the spread over 60 orders (its SE shrinks with √60) and the fillings' own error,
      // which every map shares (one evaluator, common fillings) and so does not shrink. 4 SE of each.
      const fillingSe = curves.reduce((u, c) => u + c.stderr[idx], 0) / maps;
      expect(Math.abs(mean - expected)).toBeLessThan(4 * sd / Math.sqrt(maps) + 4 * fillingSe + 1e-9);
    });
    const oracle = await ev.curve(Float32Array.from(a.map(Math.abs)));
    const randomAuc = curves.reduce((u, c) => u + c.auc.all, 0) / maps;
    expect(oracle.auc.all).toBeLessThan(0.6 * randomAuc);
    ev.dispose();
    x.dispose();
    disposeNet(net);
  });
});

describe('settings and failures', () => {
  it('refuses N = 0, g > d, and the studio protocol without V with clear messages', async () => {
    expect(curveSettings.safeParse({ samples: 0 }).success).toBe(false);
    expect(curveSettingsProblem(settings({ step: 17 }), D, reference())).toBe('The step g = 17 is larger than the input\'s 16 components.');
    expect(curveSettingsProblem(settings({ protocol: 'studio' }), D, undefined, 'my-model'))
      .toMatch(/^my-model has no reference distribution V, which the studio protocol draws its noise from; use the paper protocol/);
    expect(curveSettingsProblem(settings({ protocol: 'paper' }), D, undefined)).toBeNull();
    expect(curveSettingsProblem(settings({ protocol: 'studio', rank: 5 }), D, reference())).toBe('Rank 5 is above the 2 the reference distribution holds.');
    const net = linearNet(w, 0);
    const x = tf.tensor4d(xValues, [1, H, W, 1]);
    await expect(createCurveEvaluator(net, x, 0, settings({ protocol: 'studio' }), undefined)).rejects.toThrow('has no reference distribution V');
    x.dispose();
    disposeNet(net);
  });

  it('seed 0 is a seed like any other: two runs draw the same fillings on both protocols (tfjs reads 0 as "unseeded")', async () => {
    const net = linearNet(w, 0.3);
    const x = tf.tensor4d(xValues, [1, H, W, 1]);
    for (const protocol of ['paper', 'studio'] as const) {
      const s = settings({ protocol, samples: 32, step: 4, seed: 0, rank: 2 });
      const a = await relevanceCurve(net, x, 0, Float32Array.from(w), s, reference());
      const b = await relevanceCurve(net, x, 0, Float32Array.from(w), s, reference());
      expect(b.distortion).toEqual(a.distortion);
      const c = await relevanceCurve(net, x, 0, Float32Array.from(w), { ...s, seed: 1 }, reference());
      expect(c.distortion[0]).not.toBe(a.distortion[0]);
    }
    x.dispose();
    disposeNet(net);
  });

  it('streams partial curves, and a cancel mid-curve frees every tensor', async () => {
    const net = linearNet(w, 0);
    const x = tf.tensor4d(xValues, [1, H, W, 1]);
    const before = tf.memory().numTensors;
    const ev = await createCurveEvaluator(net, x, 0, settings({ protocol: 'paper', samples: 2048, step: 1 }));
    const lengths: number[] = [];
    const full = await ev.curve(Float32Array.from(w), { onPartial: (c) => lengths.push(c.rates.length) });
    expect(lengths.at(-1)).toBe(full.rates.length);
    expect(lengths.length).toBeGreaterThan(2);
    for (let i = 1; i < lengths.length; i++) expect(lengths[i]).toBeGreaterThan(lengths[i - 1]);
    const controller = new AbortController();
    let batches = 0;
    await expect(ev.curve(Float32Array.from(w), {
      signal: controller.signal,
      onProgress: () => { if (++batches === 2) controller.abort(); },
    })).rejects.toBeInstanceOf(AbortedError);
    ev.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    disposeNet(net);
  });
});
