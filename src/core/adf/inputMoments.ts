import * as tf from '@tensorflow/tfjs';
import type { ReferenceDistribution } from '../reference/distribution';
import type { AdfMode, Moments } from './moments';

/**
 * The reference distribution V as tensors for ADF: mean and variance [H, W, C], the first
 * `rank` rows of the low-rank factor L as [rank, H, W, C] (row r of the stored rank × d matrix,
 * d in NHWC order), and the variance the factor leaves out, max(0, var − Σ_r L_r²).
 * Upload once per (reference, rank) and reuse across optimisation steps; dispose the result.
 */
export interface ReferenceTensors {
  mean: tf.Tensor3D;
  variance: tf.Tensor3D;
  factor: tf.Tensor4D;
  residual: tf.Tensor3D;
}

export function referenceTensors(reference: ReferenceDistribution, rank: number): ReferenceTensors {
  if (!Number.isInteger(rank) || rank < 0 || rank > reference.rank) {
    throw new Error(`ADF rank must be an integer from 0 to the reference's rank ${reference.rank}; got ${rank}.`);
  }
  const shape = reference.shape;
  const d = shape[0] * shape[1] * shape[2];
  return tf.tidy(() => {
    const variance = tf.tensor3d(reference.variance, shape);
    const factor = tf.tensor4d(reference.factor.subarray(0, rank * d), [rank, ...shape]);
    return {
      mean: tf.tensor3d(reference.mean, shape),
      variance,
      factor,
      residual: tf.relu(tf.sub(variance, tf.sum(tf.square(factor), 0))) as tf.Tensor3D,
    };
  });
}

/**
 * Moments of the obfuscation y = s⊙x + (1−s)⊙n, n ~ V, for a batch of masks s [b, H, W, C]
 * and an input x [1 or b, H, W, C] (METHODS.md 1, Obfuscation): E[y] = s⊙x + (1−s)⊙E[n];
 * diag: Var[y] = (1−s)²⊙var; low-rank: Q = diag(1−s)L as [b, rank, H, W, C]; lowrank-diag adds
 * the residual (1−s)²⊙max(0, var − Σ_r L_r²).
 */
export function inputMoments(x: tf.Tensor4D, s: tf.Tensor4D, reference: ReferenceTensors, mode: AdfMode): Moments {
  if (mode !== 'diag' && reference.factor.shape[0] === 0) {
    throw new Error(`ADF mode ${mode} needs a reference factor of rank at least 1.`);
  }
  return tf.tidy(() => {
    const keep = tf.sub(1, s);
    const mean = tf.add(tf.mul(s, x), tf.mul(keep, reference.mean));
    switch (mode) {
      case 'diag': return { mode, mean, variance: tf.mul(tf.square(keep), reference.variance) };
      case 'lowrank': return { mode, mean, factor: tf.mul(tf.expandDims(keep, 1), reference.factor) };
      case 'lowrank-diag':
        return {
          mode, mean,
          factor: tf.mul(tf.expandDims(keep, 1), reference.factor),
          residual: tf.mul(tf.square(keep), reference.residual),
        };
    }
  });
}
