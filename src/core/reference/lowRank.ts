import * as tf from '@tensorflow/tfjs';
import { symmetricEigen } from './symmetricEigen';
import { gaussian, mulberry32 } from '../util/random';

/** Unbiased covariance (d x d, float32) of row-major samples around a given mean. */
export function covariance(data: Float32Array, rows: number, mean: ArrayLike<number>): tf.Tensor2D {
  const d = mean.length;
  return tf.tidy(() => {
    const x = tf.sub(tf.tensor2d(data, [rows, d]), tf.tensor1d(Float32Array.from(mean)));
    return tf.div(tf.matMul(x, x, true, false), rows - 1) as tf.Tensor2D;
  });
}

/** Orthonormalises the columns of a d x k matrix (modified Gram–Schmidt, twice for stability). */
function orthonormalColumns(m: Float64Array, d: number, k: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < k; j++) {
      for (let i = 0; i < j; i++) {
        let dot = 0;
        for (let r = 0; r < d; r++) dot += m[r * k + i] * m[r * k + j];
        for (let r = 0; r < d; r++) m[r * k + j] -= dot * m[r * k + i];
      }
      let norm = 0;
      for (let r = 0; r < d; r++) norm += m[r * k + j] ** 2;
      norm = Math.sqrt(norm) || 1;
      for (let r = 0; r < d; r++) m[r * k + j] /= norm;
    }
  }
}

/**
 * The low-rank factor L (rank x d) with LᵀL ≈ C, from the top eigenpairs of the covariance:
 * L = diag(√λ) Vᵀ, the same as the truncated SVD of the centred data, L = (V S)ᵀ/√(N−1)
 * (METHODS.md 1.4). Found by subspace iteration with Rayleigh–Ritz, which needs only
 * products C·Q (fast on any tfjs backend).
 */
export function lowRankFactor(cov: tf.Tensor2D, rank: number, opts: { oversample?: number; iterations?: number; seed?: number } = {}): { factor: Float32Array; eigenvalues: Float64Array } {
  const d = cov.shape[0];
  if (rank < 1 || rank > d) throw new Error(`Rank must be between 1 and ${d}; got ${rank}.`);
  const k = Math.min(d, rank + (opts.oversample ?? 16));
  const iterations = opts.iterations ?? 40;
  const normal = gaussian(mulberry32(opts.seed ?? 1));
  const q = Float64Array.from({ length: d * k }, () => normal());
  orthonormalColumns(q, d, k);
  for (let it = 0; it < iterations; it++) {
    const z = tf.tidy(() => tf.matMul(cov, tf.tensor2d(Float32Array.from(q), [d, k])).dataSync());
    q.set(z);
    orthonormalColumns(q, d, k);
  }
  // Rayleigh–Ritz: B = Qᵀ C Q (k x k), its eigenvectors rotate Q onto the eigenvectors of C.
  const b = tf.tidy(() => {
    const qt = tf.tensor2d(Float32Array.from(q), [d, k]);
    return tf.matMul(qt, tf.matMul(cov, qt), true, false).dataSync();
  });
  const bSym = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) bSym[i * k + j] = 0.5 * (b[i * k + j] + b[j * k + i]);
  const { values, vectors } = symmetricEigen(bSym, k);
  const factor = new Float32Array(rank * d);
  for (let p = 0; p < rank; p++) {
    const scale = Math.sqrt(Math.max(0, values[p]));
    for (let r = 0; r < d; r++) {
      let v = 0;
      for (let j = 0; j < k; j++) v += q[r * k + j] * vectors[p * k + j];
      factor[p * d + r] = scale * v;
    }
  }
  return { factor, eigenvalues: values.slice(0, rank) };
}
