import * as tf from '@tensorflow/tfjs';

/**
 * The three ADF modes (METHODS.md 1.1): a diagonal covariance; the reference code's low-rank
 * covariance QQᵀ; and low rank plus a diagonal residual, QQᵀ + diag(residual).
 */
export type AdfMode = 'diag' | 'lowrank' | 'lowrank-diag';

/** Means and variances have the shape [batch, ...unitShape]. */
export interface DiagMoments { mode: 'diag'; mean: tf.Tensor; variance: tf.Tensor }
/** The factor has the shape [batch, rank, ...unitShape]: the rank axis right after the batch. */
export interface LowRankMoments { mode: 'lowrank'; mean: tf.Tensor; factor: tf.Tensor }
export interface LowRankDiagMoments { mode: 'lowrank-diag'; mean: tf.Tensor; factor: tf.Tensor; residual: tf.Tensor }

export type Moments = DiagMoments | LowRankMoments | LowRankDiagMoments;

/** Σ_r Q_r², the variance each unit gets from the factor. */
export function factorVariance(factor: tf.Tensor): tf.Tensor {
  return tf.sum(tf.square(factor), 1);
}

/** The variance of every unit: v, Σ_r Q_r², or Σ_r Q_r² + residual. */
export function marginalVariance(m: Moments): tf.Tensor {
  switch (m.mode) {
    case 'diag': return m.variance;
    case 'lowrank': return factorVariance(m.factor);
    case 'lowrank-diag': return tf.add(factorVariance(m.factor), m.residual);
  }
}

/** Every tensor the moments hold, to dispose. */
export function momentTensors(m: Moments): tf.Tensor[] {
  switch (m.mode) {
    case 'diag': return [m.mean, m.variance];
    case 'lowrank': return [m.mean, m.factor];
    case 'lowrank-diag': return [m.mean, m.factor, m.residual];
  }
}

/**
 * Applies a map meant for a batch of unit-shaped tensors to every rank slice of a factor:
 * [batch, rank, ...u] → [batch·rank, ...u] → f → [batch, rank, ...u'] (one op for all slices).
 */
export function mapRankSlices(factor: tf.Tensor, f: (slices: tf.Tensor) => tf.Tensor): tf.Tensor {
  const [batch, rank, ...unit] = factor.shape;
  const out = f(tf.reshape(factor, [batch * rank, ...unit]));
  return tf.reshape(out, [batch, rank, ...out.shape.slice(1)]);
}
