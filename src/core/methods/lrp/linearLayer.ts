import * as tf from '@tensorflow/tfjs';
import type { ChannelAffineLayer, Conv2dLayer, DenseLayer } from '../../net/ir';

/** The IR layers LRP rules apply to: the ones with weights (METHODS.md 4, "per layer"). */
export type WeightedLayer = DenseLayer | Conv2dLayer | ChannelAffineLayer;
export type WeightedKind = WeightedLayer['kind'];
export const WEIGHTED_KINDS: readonly WeightedKind[] = ['dense', 'conv2d', 'channelAffine'];

export function isWeighted(layer: { kind: string }): layer is WeightedLayer {
  return (WEIGHTED_KINDS as readonly string[]).includes(layer.kind);
}

/**
 * A weighted layer as the rules see it: z = linear(a, W) + b, with the linear part callable
 * with a modified kernel ρ(W). Dense, conv2d (any strides, both paddings) and the per-channel
 * affine map all look alike here, so every rule has one code path for all of them.
 */
export interface LinearLayer {
  name: string;
  kind: WeightedKind;
  kernel: tf.Tensor;
  bias: tf.Tensor | null;
  linear(a: tf.Tensor, kernel: tf.Tensor): tf.Tensor;
}

export function linearLayerOf(layer: WeightedLayer): LinearLayer {
  switch (layer.kind) {
    case 'dense':
      return { name: layer.name, kind: layer.kind, kernel: layer.kernel, bias: layer.bias, linear: (a, k) => tf.matMul(a as tf.Tensor2D, k as tf.Tensor2D) };
    case 'conv2d':
      return {
        name: layer.name, kind: layer.kind, kernel: layer.kernel, bias: layer.bias,
        linear: (a, k) => tf.conv2d(a as tf.Tensor4D, k as tf.Tensor4D, layer.strides, layer.padding),
      };
    case 'channelAffine':
      // A batch norm with no affine layer before it: y = scale·x + shift, a diagonal linear map.
      return { name: layer.name, kind: layer.kind, kernel: layer.scale, bias: layer.shift, linear: (a, k) => tf.mul(a, k) };
  }
}
