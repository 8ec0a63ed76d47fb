import * as tf from '@tensorflow/tfjs';
import { normalCdf, normalPdf } from './normal';

/** Added to every variance before a square root (METHODS.md 1.1, ReLU: v̂ = v + EPS). */
export const EPS = 1e-7;

export interface RectifiedMoments {
  mean: tf.Tensor;
  variance: tf.Tensor;
  /**
   * F(η) = P(z > 0). Also Cov(relu(z), g)/Cov(z, g) for any g jointly Gaussian with z (Stein's
   * lemma), which is why the low-rank rules scale the factor by it.
   */
  cdf: tf.Tensor;
}

/**
 * Exact mean and variance of relu(z) for z ~ N(mean, variance), elementwise (METHODS.md 1.1):
 * v̂ = v + EPS, σ = √v̂, η = μ/σ, μ' = μF(η) + σf(η), v' = max(0, (μ² + v̂)F(η) + μσf(η) − μ'²).
 * Evaluated in the algebraically equal form μ' = σ(ηF + f),
 * v' = max(0, v̂ (F + η²F(1−F) + ηf(1−2F) − f²)), with 1−F taken as F(−η): it has no μ² − μ'²
 * cancellation, so a unit with a large mean and a small variance keeps float32 precision.
 */
export function rectifiedGaussian(mean: tf.Tensor, variance: tf.Tensor): RectifiedMoments {
  return tf.tidy(() => {
    const vHat = tf.add(variance, EPS);
    const sigma = tf.sqrt(vHat);
    const eta = tf.div(mean, sigma);
    const cdf = normalCdf(eta);
    const tail = normalCdf(tf.neg(eta));
    const pdf = normalPdf(eta);
    const outMean = tf.mul(sigma, tf.add(tf.mul(eta, cdf), pdf));
    const bracket = tf.sub(
      tf.addN([cdf, tf.mul(tf.square(eta), tf.mul(cdf, tail)), tf.mul(tf.mul(eta, pdf), tf.sub(tail, cdf))]),
      tf.square(pdf),
    );
    return { mean: outMean, variance: tf.relu(tf.mul(vHat, bracket)), cdf };
  });
}
