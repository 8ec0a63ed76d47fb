import * as tf from '@tensorflow/tfjs';
import { forwardLayer } from '../net/forward';
import type { Net } from '../net/ir';

export type ReluBackwardRule = 'guided' | 'deconvnet';

/**
 * ReLU forward, modified backward (METHODS.md 3). Guided backprop (Springenberg et al. 2015)
 * passes a gradient back only where it is positive and the ReLU's input was positive;
 * deconvnet (Zeiler & Fergus 2014) passes back only its positive part, whatever the input.
 */
const guidedRelu = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor;
  const save = args[1] as tf.GradSaveFunc;
  save([x]);
  return { value: tf.relu(x), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(tf.relu(dy), tf.step(saved[0])) };
});

const deconvnetRelu = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor;
  return { value: tf.relu(x), gradFunc: (dy: tf.Tensor) => tf.relu(dy) };
});

const RELU: Record<ReluBackwardRule, (x: tf.Tensor) => tf.Tensor> = {
  guided: (x) => guidedRelu(x),
  deconvnet: (x) => deconvnetRelu(x),
};

/**
 * The logits with every IR `relu` layer's backward rule replaced. Every other layer runs its
 * plain forward rule, so its backward pass is the ordinary gradient (max pooling routes to the
 * winner; opaque layers pass their own tfjs gradient).
 */
export function forwardLogitsWithRelu(net: Net, x: tf.Tensor4D, rule: ReluBackwardRule): tf.Tensor2D {
  const relu = RELU[rule];
  return net.layers.reduce<tf.Tensor>((h, layer) => (layer.kind === 'relu' ? relu(h) : forwardLayer(layer, h)), x) as tf.Tensor2D;
}

/** The modified "gradient" of logit `target` for a batch, [batch, ...input]: one backward pass. */
export function modifiedReluGradient(net: Net, x: tf.Tensor4D, target: number, rule: ReluBackwardRule): tf.Tensor4D {
  return tf.tidy(() => {
    const g = tf.grad((input: tf.Tensor) => tf.sum(tf.slice(forwardLogitsWithRelu(net, input as tf.Tensor4D, rule), [0, target], [-1, 1])));
    return g(x) as tf.Tensor4D;
  });
}
