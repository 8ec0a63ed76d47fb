import * as tf from '@tensorflow/tfjs';
import type { ReferenceDistribution } from '../reference/distribution';
import type { AdfMode, Moments } from './moments';

/**
 * The reference distribution V as tensors for ADF: mean and variance [H, W, C], the first
 * `rank` rows of the low-rank factor L as [rank, H, W, C] (row r of the stored rank × d matrix,
 * d in NHWC order), and the variance the factor leaves out, max(0, var − Σ_r L_r²).
 * At rank 0 there is no factor (null, not a [0, H, W, C] tensor: WebGL fails on zero-size
 * tensors) and the residual is the variance itself.
 * Upload once per (reference, rank) and reuse across optimisation steps; dispose the result
 * with disposeReferenceTensors.
 */
export interface ReferenceTensors {
  mean: tf.Tensor3D;
  variance: tf.Tensor3D;
  factor: tf.Tensor4D | null;
  residual: tf.Tensor3D;
}

export function referenceTensors(reference: ReferenceDistribution, rank: number): ReferenceTensors {
  if (!Number.isInteger(rank) || rank < 0 || rank > reference.rank) {
    throw new Error(`ADF rank must be an integer from 0 to the reference's rank ${reference.rank}; got ${rank}.`);
  }
  const shape = reference.shape;
  const d = shape[0] * shape[1] * shape[2];
  const mean = tf.tensor3d(reference.mean, shape);
  const variance = tf.tensor3d(reference.variance, shape);
  if (rank === 0) return { mean, variance, factor: null, residual: variance };
  const factor = tf.tensor4d(reference.factor.subarray(0, rank * d), [rank, ...shape]);
  const residual = tf.tidy(() => tf.relu(tf.sub(variance, tf.sum(tf.square(factor), 0))) as tf.Tensor3D);
  return { mean, variance, factor, residual };
}

export function disposeReferenceTensors(t: ReferenceTensors): void {
  const all: Array<tf.Tensor | null> = [t.mean, t.variance, t.factor, t.residual];
  tf.dispose([...new Set(all)].filter((x): x is tf.Tensor => x !== null));
}

/**
 * Moments of the obfuscation y = s⊙x + (1−s)⊙n, n ~ V, for a batch of masks s [b, H, W, C]
 * and an input x [1 or b, H, W, C] (METHODS.md 1, Obfuscation): E[y] = s⊙x + (1−s)⊙E[n];
 * diag: Var[y] = (1−s)²⊙var; low-rank: Q = diag(1−s)L as [b, rank, H, W, C]; lowrank-diag adds
 * the residual (1−s)²⊙max(0, var − Σ_r L_r²).
 */
export function inputMoments(x: tf.Tensor4D, s: tf.Tensor4D, reference: ReferenceTensors, mode: AdfMode): Moments {
  const factor = reference.factor;
  if (mode !== 'diag' && factor === null) {
    throw new Error(`ADF mode ${mode} needs a reference factor of rank at least 1.`);
  }
  return tf.tidy(() => {
    const keep = tf.sub(1, s);
    const mean = tf.add(tf.mul(s, x), tf.mul(keep, reference.mean));
    // factor is null only in diag mode (checked above).
    if (mode === 'diag' || factor === null) return { mode: 'diag' as const, mean, variance: tf.mul(tf.square(keep), reference.variance) };
    const q = tf.mul(tf.expandDims(keep, 1), factor);
    return mode === 'lowrank'
      ? { mode, mean, factor: q }
      : { mode, mean, factor: q, residual: tf.mul(tf.square(keep), reference.residual) };
  });
}
