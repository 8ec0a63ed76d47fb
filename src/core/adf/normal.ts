import * as tf from '@tensorflow/tfjs';

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Standard normal density f(t) (METHODS.md notation). */
export function normalPdf(t: tf.Tensor): tf.Tensor {
  return tf.mul(tf.exp(tf.mul(tf.square(t), -0.5)), INV_SQRT_2PI);
}

/** Standard normal distribution function F(t) = (1 + erf(t/√2))/2. */
export function normalCdf(t: tf.Tensor): tf.Tensor {
  return tf.mul(tf.add(tf.erf(tf.mul(t, Math.SQRT1_2)), 1), 0.5);
}
