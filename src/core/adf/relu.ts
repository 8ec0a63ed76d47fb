import * as tf from '@tensorflow/tfjs';
import { factorVariance, type Moments } from './moments';
import { rectifiedGaussian } from './rectifiedGaussian';

/**
 * ReLU in each mode (METHODS.md 1.1):
 * - diag: the exact rectified-Gaussian moments;
 * - lowrank (reference code): σ² = Σ_r Q_r² + EPS, μ' as for the rectified Gaussian,
 *   Q'_r = Q_r ⊙ F(η). Q'Q'ᵀ is the exact covariance of the outputs with the Gaussian input
 *   directions, so the marginal variance Σ_r Q'_r² = F²v underestimates the true v';
 * - lowrank-diag: total variance Σ_r Q_r² + residual, exact μ' and v', Q' = F(η)⊙Q and
 *   residual' = max(0, v' − Σ_r Q'_r²), so each unit's marginal variance is moment-matched.
 */
export function propagateRelu(m: Moments): Moments {
  switch (m.mode) {
    case 'diag': {
      const { mean, variance } = rectifiedGaussian(m.mean, m.variance);
      return { mode: 'diag', mean, variance };
    }
    case 'lowrank': {
      const { mean, cdf } = rectifiedGaussian(m.mean, factorVariance(m.factor));
      return { mode: 'lowrank', mean, factor: tf.mul(m.factor, tf.expandDims(cdf, 1)) };
    }
    case 'lowrank-diag': {
      const { mean, variance, cdf } = rectifiedGaussian(m.mean, tf.add(factorVariance(m.factor), m.residual));
      const factor = tf.mul(m.factor, tf.expandDims(cdf, 1));
      return { mode: 'lowrank-diag', mean, factor, residual: tf.relu(tf.sub(variance, factorVariance(factor))) };
    }
  }
}
