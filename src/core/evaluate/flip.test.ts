import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupNodeBackend } from '../tf/node';
import type { Net } from '../net/ir';
import { mulberry32 } from '../util/random';
import { integrationBaseline } from '../methods/integrationBaseline';
import { flipSettings, pixelFlipping } from './flip';

function linearNet(w: number[], b: number, shape: [number, number, number]): Net {
  const d = w.length;
  return {
    inputShape: shape, outputs: 2, head: 'softmax', unsupported: [], owned: [],
    layers: [
      { kind: 'flatten', name: 'flatten' },
      { kind: 'dense', name: 'dense', kernel: tf.tensor2d(w.flatMap((v) => [v, 0]), [d, 2]), bias: tf.tensor1d([b, 0]) },
    ],
  };
}

const dispose = (net: Net) => net.layers.forEach((l) => l.kind === 'dense' && tf.dispose([l.kernel, l.bias!]));

beforeAll(async () => {
  await setupNodeBackend('cpu');
});

describe('pixel flipping', () => {
  it('matches hand-computed MoRF / LeRF scores, areas and ABPC on a 2 x 2 linear model', async () => {
    // Φ(x) = w·x + 0.5 = 3 with w = [1, 2, −1, 3], x = [1, 1, 2, 0.5]; R = w ⊙ x = [1, 2, −2, 1.5]
    // orders the components 1, 3, 0, 2. Zeroing them in that order (MoRF) leaves 3, 1, −0.5, −1.5,
    // 0.5; in the reverse order (LeRF) 3, 5, 4, 2.5, 0.5. Trapezoids of width 1/4: 0.1875 and 3.3125.
    const net = linearNet([1, 2, -1, 3], 0.5, [2, 2, 1]);
    const x = tf.tensor4d([1, 1, 2, 0.5], [1, 2, 2, 1]);
    const r = await pixelFlipping(net, x, 0, Float32Array.from([1, 2, -2, 1.5]), flipSettings.parse({ step: 1 }));
    expect(r.rates).toEqual([0, 0.25, 0.5, 0.75, 1]);
    r.morf.forEach((v, i) => expect(v).toBeCloseTo([3, 1, -0.5, -1.5, 0.5][i], 5));
    r.lerf.forEach((v, i) => expect(v).toBeCloseTo([3, 5, 4, 2.5, 0.5][i], 5));
    expect(r.aucMorf).toBeCloseTo(0.1875, 5);
    expect(r.aucLerf).toBeCloseTo(3.3125, 5);
    expect(r.abpc).toBeCloseTo(3.125, 5);
    // The probability score: softmax of (Φ, 0) at the start.
    const p = await pixelFlipping(net, x, 0, Float32Array.from([1, 2, -2, 1.5]), flipSettings.parse({ step: 1, score: 'probability' }));
    expect(p.morf[0]).toBeCloseTo(1 / (1 + Math.exp(-3)), 6);
    x.dispose();
    dispose(net);
  });

  it('MoRF ≤ LeRF at every step for the oracle map R = w ⊙ (x − b) of a linear model, on every baseline', async () => {
    const rand = mulberry32(4);
    const shape: [number, number, number] = [6, 6, 1];
    const d = 36;
    const w = Array.from({ length: d }, () => rand() * 2 - 1);
    const xs = Float32Array.from({ length: d }, () => rand());
    const net = linearNet(w, 0, shape);
    const x = tf.tensor4d(xs, [1, ...shape]);
    const mean = Float32Array.from({ length: d }, () => rand() * 0.3);
    const reference = { shape, count: 10, rank: 0, mean, variance: new Float32Array(d).fill(0.1), factor: new Float32Array(0) };
    const before = tf.memory().numTensors;
    for (const baseline of ['zeros', 'reference-mean', 'blurred'] as const) {
      const settings = flipSettings.parse({ baseline, step: 4, blurSigma: 1 });
      // The oracle needs the baseline it is measured against.
      const b = integrationBaseline(baseline, xs, shape, { reference, blurSigma: 1 });
      const oracle = Float32Array.from(w.map((wi, i) => wi * (xs[i] - b[i])));
      const r = await pixelFlipping(net, x, 0, oracle, settings, { reference });
      r.morf.forEach((v, i) => expect(v).toBeLessThanOrEqual(r.lerf[i] + 1e-5));
      expect(r.abpc).toBeGreaterThan(0);
      expect(r.morf.at(-1)).toBeCloseTo(r.lerf.at(-1)!, 5);
    }
    expect(tf.memory().numTensors).toBe(before);
    await expect(pixelFlipping(net, x, 0, new Float32Array(d), flipSettings.parse({ baseline: 'reference-mean' })))
      .rejects.toThrow('The reference-mean baseline needs the model\'s reference distribution, and none is loaded.');
    await expect(pixelFlipping(net, x, 0, new Float32Array(5), flipSettings.parse({}))).rejects.toThrow('The map has 5 values; the input has 36.');
    x.dispose();
    dispose(net);
  });
});
