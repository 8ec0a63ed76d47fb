import * as tf from '@tensorflow/tfjs';
import { gaussian, mulberry32 } from '../../util/random';

/**
 * Test support: a Gaussian written as y = mean + Σ_r z_r factor_r + √diag ⊙ ε with z, ε
 * independent standard normals (rank 0: no factor; diag zero: no independent part), and the
 * Monte-Carlo moments of a function of it. The latent z make the low-rank factor measurable:
 * for any output g, E[(g − c) z_r] is the covariance of g with direction r, which is what an
 * ADF factor claims to be.
 */
export interface GaussianSpec {
  unitShape: number[];
  mean: Float32Array;
  /** rank × d, row-major. */
  factor: Float32Array;
  rank: number;
  diag: Float32Array;
}

export interface EmpiricalMoments {
  count: number;
  mean: Float64Array;
  variance: Float64Array;
  /** Standard errors of the two estimates: √(v/N) and √((m₄ − v²)/N). */
  meanError: Float64Array;
  varianceError: Float64Array;
  /** E[(g − c) z_r], rank × units, and its standard error. */
  cross: Float64Array;
  crossError: Float64Array;
}

/** Moments of f(y) per output unit from `count` samples, in chunks; f maps [n, ...unitShape] to [n, ...]. */
export function empiricalMoments(
  spec: GaussianSpec, f: (y: tf.Tensor) => tf.Tensor, count: number, seed: number, chunk = 10_000,
): EmpiricalMoments {
  const d = spec.mean.length;
  const normal = gaussian(mulberry32(seed));
  const sqrtDiag = Float32Array.from(spec.diag, Math.sqrt);
  const shift: number[] = [];
  let sums: Float64Array[] = [];
  let cross = new Float64Array(0);
  let crossSq = new Float64Array(0);
  for (let done = 0; done < count; done += chunk) {
    const n = Math.min(chunk, count - done);
    const z = Float32Array.from({ length: n * spec.rank }, normal);
    const e = Float32Array.from({ length: n * d }, normal);
    const out = tf.tidy(() => {
      let y = tf.add(tf.mul(tf.tensor2d(e, [n, d]), tf.tensor1d(sqrtDiag)), tf.tensor1d(spec.mean));
      const zt = tf.tensor2d(z, [n, spec.rank]);
      if (spec.rank > 0) y = tf.add(y, tf.matMul(zt, tf.tensor2d(spec.factor, [spec.rank, d])));
      const g = tf.reshape(f(tf.reshape(y, [n, ...spec.unitShape])), [n, -1]);
      // The first chunk's mean becomes the shift c, so the power sums do not cancel.
      if (shift.length === 0) shift.push(...tf.mean(g, 0).dataSync());
      const c = tf.sub(g, tf.tensor1d(shift));
      const c2 = tf.square(c);
      // Products, not tf.pow: pow has no fast kernel on wasm.
      const powers = [c, c2, tf.mul(c2, c), tf.square(c2)].map((t) => tf.sum(t, 0));
      const withZ = spec.rank > 0 ? [tf.matMul(zt, c, true), tf.matMul(tf.square(zt), tf.square(c), true)] : [];
      return [...powers, ...withZ].map((t) => t.dataSync());
    });
    if (sums.length === 0) {
      sums = out.slice(0, 4).map((s) => new Float64Array(s.length));
      cross = new Float64Array(spec.rank * sums[0].length);
      crossSq = new Float64Array(cross.length);
    }
    out.slice(0, 4).forEach((s, p) => s.forEach((v, i) => { sums[p][i] += v; }));
    if (spec.rank > 0) {
      out[4].forEach((v, i) => { cross[i] += v; });
      out[5].forEach((v, i) => { crossSq[i] += v; });
    }
  }
  const units = sums[0].length;
  const result: EmpiricalMoments = {
    count,
    mean: new Float64Array(units), variance: new Float64Array(units),
    meanError: new Float64Array(units), varianceError: new Float64Array(units),
    cross: cross.map((v) => v / count), crossError: new Float64Array(cross.length),
  };
  for (let i = 0; i < units; i++) {
    const [m1, m2, m3, m4] = sums.map((s) => s[i] / count);
    const v = m2 - m1 * m1;
    const central4 = m4 - 4 * m1 * m3 + 6 * m1 * m1 * m2 - 3 * m1 ** 4;
    result.mean[i] = shift[i] + m1;
    result.variance[i] = (v * count) / (count - 1);
    result.meanError[i] = Math.sqrt(v / count);
    result.varianceError[i] = Math.sqrt(Math.max(central4 - v * v, 0) / count);
  }
  for (let j = 0; j < cross.length; j++) {
    result.crossError[j] = Math.sqrt(Math.max(crossSq[j] / count - result.cross[j] ** 2, 0) / count);
  }
  return result;
}
