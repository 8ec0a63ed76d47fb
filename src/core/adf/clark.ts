import * as tf from '@tensorflow/tfjs';
import { normalCdf, normalPdf } from './normal';
import { EPS } from './rectifiedGaussian';

export interface GaussianMarginal { mean: tf.Tensor; variance: tf.Tensor }

export interface MaxMoments extends GaussianMarginal {
  /**
   * F(α) and F(−α). Clark (1961) also gives, for any g jointly Gaussian with (a, b),
   * Cov(max(a, b), g) = F(α) Cov(a, g) + F(−α) Cov(b, g): the low-rank rules mix the factors
   * of a and b with these weights.
   */
  weightA: tf.Tensor;
  weightB: tf.Tensor;
}

/**
 * Mean and variance of max(a, b) for jointly Gaussian a, b (Clark 1961; METHODS.md 1.1, max
 * pooling after Gast & Roth 2018), elementwise. `covariance` is Cov(a, b); pass null for the
 * independence of diag mode. θ² = v_a + v_b − 2c (+ EPS), α = (μ_a − μ_b)/θ,
 * μ = μ_a F(α) + μ_b F(−α) + θ f(α),
 * v = v_a F(α) + v_b F(−α) + θ²(α² F(α)F(−α) + α f(α)(F(−α) − F(α)) − f(α)²),
 * which equals Clark's E[max²] − μ² without its cancellation (the same rearrangement as the
 * rectified Gaussian, which is the case b ≡ 0).
 */
export function maxOfGaussians(a: GaussianMarginal, b: GaussianMarginal, covariance: tf.Tensor | null): MaxMoments {
  return tf.tidy(() => {
    const spread = tf.add(tf.add(a.variance, b.variance), EPS);
    const thetaSq = covariance ? tf.sub(spread, tf.mul(covariance, 2)) : spread;
    // A correlation rounded above 1 must not make θ² negative.
    const theta = tf.sqrt(tf.maximum(thetaSq, EPS));
    const alpha = tf.div(tf.sub(a.mean, b.mean), theta);
    const weightA = normalCdf(alpha);
    const weightB = normalCdf(tf.neg(alpha));
    const pdf = normalPdf(alpha);
    const mean = tf.addN([tf.mul(a.mean, weightA), tf.mul(b.mean, weightB), tf.mul(theta, pdf)]);
    const bracket = tf.sub(
      tf.add(tf.mul(tf.square(alpha), tf.mul(weightA, weightB)), tf.mul(tf.mul(alpha, pdf), tf.sub(weightB, weightA))),
      tf.square(pdf),
    );
    const variance = tf.relu(tf.addN([
      tf.mul(a.variance, weightA), tf.mul(b.variance, weightB), tf.mul(tf.square(theta), bracket),
    ]));
    return { mean, variance, weightA, weightB };
  });
}
