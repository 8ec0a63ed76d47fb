import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../../tf/node';
import { forwardLogits } from '../../net/forward';
import type { Net } from '../../net/ir';
import { mulberry32 } from '../../util/random';
import type { Explanation } from '../types';
import { COMPOSITE_IDS, type CompositeId } from './composites';
import { deepTaylorMethod } from './deepTaylor';
import type { LayerRelevance } from './explainWithRules';
import { lrpMethod } from './lrp';
import { seededConvNet, twoLayerDense } from './testing/lrpNets';

const BASE = { composite: 'epsilon' as CompositeId, epsilon: 1e-9, gamma: 0.25, low: 0, high: 1, rules: '' };

function uniformInput(seed: number, low = 0, high = 1): tf.Tensor4D {
  const rand = mulberry32(seed);
  return tf.tensor4d(Float32Array.from({ length: 144 }, () => low + (high - low) * rand()), [1, 12, 12, 1]);
}

function logitsOf(net: Net, x: tf.Tensor4D): Float32Array {
  return tf.tidy(() => forwardLogits(net, x).dataSync() as Float32Array);
}

const layerSums = (e: Explanation) => e.extras?.layerRelevance as LayerRelevance[];
const gap = (e: Explanation) => Math.abs(e.check!.sum - e.check!.expected) / Math.abs(e.check!.expected);

/**
 * Float32 tolerance for Σ R = logit on the seeded 12x12 net: each layer's shares are float32
 * sums of at most a few hundred terms, so ~1e-6 relative per layer; ε = 1e-9 (and the rules'
 * stabiliser 1e-9) against pre-activations ≥ ~1e-3 loses < 1e-6. Measured gaps: ≤ 6e-7.
 */
const CONSERVED = 1e-5;

describe('conservation on a bias-free ReLU net (conv same/strided, avg and max pool, dense)', () => {
  beforeAll(async () => {
    await setupNodeBackend('wasm');
  });

  it('LRP-ε with ε = 1e-9: Σ R = logit at the input and after every layer, for every class', async () => {
    const { model, net } = seededConvNet(false);
    const x = uniformInput(3);
    const logits = logitsOf(net, x);
    for (let target = 0; target < 3; target++) {
      const e = await lrpMethod.explain(net, x, target, BASE, {});
      expect(e.check?.expected).toBeCloseTo(logits[target], 6);
      expect(gap(e), `class ${target}: gap ${gap(e).toExponential(2)}`).toBeLessThan(CONSERVED);
      for (const l of layerSums(e)) {
        expect(Math.abs(l.sum - logits[target]) / Math.abs(logits[target]), l.layer).toBeLessThan(CONSERVED);
      }
    }
    x.dispose();
    model.dispose();
  });

  it('every composite conserves for the predicted class (positive logit, no biases)', async () => {
    // With no biases and a positive target logit every neuron that carries relevance has z > 0,
    // hence a positive contribution (α1β0, z⁺, γ) and, on these seeded mixed-sign weights, a
    // negative one too (α2β1); flat, w² and zᴮ (x inside [0, 1]) conserve by construction.
    // Seed 12: a net whose logits on this input are all positive (seed 1's are all negative).
    const { model, net } = seededConvNet(false, 12);
    const x = uniformInput(3);
    const logits = logitsOf(net, x);
    const target = logits.indexOf(Math.max(...logits));
    expect(logits[target]).toBeGreaterThan(0);
    for (const composite of COMPOSITE_IDS) {
      const e = await lrpMethod.explain(net, x, target, { ...BASE, composite }, {});
      expect(gap(e), `${composite}: gap ${gap(e).toExponential(2)}`).toBeLessThan(CONSERVED);
    }
    x.dispose();
    model.dispose();
  });
});

describe('αβ: conservation and its documented failures (METHODS.md 4)', () => {
  beforeAll(async () => {
    await setupNodeBackend('wasm');
  });

  const allTwos = [[2, 2, 2], [2, 2, 2], [2, 2, 2]];
  const x = () => tf.tensor4d([1, 2, 3], [1, 1, 1, 3]);

  it('α1β0 conserves where every neuron has positive contributions (one with only positive ones): Σ R = 108', async () => {
    const { model, net } = twoLayerDense(allTwos, [[3, 3, 3]]);
    const input = x();
    const e = await lrpMethod.explain(net, input, 0, { ...BASE, composite: 'alpha1beta0' }, {});
    expect(e.check?.expected).toBe(108);
    expect(e.check?.sum).toBeCloseTo(108, 4);
    input.dispose();
    model.dispose();
  });

  it('α1β0 loses all relevance at a neuron with no positive contribution: Σ R = 0 against logit −108', async () => {
    // The output neuron sums 12+12+12 hidden activations with weight −3: every contribution is
    // negative, z⁺ = 0, and α1β0 hands nothing on.
    const { model, net } = twoLayerDense(allTwos, [[-3, -3, -3]]);
    const input = x();
    const e = await lrpMethod.explain(net, input, 0, { ...BASE, composite: 'alpha1beta0' }, {});
    expect(e.check?.expected).toBe(-108);
    expect(e.check?.sum).toBe(0);
    expect(Math.abs(e.check!.sum - e.check!.expected)).toBeGreaterThan(100);
    input.dispose();
    model.dispose();
  });

  it('α2β1 doubles the relevance at each layer with no negative contributions: Σ R = 4·108', async () => {
    const { model, net } = twoLayerDense(allTwos, [[3, 3, 3]]);
    const input = x();
    const e = await lrpMethod.explain(net, input, 0, { ...BASE, composite: 'alpha2beta1' }, {});
    expect(e.check?.sum).toBeCloseTo(432, 3);
    expect(layerSums(e).map((l) => l.sum)).toEqual([
      expect.closeTo(432, 3), expect.closeTo(432, 3), expect.closeTo(216, 3), expect.closeTo(216, 3),
    ]);
    input.dispose();
    model.dispose();
  });
});

describe('zᴮ conserves relevance per layer on a box-bounded input, whatever the bias', () => {
  beforeAll(async () => {
    await setupNodeBackend('wasm');
  });

  for (const [low, high] of [[0, 1], [-1, 2]]) {
    it(`input in [${low}, ${high}]: Σ R(input) = Σ R(first conv output), all R ≥ 0 under Deep Taylor`, async () => {
      const { model, net } = seededConvNet(true, 10);
      const x = uniformInput(5, low, high);
      const logits = logitsOf(net, x);
      const target = logits.indexOf(Math.max(...logits));
      const e = await deepTaylorMethod.explain(net, x, target, { low, high }, {});
      const sums = layerSums(e);
      expect(sums[0].layer).toBe('conv1');
      expect(sums[0].rule).toBe(`zbox(${low},${high})`);
      // sums[1] arrived at the input of conv1's ReLU, i.e. is the relevance of conv1's output.
      const firstLayer = sums[1].sum;
      expect(firstLayer).toBeGreaterThan(0);
      expect(Math.abs(e.check!.sum - firstLayer) / firstLayer, `${e.check!.sum} vs ${firstLayer}`).toBeLessThan(CONSERVED);
      // Each zᴮ term (x−l)w⁺ + (x−h)w⁻ is ≥ 0 and z⁺ above keeps relevance ≥ 0: allow float32
      // cancellation in x·c_x − l·c_l − h·c_h of 1e-6 of the largest value.
      const max = Math.max(...e.relevance);
      expect(Math.min(...e.relevance)).toBeGreaterThan(-1e-6 * max);
      x.dispose();
      model.dispose();
    });
  }
});
