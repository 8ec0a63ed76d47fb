// The attacks on a small seeded network (ε-ball, range, label, leaks, cancel, refusals), the
// softplus stand-in's convergence to ReLU, the differentiable maps against the methods' own, and
// the measured top-k attack on the MNIST model.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { setupNodeBackend } from '../tf/node';
import { classify, forwardLogits, softplusBeta } from '../net/forward';
import { seededConvNet } from '../methods/testing/seededConvNet';
import { smallReluNet } from '../methods/testing/gradientFamilyNets';
import { getMethod, parseMethodParams } from '../methods/registry';
import { AbortedError } from '../methods/types';
import { mulberry32 } from '../util/random';
import { PROJECT_ROOT } from '../../node/modelFiles';
import { imageInput, openModel } from '../../node/studioSession';
import { runAttack, type AttackIteration } from './attack';
import { smoothMap } from './smoothMaps';

const SHAPE: [number, number, number] = [8, 8, 1];
let small: ReturnType<typeof smallReluNet>;

beforeAll(async () => {
  await setupNodeBackend('wasm');
  small = smallReluNet();
});
afterAll(() => small.model.dispose());

function randomInput(seed: number): Float32Array {
  const rand = mulberry32(seed);
  return Float32Array.from({ length: 64 }, () => rand());
}

async function predictedOf(values: Float32Array): Promise<number> {
  const t = tf.tensor4d(values, [1, ...SHAPE]);
  const { predicted } = await classify(small.net, t);
  t.dispose();
  return predicted;
}

describe('the softplus stand-in', () => {
  it('softplus_β is off ReLU by at most log 2/β per unit (reached at z = 0)', () => {
    const z = tf.tensor1d(Float32Array.from({ length: 601 }, (_, i) => (i - 300) / 100));
    for (const beta of [1, 10, 100]) {
      const gap = tf.tidy(() => tf.max(tf.abs(tf.sub(softplusBeta(z, beta), tf.relu(z)))).dataSync()[0]);
      // float32 arithmetic: a relative 1e-6.
      expect(Math.abs(gap - Math.log(2) / beta)).toBeLessThan(1e-6 * Math.log(2) / beta);
    }
    z.dispose();
  });

  it('the softplus network converges to the ReLU network as β grows (max logit gap measured 0.81, 0.049, 0.0012, 4.6e-5 at β = 1, 10, 100, 1000)', () => {
    const x = tf.tensor4d(randomInput(3), [1, ...SHAPE]);
    const gaps = [1, 10, 100, 1000].map((beta) => tf.tidy(() => tf.max(tf.abs(tf.sub(forwardLogits(small.net, x, { softplusBeta: beta }), forwardLogits(small.net, x)))).dataSync()[0]));
    x.dispose();
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeLessThan(gaps[i - 1]);
    // Every unit is off by at most log 2/β, so the gap falls at least like 1/β (here faster: units
    // far from 0 are off by e^{−β|z|}/β): β × gap stays below 1 (measured 0.81, 0.49, 0.12, 0.046).
    for (let i = 1; i < gaps.length; i++) expect(gaps[i] * [1, 10, 100, 1000][i]).toBeLessThan(1);
  });

  it('at β = 1e4 the differentiable SmoothGrad and Integrated Gradients equal the methods\' own maps (same noise draws, same quadrature)', async () => {
    const input = randomInput(5);
    const x = tf.tensor4d(input, [1, ...SHAPE]);
    for (const [id, raw] of [['smoothgrad', { samples: 6 }], ['integrated-gradients', { steps: 8 }], ['gradient-input', {}]] as const) {
      const method = getMethod(id);
      const params = parseMethodParams(method, raw) as Record<string, unknown>;
      const own = (await method.explain(small.net, x, 1, params, { seed: 9 })).relevance;
      const h = smoothMap(small.net, id, params, 1, 1e4, { x0: input, shape: SHAPE, seed: 9 });
      const smooth = tf.tidy(() => h(x).dataSync());
      const scale = Math.max(...own.map(Math.abs));
      // Float32 sums over 6–8 gradients, and softplus_1e4 off ReLU by ≤ 7e-5 per unit.
      for (let i = 0; i < own.length; i++) expect(Math.abs(smooth[i] - own[i])).toBeLessThan(1e-3 * scale);
    }
    x.dispose();
  });
});

