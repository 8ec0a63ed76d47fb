import * as tf from '@tensorflow/tfjs';
import type { ReferenceDistribution } from './distribution';
import { tfSeed } from '../util/tfSeed';

/**
 * The Gaussian noise n ~ V used to obfuscate the non-relevant part of the input
 * (METHODS.md 1, 1.4): mean μ, covariance LᵀL from the first `rank` rows of the factor, plus a
 * diagonal residual that restores each component's variance (var − Σ_r L_r², floored at 0).
 * Rank 0 is the diagonal Gaussian N(μ, diag var).
 */
export interface NoiseModel {
  d: number;
  rank: number;
  mean: tf.Tensor1D;
  /** rank x d, or null at rank 0. */
  factor: tf.Tensor2D | null;
  /** Per-component standard deviation not explained by the factor. */
  residualStd: tf.Tensor1D;
}

export function checkRank(reference: ReferenceDistribution, rank: number): void {
  if (!Number.isInteger(rank) || rank < 0) throw new Error(`The covariance rank must be a whole number ≥ 0; got ${rank}.`);
  if (rank > reference.rank) throw new Error(`Rank ${rank} is above the ${reference.rank} the reference distribution holds.`);
}

export function noiseModel(reference: ReferenceDistribution, rank: number): NoiseModel {
  checkRank(reference, rank);
  const d = reference.mean.length;
  const residual = new Float32Array(d);
  for (let i = 0; i < d; i++) {
    let explained = 0;
    for (let r = 0; r < rank; r++) explained += reference.factor[r * d + i] ** 2;
    residual[i] = Math.sqrt(Math.max(0, reference.variance[i] - explained));
  }
  return {
    d, rank,
    mean: tf.tensor1d(reference.mean),
    factor: rank > 0 ? tf.tensor2d(reference.factor.subarray(0, rank * d), [rank, d]) : null,
    residualStd: tf.tensor1d(residual),
  };
}

export function disposeNoiseModel(noise: NoiseModel): void {
  tf.dispose([noise.mean, noise.residualStd, ...(noise.factor ? [noise.factor] : [])]);
}

/** n samples [n, d]: μ + z L + residualStd ⊙ ε with z, ε standard normal (seeded). */
export function sampleNoise(noise: NoiseModel, n: number, seed: number): tf.Tensor2D {
  return tf.tidy(() => {
    let out: tf.Tensor = tf.add(noise.mean, tf.mul(tf.randomNormal([n, noise.d], 0, 1, 'float32', tfSeed(seed)), noise.residualStd));
    if (noise.factor) out = tf.add(out, tf.matMul(tf.randomNormal([n, noise.rank], 0, 1, 'float32', tfSeed(seed + 1)), noise.factor));
    return out as tf.Tensor2D;
  });
}
