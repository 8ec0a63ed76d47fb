import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../tf/node';
import { marginalVariance, type Moments } from './moments';
import { rectifiedGaussian } from './rectifiedGaussian';
import { propagateRelu } from './relu';
import { compareWithMonteCarlo } from './testing/compareWithMonteCarlo';
import { randomSpec, specMoments } from './testing/randomGaussians';

const SAMPLES = 60_000;
const UNITS = [4, 4, 2];
/** Where a rule is exact, as for the affine rules: 5 MC standard errors (see affine.test.ts). */
const Z = 5;
const relu = (y: tf.Tensor) => tf.relu(y);

describe('ADF ReLU rule against Monte Carlo', () => {
  beforeAll(async () => {
    await setupNodeBackend('wasm');
  });

  it('diag: the exact rectified-Gaussian mean and variance', () => {
    const d = compareWithMonteCarlo(UNITS, 'diag', propagateRelu, relu, { samples: SAMPLES, seed: 300 });
    expect(d.meanZ, JSON.stringify(d)).toBeLessThan(Z);
    expect(d.varianceZ, JSON.stringify(d)).toBeLessThan(Z);
  });

  it('lowrank: exact mean and factor (output covariance with the input directions), variance underestimated', () => {
    const d = compareWithMonteCarlo(UNITS, 'lowrank', propagateRelu, relu, { samples: SAMPLES, seed: 310 });
    const report = JSON.stringify(d);
    // σ² = Σ_r Q_r² is the true input variance here, so μ' is exact; Q' = F(η)Q is the exact
    // covariance Cov(relu(z), z_r) (Stein's lemma).
    expect(d.meanZ, report).toBeLessThan(Z);
    expect(d.factorZ, report).toBeLessThan(Z);
    // Its variance F²v drops the part of relu(z) not linear in z: no unit above MC beyond
    // noise, and 13% of the total variance missing here (measured ratio 0.87).
    expect(d.varianceExcessZ, report).toBeLessThan(Z);
    expect(d.varianceRatio, report).toBeLessThan(0.95);
  });

  it('lowrank-diag: exact mean, variance and factor', () => {
    const d = compareWithMonteCarlo(UNITS, 'lowrank-diag', propagateRelu, relu, { samples: SAMPLES, seed: 320 });
    const report = JSON.stringify(d);
    expect(d.meanZ, report).toBeLessThan(Z);
    expect(d.varianceZ, report).toBeLessThan(Z);
    expect(d.factorZ, report).toBeLessThan(Z);
  });
});

describe('ADF ReLU rule: marginal variances of the low-rank modes', () => {
  beforeAll(async () => {
    await setupNodeBackend('wasm');
  });

  it('METHODS.md\'s one-unit example: 0.68 (lowrank) against the exact 0.86 (lowrank-diag)', () => {
    // z ~ N(0.3, 2) as one rank-1 factor √2: F(0.3/√2)² · 2 = 0.682107 and the exact 0.857756
    // of fixtures/adf.json; float32 erf keeps both within 1e-5.
    const [lowrank, exact] = tf.tidy(() => {
      const mean = tf.tensor2d([[0.3]]);
      const factor = tf.tensor3d([[[Math.SQRT2]]]);
      const out = (m: Moments) => marginalVariance(propagateRelu(m)).dataSync()[0];
      return [
        out({ mode: 'lowrank', mean, factor }),
        out({ mode: 'lowrank-diag', mean, factor, residual: tf.zeros([1, 1]) }),
      ];
    });
    expect(Math.abs(lowrank - 0.682107)).toBeLessThan(1e-5);
    expect(Math.abs(exact - 0.857756)).toBeLessThan(1e-5);
  });

  it('lowrank-diag gives every unit its exact rectified-Gaussian variance; lowrank never more', () => {
    // Both compared with the diag rule on the marginals (Σ_r Q_r² + residual): the same float32
    // formula, so 1e-6 covers rounding of values of order 1.
    const gaps = tf.tidy(() => {
      const input = specMoments([randomSpec(UNITS, 'lowrank-diag', 330), randomSpec(UNITS, 'lowrank-diag', 331)], 'lowrank-diag');
      const exact = rectifiedGaussian(input.mean, marginalVariance(input)).variance;
      const ld = marginalVariance(propagateRelu(input));
      if (input.mode !== 'lowrank-diag') throw new Error('unreachable');
      const lowrankInput: Moments = { mode: 'lowrank', mean: input.mean, factor: input.factor };
      const lowrankExact = rectifiedGaussian(input.mean, marginalVariance(lowrankInput)).variance;
      const lr = marginalVariance(propagateRelu(lowrankInput));
      return {
        ld: tf.max(tf.abs(tf.sub(ld, exact))).dataSync()[0],
        lrExcess: tf.max(tf.sub(lr, lowrankExact)).dataSync()[0],
        lrShortfall: tf.mean(tf.sub(lowrankExact, lr)).dataSync()[0],
      };
    });
    expect(gaps.ld).toBeLessThan(1e-6);
    expect(gaps.lrExcess).toBeLessThan(1e-6);
    expect(gaps.lrShortfall).toBeGreaterThan(0.01);
  });
});
