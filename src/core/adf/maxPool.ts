import * as tf from '@tensorflow/tfjs';
import type { GlobalMaxPoolLayer, MaxPoolLayer, Padding } from '../net/ir';
import { maxOfGaussians, type GaussianMarginal } from './clark';
import { factorVariance, type Moments } from './moments';

interface PoolGeometry { poolSize: [number, number]; strides: [number, number]; padding: Padding }

/**
 * Stands in for the mean of a position 'same' padding adds outside the image: so far below any
 * real unit that Clark's formula gives it weight F(−α) = 0 exactly in float32 (a padded
 * position never wins a max, as in tf.maxPool), yet small enough that its square (1e20) and
 * α² ≈ 1e20/EPS stay finite, so no NaN reaches a gradient.
 */
const OUTSIDE_MEAN = -1e10;

/**
 * The k = kh·kw elements of every pooling window, in row-major window order: k tensors of
 * shape [n, outH, outW, c]. A convolution of each channel plane with one-hot kernels picks
 * them (exact: products with 1 and 0), handles strides and padding as tf.maxPool does, and
 * has a gradient on every backend; zero padding fills positions outside the image.
 */
function windowElements(t: tf.Tensor, g: PoolGeometry): tf.Tensor[] {
  const [n, h, w, c] = t.shape;
  const [kh, kw] = g.poolSize;
  const k = kh * kw;
  const planes = tf.reshape(tf.transpose(t, [0, 3, 1, 2]), [n * c, h, w, 1]);
  const picked = tf.conv2d(planes as tf.Tensor4D, tf.reshape(tf.eye(k), [kh, kw, 1, k]) as tf.Tensor4D, g.strides, g.padding);
  const [, outH, outW] = picked.shape;
  return tf.unstack(tf.transpose(tf.reshape(picked, [n, c, outH, outW, k]), [4, 0, 2, 3, 1]));
}

/** Window elements of the means, with OUTSIDE_MEAN at positions outside the image. */
function meanWindowElements(mean: tf.Tensor, g: PoolGeometry): tf.Tensor[] {
  const [, h, w] = mean.shape as number[];
  const inside = windowElements(tf.ones([1, h, w, 1]), g);
  return windowElements(mean, g).map((m, i) => tf.add(m, tf.mul(tf.sub(1, inside[i]), OUTSIDE_MEAN)));
}

/** Window elements of a factor [b, r, h, w, c]: k tensors [b, r, outH, outW, c]. */
function factorWindowElements(factor: tf.Tensor, g: PoolGeometry): tf.Tensor[] {
  const [b, r, ...unit] = factor.shape;
  return windowElements(tf.reshape(factor, [b * r, ...unit]), g).map((q) => tf.reshape(q, [b, r, ...q.shape.slice(1)]));
}

interface LowRankUnit { mean: tf.Tensor; factor: tf.Tensor; residual: tf.Tensor }

/**
 * max(a, b) for two units of a low-rank mode. Clark's formula with the covariance the factors
 * imply, Cov(a, b) = Σ_r Q_a,r Q_b,r (residuals are independent), and total variances
 * Σ_r Q_r² + residual. The new factor is F(α)Q_a + F(−α)Q_b: by Clark's covariance formula
 * that is the exact covariance of the max with the Gaussian directions of the factor, the same
 * projection the reference code's ReLU makes (ReLU is max(z, 0)). The residual takes what
 * Clark's variance has beyond it, so the marginal variance is matched; what remains
 * approximate is only the Gaussian shape assumed for an intermediate max.
 */
function maxOfLowRank(a: LowRankUnit, b: LowRankUnit): LowRankUnit {
  const marginal = (u: LowRankUnit): GaussianMarginal => ({ mean: u.mean, variance: tf.add(factorVariance(u.factor), u.residual) });
  const max = maxOfGaussians(marginal(a), marginal(b), tf.sum(tf.mul(a.factor, b.factor), 1));
  const factor = tf.add(tf.mul(a.factor, tf.expandDims(max.weightA, 1)), tf.mul(b.factor, tf.expandDims(max.weightB, 1)));
  return { mean: max.mean, factor, residual: tf.relu(tf.sub(max.variance, factorVariance(factor))) };
}

/**
 * Max pooling as the max of the window's units taken pairwise in row-major order (METHODS.md
 * 1.1: Clark's formula, Gast & Roth 2018), each intermediate max treated as Gaussian. Diag
 * mode assumes the units independent; the low-rank modes use the covariance of the factor
 * (see maxOfLowRank). Lowrank mode has no residual: inside the window it starts from zero
 * residuals and keeps Clark's variance of the intermediate maxima for the next pair (so the
 * means stay as accurate as in lowrank-diag mode), and drops the residual of the result, so
 * its variance is the factor's Σ_r Q_r², an underestimate as at the reference code's ReLU.
 */
function poolMoments(m: Moments, g: PoolGeometry): Moments {
  const means = meanWindowElements(m.mean, g);
  if (m.mode === 'diag') {
    const variances = windowElements(m.variance, g);
    const max = means.slice(1).reduce<GaussianMarginal>(
      (acc, mean, i) => maxOfGaussians(acc, { mean, variance: variances[i + 1] }, null),
      { mean: means[0], variance: variances[0] },
    );
    return { mode: 'diag', mean: max.mean, variance: max.variance };
  }
  const factors = factorWindowElements(m.factor, g);
  const residuals = m.mode === 'lowrank-diag' ? windowElements(m.residual, g) : null;
  const unit = (i: number): LowRankUnit =>
    ({ mean: means[i], factor: factors[i], residual: residuals ? residuals[i] : tf.zerosLike(means[i]) });
  const max = means.slice(1).reduce((acc, _mean, i) => maxOfLowRank(acc, unit(i + 1)), unit(0));
  return m.mode === 'lowrank-diag'
    ? { mode: 'lowrank-diag', mean: max.mean, factor: max.factor, residual: max.residual }
    : { mode: 'lowrank', mean: max.mean, factor: max.factor };
}

export function propagateMaxPool(l: MaxPoolLayer, m: Moments): Moments {
  return poolMoments(m, l);
}

/** Global max pooling: one window over the whole map, then [b, c] (and [b, r, c] factors). */
export function propagateGlobalMaxPool(_l: GlobalMaxPoolLayer, m: Moments): Moments {
  const [, h, w] = m.mean.shape as number[];
  const pooled = poolMoments(m, { poolSize: [h, w], strides: [h, w], padding: 'valid' });
  const units = (t: tf.Tensor) => tf.reshape(t, [t.shape[0], -1]);
  const factorUnits = (t: tf.Tensor) => tf.reshape(t, [...(t.shape as number[]).slice(0, 2), -1]);
  switch (pooled.mode) {
    case 'diag': return { mode: 'diag', mean: units(pooled.mean), variance: units(pooled.variance) };
    case 'lowrank': return { mode: 'lowrank', mean: units(pooled.mean), factor: factorUnits(pooled.factor) };
    case 'lowrank-diag':
      return { mode: 'lowrank-diag', mean: units(pooled.mean), factor: factorUnits(pooled.factor), residual: units(pooled.residual) };
  }
}
