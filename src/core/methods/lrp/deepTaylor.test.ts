import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../../tf/node';
import { forwardLogits } from '../../net/forward';
import type { IRLayer, Net } from '../../net/ir';
import { loadNetFromFile } from '../../../node/modelFiles';
import { loadMnistSplit, PIXELS } from '../../../node/mnistData';
import { deepTaylorMethod } from './deepTaylor';
import type { LayerRelevance } from './explainWithRules';
import { lrpMethod } from './lrp';

/** The same weights with every bias removed: z⁺ and zᴮ then have nothing to leak into. */
function withoutBiases(net: Net): Net {
  const layers = net.layers.map((l): IRLayer => (l.kind === 'dense' || l.kind === 'conv2d' ? { ...l, bias: null } : l));
  return { ...net, layers };
}

describe('Deep Taylor on the built-in MNIST model', () => {
  let model: tf.LayersModel;
  let net: Net;
  let x: tf.Tensor4D;
  let target: number;

  beforeAll(async () => {
    await setupNodeBackend('wasm');
    ({ model, net } = await loadNetFromFile('mnist'));
    const { heldOut } = loadMnistSplit();
    // A held-out 3 (the 178th of its class), classified correctly with logit ≈ 18.5.
    const index = 777;
    target = heldOut.labels[index];
    expect(target).toBe(3);
    x = tf.tensor4d(heldOut.images.slice(index * PIXELS, (index + 1) * PIXELS), [1, 28, 28, 1]);
  });

  afterAll(() => {
    x.dispose();
    model.dispose();
  });

  it('is finite and non-negative, and Σ R falls short of the logit only by what positive biases take', async () => {
    const before = tf.memory().numTensors;
    const e = await deepTaylorMethod.explain(net, x, target, { low: 0, high: 1 }, {});
    expect(tf.memory().numTensors).toBe(before);
    expect(e.shape).toEqual([1, 28, 28, 1]);
    expect(e.relevance.every(Number.isFinite)).toBe(true);
    // Sign structure: for a positive logit, z⁺ hands on only non-negative relevance (a ≥ 0,
    // w⁺ ≥ 0) and each zᴮ term (x−0)w⁺ + (x−1)w⁻ is ≥ 0 for x in [0, 1]; float32 cancellation
    // in x·c_x − h·c_h may leave tiny negatives, allowed down to 1e-6 of the largest value.
    const max = Math.max(...e.relevance);
    expect(Math.min(...e.relevance)).toBeGreaterThan(-1e-6 * max);
    const { sum, expected: logit } = e.check!;
    expect(logit).toBeGreaterThan(18);
    // The model has biases. z⁺ puts b⁺ in its denominator, so a unit with relevance R_k ≥ 0
    // hands on R_k·(Σ a w⁺)/(Σ a w⁺ + b⁺) ≤ R_k; zᴮ has no bias term and conserves. Hence
    // Σ R ≤ logit, and each layer can only lose relevance on the way down (up to float32 sums
    // over ≤ 25,088 values, ~1e-5 relative). How much goes depends on the biases: measured
    // Σ R / logit = 0.983 for this digit (0.990, 0.987 for two others; 1.7% lost, mostly at
    // dense1024 and conv64_10). We assert the direction exactly and the size loosely (≤ 5%).
    expect(sum).toBeLessThanOrEqual(logit * (1 + 1e-5));
    expect(sum).toBeGreaterThan(0.95 * logit);
    const sums = (e.extras!.layerRelevance as LayerRelevance[]).map((l) => l.sum);
    for (let i = 0; i + 1 < sums.length; i++) expect(sums[i]).toBeLessThanOrEqual(sums[i + 1] * (1 + 1e-4));
    expect(e.passes).toEqual({ forward: 1, backward: 1 });
  });

  it('conserves exactly (to float32 sums) once the biases are removed: Σ R = logit', async () => {
    const bare = withoutBiases(net);
    const logit = tf.tidy(() => forwardLogits(bare, x).dataSync()[target]);
    const e = await deepTaylorMethod.explain(bare, x, target, { low: 0, high: 1 }, {});
    expect(e.check!.expected).toBeCloseTo(logit, 4);
    // Tolerance: float32 layer sums over up to 25,088 values and shares, ~1e-5 relative; measured
    // 3e-7; we allow 1e-4.
    expect(Math.abs(e.check!.sum - logit) / Math.abs(logit)).toBeLessThan(1e-4);
  });

  it('LRP with the default composite (ε-γ-box) runs on the same digit with finite relevance', async () => {
    const e = await lrpMethod.explain(net, x, target, lrpMethod.params.parse({}), {});
    expect(e.relevance.every(Number.isFinite)).toBe(true);
    expect(e.extras!.rules).toEqual({
      conv32_8: 'zbox(0,1)', conv64_9: 'gamma(0.25)', conv64_10: 'gamma(0.25)', dense1024: 'epsilon(0.000001)', logits: 'epsilon(0.000001)',
    });
  });
});
