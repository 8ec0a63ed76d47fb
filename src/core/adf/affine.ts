import * as tf from '@tensorflow/tfjs';
import type { AvgPoolLayer, ChannelAffineLayer, Conv2dLayer, DenseLayer, FlattenLayer, GlobalAvgPoolLayer } from '../net/ir';
import { mapRankSlices, type Moments } from './moments';

/**
 * An affine layer seen by ADF (METHODS.md 1.1, table): how it maps means (the layer itself),
 * independent variances (diag variance, and the residual of lowrank-diag mode), and the
 * linear part without bias (each rank slice of a factor). Affine layers are exact in every
 * mode: a Gaussian stays Gaussian.
 */
interface AffineMap {
  mean: (mu: tf.Tensor) => tf.Tensor;
  variance: (v: tf.Tensor) => tf.Tensor;
  linear: (q: tf.Tensor) => tf.Tensor;
}

function withBias(y: tf.Tensor, bias: tf.Tensor1D | null): tf.Tensor {
  return bias ? tf.add(y, bias) : y;
}

/** dense: Wμ + b, (W∘W)v, WQ. */
export function denseMap(l: DenseLayer): AffineMap {
  const linear = (q: tf.Tensor) => tf.matMul(q as tf.Tensor2D, l.kernel);
  return {
    mean: (mu) => withBias(linear(mu), l.bias),
    variance: (v) => tf.matMul(v as tf.Tensor2D, tf.square(l.kernel)),
    linear,
  };
}

/** conv2d: conv(μ, K) + b, conv(v, K∘K), conv(Q_r, K); zero padding adds no variance. */
export function conv2dMap(l: Conv2dLayer): AffineMap {
  const convolve = (t: tf.Tensor, k: tf.Tensor4D) => tf.conv2d(t as tf.Tensor4D, k, l.strides, l.padding);
  return {
    mean: (mu) => withBias(convolve(mu, l.kernel), l.bias),
    variance: (v) => convolve(v, tf.square(l.kernel)),
    linear: (q) => convolve(q, l.kernel),
  };
}

/**
 * avg pool: avgpool(μ), avgpool(v)/n, avgpool(Q_r), n the number of inputs a window averages
 * (the area k, except at the border under 'same' padding, where tfjs averages only the inputs
 * inside the image: sum of n variances / n²).
 */
export function avgPoolMap(l: AvgPoolLayer): AffineMap {
  const pool = (t: tf.Tensor) => tf.avgPool(t as tf.Tensor4D, l.poolSize, l.strides, l.padding);
  const windowCounts = (v: tf.Tensor) => {
    const [, h, w] = v.shape as number[];
    return tf.conv2d(tf.ones([1, h, w, 1]) as tf.Tensor4D, tf.ones([...l.poolSize, 1, 1]) as tf.Tensor4D, l.strides, l.padding);
  };
  return { mean: pool, variance: (v) => tf.div(pool(v), windowCounts(v)), linear: pool };
}

/** Global average pooling: the mean over the map, variance Σv / (HW)². */
export function globalAvgPoolMap(_l: GlobalAvgPoolLayer): AffineMap {
  const pool = (t: tf.Tensor) => tf.mean(t, [1, 2]);
  const area = (v: tf.Tensor) => (v.shape as number[])[1] * (v.shape as number[])[2];
  return { mean: pool, variance: (v) => tf.div(pool(v), area(v)), linear: pool };
}

/** flatten: a reshape of every moment. */
export function flattenMap(_l: FlattenLayer): AffineMap {
  const flat = (t: tf.Tensor) => tf.reshape(t, [t.shape[0], -1]);
  return { mean: flat, variance: flat, linear: flat };
}

/** channelAffine: scale·μ + shift, scale²·v, scale·Q. */
export function channelAffineMap(l: ChannelAffineLayer): AffineMap {
  const linear = (q: tf.Tensor) => tf.mul(q, l.scale);
  return {
    mean: (mu) => tf.add(linear(mu), l.shift),
    variance: (v) => tf.mul(v, tf.square(l.scale)),
    linear,
  };
}

/** Pushes moments of any mode through an affine map. */
export function propagateAffine(map: AffineMap, m: Moments): Moments {
  const mean = map.mean(m.mean);
  switch (m.mode) {
    case 'diag': return { mode: 'diag', mean, variance: map.variance(m.variance) };
    case 'lowrank': return { mode: 'lowrank', mean, factor: mapRankSlices(m.factor, map.linear) };
    case 'lowrank-diag':
      return { mode: 'lowrank-diag', mean, factor: mapRankSlices(m.factor, map.linear), residual: map.variance(m.residual) };
  }
}
