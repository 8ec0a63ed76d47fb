import * as tf from '@tensorflow/tfjs';
import type { Net } from '../net/ir';
import { marginalVariance, type Moments } from './moments';
import { propagateLayer } from './rules';

/**
 * Moments of the logits, [batch, outputs]: the mean and total variance of every logit, and in
 * the low-rank modes the factor [batch, rank, outputs], so Cov(logit j, logit k) = Σ_r Q_rj Q_rk
 * for j ≠ k (the residual of lowrank-diag mode is diagonal, already in `variance`).
 */
export type LogitMoments = {
  mean: tf.Tensor2D;
  variance: tf.Tensor2D;
  factor?: tf.Tensor3D;
};

/**
 * Assumed density filtering through the whole network (METHODS.md 1.1). Differentiable with
 * respect to the input moments; intermediates are freed. Throws, naming the layer, when the
 * network has a layer without an ADF rule (other activations, opaque layers).
 */
export function propagateMoments(net: Net, input: Moments): LogitMoments {
  return tf.tidy(() => {
    const out = net.layers.reduce((m, layer) => propagateLayer(layer, m), input);
    if (out.mean.rank !== 2) {
      throw new Error(`The network ends in moments of shape [${out.mean.shape.join(', ')}]; ADF expects logits [batch, outputs].`);
    }
    const logits: LogitMoments = { mean: out.mean as tf.Tensor2D, variance: marginalVariance(out) as tf.Tensor2D };
    if (out.mode !== 'diag') logits.factor = out.factor as tf.Tensor3D;
    return logits;
  });
}

/**
 * RDE distortion of each mask in the batch, bias–variance form (METHODS.md 1.1, Output):
 * D = ½((μ_out,k − Φ(x))² + v_out,k) for the explained class k. Shape [batch].
 */
export function distortion(out: LogitMoments, target: number, phiX: number | tf.Scalar): tf.Tensor1D {
  return tf.tidy(() => {
    const column = (t: tf.Tensor2D) => tf.squeeze(tf.slice(t, [0, target], [-1, 1]), [1]);
    return tf.mul(tf.add(tf.square(tf.sub(column(out.mean), phiX)), column(out.variance)), 0.5) as tf.Tensor1D;
  });
}
