import type * as tf from '@tensorflow/tfjs';

/**
 * The network IR: a list of typed layers with their weights (DESIGN.md, Network IR).
 * Propagation methods (ADF, LRP, Deep Taylor, Guided Backprop) dispatch on `kind` through
 * tables of rules; gradient methods only need `forwardLogits`.
 */
export type Padding = 'same' | 'valid';
export type ElementwiseFn = 'sigmoid' | 'tanh' | 'elu' | 'selu' | 'softplus' | 'swish' | 'gelu' | 'leakyRelu';

export interface DenseLayer { kind: 'dense'; name: string; kernel: tf.Tensor2D; bias: tf.Tensor1D | null }
export interface Conv2dLayer {
  kind: 'conv2d'; name: string; kernel: tf.Tensor4D; bias: tf.Tensor1D | null;
  strides: [number, number]; padding: Padding;
}
interface PoolGeometry { name: string; poolSize: [number, number]; strides: [number, number]; padding: Padding }
export interface AvgPoolLayer extends PoolGeometry { kind: 'avgPool' }
export interface MaxPoolLayer extends PoolGeometry { kind: 'maxPool' }
export interface GlobalAvgPoolLayer { kind: 'globalAvgPool'; name: string }
export interface GlobalMaxPoolLayer { kind: 'globalMaxPool'; name: string }
export interface FlattenLayer { kind: 'flatten'; name: string }
export interface ReluLayer { kind: 'relu'; name: string }
/** A per-channel affine map y = scale*x + shift (a batch norm that had no affine layer before it). */
export interface ChannelAffineLayer { kind: 'channelAffine'; name: string; scale: tf.Tensor1D; shift: tf.Tensor1D }
export interface ActivationLayer { kind: 'activation'; name: string; fn: ElementwiseFn }
/** A layer the IR cannot express: differentiable through tfjs, closed to propagation rules. */
export interface OpaqueLayer { kind: 'opaque'; name: string; className: string; apply: (x: tf.Tensor) => tf.Tensor }

export type IRLayer =
  | DenseLayer | Conv2dLayer | AvgPoolLayer | MaxPoolLayer | GlobalAvgPoolLayer | GlobalMaxPoolLayer | FlattenLayer
  | ReluLayer | ChannelAffineLayer | ActivationLayer | OpaqueLayer;
export type LayerKind = IRLayer['kind'];

export interface Net {
  /** Input shape without the batch axis, NHWC: [height, width, channels]. */
  inputShape: [number, number, number];
  /** Number of logits. */
  outputs: number;
  layers: IRLayer[];
  /** What followed the logits in the source model (dropped: explanations target logits). */
  head: 'softmax' | 'sigmoid' | 'none';
  /** Layers the IR could not express, by name and class. */
  unsupported: Array<{ name: string; className: string }>;
  /** Tensors created while building the IR (folded batch norms), freed by disposeNet. */
  owned: tf.Tensor[];
}
