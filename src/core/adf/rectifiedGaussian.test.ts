import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../tf/node';
import { rectifiedGaussian } from './rectifiedGaussian';
import { maxOfGaussians } from './clark';

interface AdfFixture { cases: Array<{ mu: number; v: number; mean: number; var: number }>; tolerance: number }

const fixture = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../fixtures/adf.json', import.meta.url)), 'utf8'),
) as AdfFixture;

function moments(mu: number[], v: number[]): { mean: Float32Array; variance: Float32Array } {
  return tf.tidy(() => {
    const r = rectifiedGaussian(tf.tensor1d(mu), tf.tensor1d(v));
    return { mean: r.mean.dataSync() as Float32Array, variance: r.variance.dataSync() as Float32Array };
  });
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`rectified Gaussian moments (${backend})`, () => {
    it('match all cases of fixtures/adf.json within the fixture tolerance', async () => {
      await setupNodeBackend(backend);
      // The fixture gives 6 decimals and tolerance 1e-5; float32 evaluation of the formula
      // (erf to ~1e-7, values of order 1) stays well inside it.
      expect(fixture.cases).toHaveLength(4);
      const { mean, variance } = moments(fixture.cases.map((c) => c.mu), fixture.cases.map((c) => c.v));
      fixture.cases.forEach((c, i) => {
        expect(Math.abs(mean[i] - c.mean), `mean of case ${i}`).toBeLessThan(fixture.tolerance);
        expect(Math.abs(variance[i] - c.var), `variance of case ${i}`).toBeLessThan(fixture.tolerance);
      });
    });

    it('keeps float32 precision for a large mean and a small variance', async () => {
      await setupNodeBackend(backend);
      // z ~ N(30, 0.01) is positive with probability 1 − F(−300): relu(z) = z, moments (30, 0.01).
      // METHODS' literal form (μ² + v̂)F + μσf − μ'² subtracts 900 from 900.01, losing ~6e-5
      // (an ulp of 900) of 0.01; the rearranged form must keep the variance to ~1e-6 relative.
      const { mean, variance } = moments([30], [0.01]);
      expect(Math.abs(mean[0] - 30)).toBeLessThan(30 * 1e-6);
      expect(Math.abs(variance[0] - 0.01)).toBeLessThan(0.01 * 1e-5);
    });

    it('equals Clark\'s max(z, b) with b ≡ 0', async () => {
      await setupNodeBackend(backend);
      // relu(z) = max(z, 0): the two formulas share their algebra but not their code. Both are
      // float32 sums of O(1) terms, so 1e-6 is a few ulps.
      const mu = [-2, -0.5, 0, 0.3, 1.7];
      const v = [0.3, 1, 2, 0.05, 0.7];
      const [a, b] = tf.tidy(() => {
        const m = tf.tensor1d(mu);
        const s = tf.tensor1d(v);
        const relu = rectifiedGaussian(m, s);
        const max = maxOfGaussians({ mean: m, variance: s }, { mean: tf.zerosLike(m), variance: tf.zerosLike(s) }, null);
        return [tf.concat([relu.mean, relu.variance, relu.cdf]).dataSync(), tf.concat([max.mean, max.variance, max.weightA]).dataSync()];
      });
      a.forEach((x, i) => expect(Math.abs(x - b[i])).toBeLessThan(1e-6));
    });
  });
}
