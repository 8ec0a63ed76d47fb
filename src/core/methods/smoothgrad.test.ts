import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../tf/node';
import { netFromLayersModel } from '../net/fromLayersModel';
import { gradientMethod } from './gradient';
import { smoothgradMethod } from './smoothgrad';
import { getMethod, parseMethodParams } from './registry';
import { denseModel, linearNet, seededInput, smallReluNet } from './testing/gradientFamilyNets';
import { explainWithoutLeaks, expectAbortsBeforeAndDuring, expectOneInputAtATime } from './testing/methodChecks';

const defaults = { noiseLevel: 0.15, samples: 25, variant: 'plain' } as const;
const variants = ['plain', 'squared', 'vargrad'] as const;

/** Standard normal distribution function, by the Abramowitz–Stegun 7.1.26 erf (error < 1.5e-7). */
function normalCdf(t: number): number {
  const z = Math.abs(t) / Math.SQRT2;
  const k = 1 / (1 + 0.3275911 * z);
  const erf = 1 - k * (0.254829592 + k * (-0.284496736 + k * (1.421413741 + k * (-1.453152027 + k * 1.061405429)))) * Math.exp(-z * z);
  return t >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

describe('SmoothGrad', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`on a linear model equals the gradient exactly, whatever the noise (${backend})`, async () => {
      // ∂Φ/∂x = w does not depend on x, so every noisy gradient is the same float32 vector; the
      // float64 mean of equal values is that value, and VarGrad is exactly 0.
      await setupNodeBackend(backend);
      const { model, net } = linearNet();
      const x = tf.tensor4d(seededInput(), [1, 8, 8, 1]);
      const raw = await gradientMethod.explain(net, x, 1, { variant: 'raw' }, {});
      const squared = await gradientMethod.explain(net, x, 1, { variant: 'squared' }, {});
      const p = { noiseLevel: 0.5, samples: 40, variant: 'plain' } as const;
      expect((await smoothgradMethod.explain(net, x, 1, p, { seed: 3 })).relevance).toEqual(raw.relevance);
      expect((await smoothgradMethod.explain(net, x, 1, { ...p, variant: 'squared' }, { seed: 3 })).relevance).toEqual(squared.relevance);
      expect((await smoothgradMethod.explain(net, x, 1, { ...p, variant: 'vargrad' }, { seed: 3 })).relevance).toEqual(new Float32Array(64));
      x.dispose();
      model.dispose();
    });

    it(`with noise level 0 equals the plain gradient (plain, squared) and has VarGrad 0 (${backend})`, async () => {
      // With σ = 0 every sample is x itself. A batch of 16 gives the same float32 gradient as a
      // single input on this net (measured bit for bit on cpu and wasm, all three targets), so the
      // comparison is exact.
      await setupNodeBackend(backend);
      const { model, net } = smallReluNet();
      const x = tf.tensor4d(seededInput(), [1, 8, 8, 1]);
      const raw = await gradientMethod.explain(net, x, 2, { variant: 'raw' }, {});
      const squared = await gradientMethod.explain(net, x, 2, { variant: 'squared' }, {});
      const p = { noiseLevel: 0, samples: 20, variant: 'plain' } as const;
      expect((await smoothgradMethod.explain(net, x, 2, p, { seed: 1 })).relevance).toEqual(raw.relevance);
      expect((await smoothgradMethod.explain(net, x, 2, { ...p, variant: 'squared' }, { seed: 1 })).relevance).toEqual(squared.relevance);
      expect((await smoothgradMethod.explain(net, x, 2, { ...p, variant: 'vargrad' }, { seed: 1 })).relevance).toEqual(new Float32Array(64));
      x.dispose();
      model.dispose();
    });
  }

  describe('on a seeded ReLU conv net (wasm)', () => {
    beforeAll(async () => {
      await setupNodeBackend('wasm');
    });

    it('gives the identical map for the same seed and a different one for another seed', async () => {
      const { model, net } = smallReluNet();
      const x = tf.tensor4d(seededInput(), [1, 8, 8, 1]);
      for (const variant of variants) {
        const a = await smoothgradMethod.explain(net, x, 0, { ...defaults, variant }, { seed: 5 });
        const b = await smoothgradMethod.explain(net, x, 0, { ...defaults, variant }, { seed: 5 });
        const c = await smoothgradMethod.explain(net, x, 0, { ...defaults, variant }, { seed: 6 });
        expect(b.relevance).toEqual(a.relevance);
        expect(c.relevance).not.toEqual(a.relevance);
      }
      x.dispose();
      model.dispose();
    });

    it('VarGrad is ≥ 0 everywhere and > 0 where the noise flips ReLUs; SmoothGrad² = VarGrad + SmoothGrad² of the mean', async () => {
      const { model, net } = smallReluNet();
      const x = tf.tensor4d(seededInput(), [1, 8, 8, 1]);
      const p = { noiseLevel: 0.3, samples: 64 };
      const plain = (await smoothgradMethod.explain(net, x, 0, { ...p, variant: 'plain' }, { seed: 2 })).relevance;
      const squared = (await smoothgradMethod.explain(net, x, 0, { ...p, variant: 'squared' }, { seed: 2 })).relevance;
      const vargrad = (await smoothgradMethod.explain(net, x, 0, { ...p, variant: 'vargrad' }, { seed: 2 })).relevance;
      for (const v of vargrad) expect(v).toBeGreaterThanOrEqual(0);
      // Level 0.3 flips ReLUs for every pixel's receptive field: measured VarGrad 4e-6 to 2.3e-3.
      expect(vargrad.filter((v) => v > 0).length).toBe(64);
      // E[g²] = Var g + (E g)², each side rounded to float32 once: agree to 1e-6 relative.
      for (let i = 0; i < 64; i++) {
        expect(Math.abs(squared[i] - (vargrad[i] + plain[i] ** 2))).toBeLessThanOrEqual(1e-6 * squared[i] + 1e-12);
      }
      x.dispose();
      model.dispose();
    });

    it('reports σ = level × (max x − min x), counts one pass per sample, reports progress per batch of 16, leaks nothing', async () => {
      const { model, net } = smallReluNet();
      const xs = seededInput();
      const x = tf.tensor4d(xs, [1, 8, 8, 1]);
      const range = Math.max(...xs) - Math.min(...xs);
      const { result: e, progress } = await explainWithoutLeaks((onProgress) =>
        smoothgradMethod.explain(net, x, 1, { ...defaults, samples: 40 }, { seed: 4, onProgress }));
      expect(e.extras?.sigma).toBeCloseTo(0.15 * range, 12);
      expect(e.passes).toEqual({ forward: 40, backward: 40 });
      expect(progress).toEqual([16 / 40, 32 / 40, 1]);
      expect(e.shape).toEqual([1, 8, 8, 1]);
      x.dispose();
      model.dispose();
    });

    it('stops with AbortedError when aborted before or during the run, leaving no tensors', async () => {
      await expectAbortsBeforeAndDuring(smoothgradMethod, defaults, { ...defaults, samples: 64 });
    });

    it('Monte Carlo: on Φ = relu(x₀) the mean gradient is P(x₀ + σε > 0) = F(x₀/σ), within 4 standard errors', async () => {
      // Input (0.3, 2.3): range 2, so level 0.25 gives σ = 0.5 and E[∂Φ/∂x₀] = F(0.6) = 0.7257.
      // (Had σ ignored the range, σ = 0.25 would give F(1.2) = 0.885.) Each sample's gradient is
      // 0 or 1, so with N = 2000 the standard error is √(p(1 − p)/N) = 0.010; we allow 4 of them.
      // Measured (seed 9): 0.722, 0.4 standard errors off.
      const model = denseModel(2, [{ kernel: [[1], [0]], activation: 'relu' }]);
      const net = netFromLayersModel(model);
      const x = tf.tensor4d([0.3, 2.3], [1, 1, 2, 1]);
      const samples = 2000;
      const e = await smoothgradMethod.explain(net, x, 0, { noiseLevel: 0.25, samples, variant: 'plain' }, { seed: 9 });
      const p = normalCdf(0.3 / 0.5);
      expect(p).toBeCloseTo(0.7257, 4);
      const se = Math.sqrt((p * (1 - p)) / samples);
      expect(Math.abs(e.relevance[0] - p)).toBeLessThan(4 * se);
      expect(e.relevance[1]).toBe(0);
      // The gradient is Bernoulli, so its variance is p̂(1 − p̂) exactly (VarGrad, population form).
      const v = await smoothgradMethod.explain(net, x, 0, { noiseLevel: 0.25, samples, variant: 'vargrad' }, { seed: 9 });
      expect(v.relevance[0]).toBeCloseTo(e.relevance[0] * (1 - e.relevance[0]), 6);
      x.dispose();
      model.dispose();
    });

    it('explains one input at a time', async () => {
      await expectOneInputAtATime(smoothgradMethod, defaults, 3, 'SmoothGrad explains one input at a time; got a batch of 3.');
    });
  });

  it('is registered with the PAIR defaults (level 0.15, 25 samples, plain)', () => {
    const method = getMethod('smoothgrad');
    expect(parseMethodParams(method, {})).toEqual(defaults);
    expect(parseMethodParams(method, { noiseLevel: '0.3', samples: '64', variant: 'squared' }))
      .toEqual({ noiseLevel: 0.3, samples: 64, variant: 'squared' });
    expect(() => parseMethodParams(method, { samples: '2.5' })).toThrow(/parameter samples/);
  });
});
