import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../../tf/node';
import { lime } from './lime';
import { limeMethod } from './limeMethod';
import { denseImageNet, featureGame } from './testNets';

// A linear score with distinct weights (no two |wᵢ| within 0.1 of each other), bias 0.5.
const w = [0.9, -0.4, 0.15, 1.3, -1.1, 0.6, -0.05, 0.3];
const bias = 0.5;
const linear = (x: number[]) => x.reduce((a, xi, i) => a + w[i] * xi, bias);
const ones = w.map(() => 1);
const zeros = w.map(() => 0);
const ranking = (values: ArrayLike<number>) => Array.from(values, (_, i) => i).sort((i, j) => values[j] - values[i]);

describe('LIME on a linear model', () => {
  beforeAll(async () => {
    await setupNodeBackend('wasm');
  });

  it('without a ridge penalty it recovers the weights, the intercept and R² = 1 exactly', async () => {
    // v is exactly linear in the on/off vector (v(z) = bias + Σ wᵢ zᵢ for x = 1, baseline 0), so the
    // weighted least-squares fit is exact; only float64 rounding remains.
    const fit = await lime(8, featureGame(linear, ones, zeros), { samples: 200, seed: 3, kernelWidth: 0.25, ridge: 0 });
    fit.coefficients.forEach((c, i) => expect(Math.abs(c - w[i])).toBeLessThan(1e-9));
    expect(Math.abs(fit.intercept - bias)).toBeLessThan(1e-9);
    expect(fit.score).toBeCloseTo(1, 12);
  });

  it('with the default ridge α = 1 the coefficients keep the weights\' ranking and shrink by under 5%', async () => {
    // The weighted Gram matrix has diagonal ≈ Σπ·¼ ≈ 60 for 1000 samples, so α = 1 shrinks each
    // coefficient by roughly 1/60; measured −0.1%..2.9% (sampling adds to the shrinkage). The order
    // of the weights, whose gaps are ≥ 0.1 in 1.3, is untouched.
    const fit = await lime(8, featureGame(linear, ones, zeros), { samples: 1000, seed: 3, kernelWidth: 0.25, ridge: 1 });
    expect(ranking(fit.coefficients)).toEqual(ranking(w));
    fit.coefficients.forEach((c, i) => {
      expect(Math.sign(c)).toBe(Math.sign(w[i]));
      expect(Math.abs(c - w[i]) / Math.abs(w[i])).toBeLessThan(0.05);
    });
  });

  it('through tf.layers → IR → lime (8 pixels, one player each, x = 2): coefficients ranked as wᵢ·xᵢ', async () => {
    const { model, net } = denseImageNet([1, 8, 1], [{ W: [w], b: [bias] }]);
    const x = tf.tensor4d(w.map(() => 2), [1, 1, 8, 1]);
    const p = limeMethod.params.parse({ players: 'grid', patch: 1 });
    const out = await limeMethod.explain(net, x, 0, p, { seed: 1 });
    const coefficients = out.extras!.playerValues as number[];
    expect(ranking(coefficients)).toEqual(ranking(w));
    // One pixel per player, so the map is the coefficients; each ≈ 2wᵢ within the ridge shrinkage.
    coefficients.forEach((c, i) => {
      expect(out.relevance[i]).toBeCloseTo(c, 5);
      expect(Math.abs(c - 2 * w[i]) / Math.abs(2 * w[i])).toBeLessThan(0.05);
    });
    expect(out.check).toBeUndefined();
    expect(out.passes).toEqual({ forward: 1000, backward: 0 });
    x.dispose();
    model.dispose();
  });

  it('weights samples by exp(−d²/w²) of the cosine distance: a wide kernel weighs all samples alike', async () => {
    // With a quadratic score the fit depends on the weighting. A very wide kernel (w = 1e3) gives
    // every sample weight ≈ 1, so the fit equals the unweighted regression, where the interaction
    // x₀x₁ splits evenly; the image kernel (w = 0.25) favours samples near the full input, where
    // x₀'s partner is mostly present, so x₀'s coefficient grows.
    const f = (x: number[]) => 2 * x[0] * x[1] + x[2];
    const game = featureGame(f, [1, 1, 1, 1], [0, 0, 0, 0]);
    const wide = await lime(4, game, { samples: 2000, seed: 5, kernelWidth: 1e3, ridge: 0 });
    const narrow = await lime(4, game, { samples: 2000, seed: 5, kernelWidth: 0.25, ridge: 0 });
    // Unweighted regression on uniform bits: 2z₀z₁ projects to z₀ + z₁ − ½, so coefficients 0 and
    // 2 are 1 up to sampling error (measured within 0.05 over seeds 1..5); the image kernel gives
    // x₀ about 1.55 (measured 1.52..1.61).
    for (const i of [0, 1, 2]) expect(Math.abs(wide.coefficients[i] - 1), `wide, player ${i}`).toBeLessThan(0.1);
    expect(narrow.coefficients[0]).toBeGreaterThan(1.3);
    expect(Math.abs(narrow.coefficients[2] - 1)).toBeLessThan(0.1);
  });

  it('rejects parameters that make no regression', async () => {
    const game = featureGame(linear, ones, zeros);
    await expect(lime(8, game, { samples: 1, seed: 1, kernelWidth: 0.25, ridge: 1 })).rejects.toThrow(/LIME needs a whole number of samples ≥ 2/);
    await expect(lime(8, game, { samples: 5, seed: 1, kernelWidth: 0.25, ridge: 0 })).rejects.toThrow(/do not determine the coefficients of 8 players/);
    expect(() => limeMethod.params.parse({ kernelWidth: 0 })).toThrow();
    expect(limeMethod.params.parse({})).toMatchObject({ players: 'slic', segments: 50, samples: 1000, kernelWidth: 0.25, ridge: 1 });
  });
});