describe('runAttack on a small network', () => {
  it('keeps x + δ in the ε-ball and the range, and the label, over random inputs, attacks and both kinds', async () => {
    const rand = mulberry32(11);
    const cases = [
      { method: 'gradient', attack: 'topk' }, { method: 'gradient-input', attack: 'masscenter' },
      { method: 'smoothgrad', attack: 'targeted' }, { method: 'integrated-gradients', attack: 'topk' },
      { method: 'lrp', attack: 'topk' }, { method: 'gradient', attack: 'masscenter', kind: 'black-box' },
    ];
    for (let trial = 0; trial < 12; trial++) {
      const { method, attack, kind } = cases[trial % cases.length];
      const input = randomInput(100 + trial);
      const epsilon = 0.02 + 0.3 * rand();
      const r = await runAttack(small.net, input, SHAPE, {
        method, methodParams: method === 'smoothgrad' ? { samples: 4 } : method === 'integrated-gradients' ? { steps: 4 } : {},
        params: { attack, epsilon, iterations: 4, k: 6, seed: trial, ...(kind ? { kind } : {}) },
        inputRange: [0, 1], targetRegion: { x0: 0, y0: 0, x1: 3, y1: 3 },
      });
      expect(r.kind).toBe(kind ?? (method === 'lrp' ? 'black-box' : 'gradient'));
      for (const out of [r.attacked, r.random!]) {
        for (let i = 0; i < input.length; i++) {
          // Float32 rounding of x ± ε can exceed ε by an ulp of x (< 1.2e-7 on [0, 1]).
          expect(Math.abs(out.attacked[i] - input[i])).toBeLessThanOrEqual(epsilon + 1.2e-7);
          expect(out.attacked[i]).toBeGreaterThanOrEqual(0);
          expect(out.attacked[i]).toBeLessThanOrEqual(1);
        }
      }
      expect(r.attacked.labelKept).toBe(true);
      expect(await predictedOf(r.attacked.attacked)).toBe(r.label);
      expect(r.trace).toHaveLength(4);
      expect(r.trace.every((t) => t.labelKept)).toBe(true);
    }
  });

  it('streams one record per iteration, is reproducible from its seed, and leaks no tensor', async () => {
    const input = randomInput(21);
    const before = tf.memory().numTensors;
    const records: AttackIteration[] = [];
    const events: string[] = [];
    const run = () => runAttack(small.net, input, SHAPE, { method: 'gradient', params: { attack: 'topk', epsilon: 0.1, iterations: 5, k: 6, seed: 4 }, inputRange: [0, 1] });
    const a = await runAttack(small.net, input, SHAPE, {
      method: 'gradient', params: { attack: 'topk', epsilon: 0.1, iterations: 5, k: 6, seed: 4 }, inputRange: [0, 1],
      onStart: (start) => events.push(`start ${start.label} ${start.k} ${start.searchKind} ${start.mapBefore.length}`),
      onBaseline: (random) => events.push(`baseline ${random.linf <= 0.1 + 1e-6}`),
      onIteration: (rec, current) => {
        records.push(rec);
        events.push(`iteration ${rec.iteration}`);
        expect(current().attacked).toHaveLength(64);
      },
    });
    const b = await run();
    expect(tf.memory().numTensors).toBe(before);
    expect(records.map((r) => r.iteration)).toEqual([1, 2, 3, 4, 5]);
    // The panel's order: the map at x, then the random baseline (drawn beside the attack while it runs), then the iterations.
    expect(events).toEqual([`start ${a.label} 6 gradient 64`, 'baseline true', ...records.map((r) => `iteration ${r.iteration}`)]);
    expect(Array.from(a.random!.attacked)).toEqual(Array.from(b.random!.attacked));
    expect(Array.from(b.attacked.attacked)).toEqual(Array.from(a.attacked.attacked));
    expect(b.trace.map((t) => t.topkIntersection)).toEqual(a.trace.map((t) => t.topkIntersection));
    expect(Object.keys(records[0]).sort()).toEqual(['accepted', 'iteration', 'labelKept', 'loss', 'massCentreShift', 'smoothLoss', 'spearman', 'ssim', 'step', 'topkIntersection']);
  });

  it('cancel (AbortSignal) stops the run with AbortedError and frees every tensor', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    for (const method of ['smoothgrad', 'lrp']) {
      await expect(runAttack(small.net, randomInput(2), SHAPE, {
        method, params: { iterations: 50, epsilon: 0.1, k: 6 }, inputRange: [0, 1], signal: controller.signal,
        onIteration: (rec) => { if (rec.iteration === 2) controller.abort(); },
      })).rejects.toBeInstanceOf(AbortedError);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('refuses bad input with a clear message, leaking nothing', async () => {
    const before = tf.memory().numTensors;
    const input = randomInput(1);
    const attempt = (options: Partial<Parameters<typeof runAttack>[3]>, net = small.net) => runAttack(net, input, SHAPE, { method: 'gradient', inputRange: [0, 1], ...options });
    await expect(attempt({ params: { epsilon: 0 } })).rejects.toThrow('Attack parameter epsilon: Too small: expected number to be >0; got 0.');
    await expect(attempt({ params: { epsilon: 1.5 } })).rejects.toThrow('ε = 1.5 is larger than the input range [0, 1] (width 1)');
    await expect(attempt({ params: { attack: 'targeted' }, targetRegion: { x0: 2, y0: 2, x1: 2, y1: 5 } })).rejects.toThrow('holds no pixel of the 8 × 8 image');
    await expect(attempt({ params: { attack: 'targeted' } })).rejects.toThrow('The targeted attack needs a target: a target map or a target region.');
    await expect(attempt({ method: 'saliency' })).rejects.toThrow('Unknown method "saliency".');
    await expect(attempt({ method: 'lrp', params: { kind: 'gradient' } })).rejects.toThrow('is not differentiable with respect to the input in a way the gradient attack can use');
    const maxPooled = seededConvNet({ inputShape: SHAPE, outputs: 3, seed: 1, pool: 'max' });
    await expect(attempt({ params: { kind: 'gradient' } }, maxPooled.net)).rejects.toThrow('The gradient attack needs a smooth stand-in of the network, and layer');
    await expect(attempt({ params: { kind: 'gradient' } }, maxPooled.net)).rejects.toThrow('(max pooling) has no smooth stand-in');
    // Automatic search on such a network: the black-box search, which needs no second derivative.
    const fallback = await attempt({ params: { iterations: 2, k: 6 } }, maxPooled.net);
    expect(fallback.kind).toBe('black-box');
    expect(fallback.trace).toHaveLength(2);
    maxPooled.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('the top-k attack on the MNIST model', () => {
  // Measured on digit-3-0.png, gradient map, ε = 8/255, 20 iterations, defaults (β = 20, k = 78,
  // step ε/5; wasm): top-k intersection 0.667 after the attack (best iterate: 6) against 0.769
  // after the random signs; Spearman 0.685 against 0.853. The margins asserted, 0.07 and 0.12, are
  // about 70 % of each measured gap (0.102, 0.168): the run is seeded, so only the backend's
  // rounding can move it.
  it('lowers the gradient map\'s top-k intersection below the random baseline at ε = 8/255', async () => {
    const { net, meta } = await openModel('mnist');
    const input = imageInput(join(PROJECT_ROOT, 'public', 'digits', 'digit-3-0.png'), meta);
    const before = tf.memory().numTensors;
    const r = await runAttack(net, input.pixels, input.shape, { method: 'gradient', params: { attack: 'topk', epsilon: 8 / 255, iterations: 20 }, inputRange: meta.inputRange! });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.k).toBe(78);
    expect(r.attacked.labelKept).toBe(true);
    expect(r.attacked.metrics.topkIntersection).toBeLessThanOrEqual(r.random!.metrics.topkIntersection - 0.07);
    expect(r.attacked.metrics.spearman).toBeLessThanOrEqual(r.random!.metrics.spearman - 0.12);
  });
});
