import * as tf from '@tensorflow/tfjs';
import type { IRLayer, Padding } from './ir';

/**
 * One Keras layer as a converter sees it: its class, config and weights (looked up by the last
 * part of their name: "kernel", "moving_mean"). A plain object, so a converter can be fed a
 * layer made by hand.
 */
export interface KerasLayerView {
  name: string;
  className: string;
  config: Record<string, unknown>;
  weight(suffix: string): tf.Tensor | null;
}

/**
 * What a converter makes of one layer: IR nodes (none for a layer that vanishes at inference),
 * optionally followed by a fused activation that `splitActivations` (irPasses.ts) turns into
 * its own node or the head; or a reason the IR cannot express the layer, in which case the
 * layer stays opaque. A converter throws only for a real error (a weight of the wrong shape).
 */
export type Conversion =
  | { ok: true; nodes: IRLayer[]; activation?: string; owned?: tf.Tensor[] }
  | { ok: false; reason: string };

export type LayerConverter = (layer: KerasLayerView) => Conversion;

const converted = (nodes: IRLayer[], activation?: unknown, owned?: tf.Tensor[]): Conversion => ({
  ok: true, nodes, ...(activation === undefined ? {} : { activation: typeof activation === 'string' ? activation : 'linear' }),
  ...(owned ? { owned } : {}),
});
export const unsupported = (reason: string): Conversion => ({ ok: false, reason });

function pair(v: unknown, fallback: number): [number, number] {
  if (Array.isArray(v)) return [Number(v[0]), Number(v[1] ?? v[0])];
  if (typeof v === 'number') return [v, v];
  return [fallback, fallback];
}

const shapeText = (t: tf.Tensor) => `[${t.shape.join(', ')}]`;

/** A weight the layer must have, of the given rank; a missing or misshapen one is a real error. */
function required(layer: KerasLayerView, suffix: string, rank: number, what: string): tf.Tensor {
  const w = layer.weight(suffix);
  if (!w) throw new Error(`Layer "${layer.name}" (${layer.className}) has no ${suffix} weight.`);
  if (w.rank !== rank) throw new Error(`Layer "${layer.name}" (${layer.className}): ${suffix} has shape ${shapeText(w)}; ${what} is needed.`);
  return w;
}

/** An optional per-channel vector of length `channels` (bias, gamma, beta …). */
function vector(layer: KerasLayerView, suffix: string, channels: number): tf.Tensor1D | null {
  const w = layer.weight(suffix);
  if (w && (w.rank !== 1 || w.shape[0] !== channels)) {
    throw new Error(`Layer "${layer.name}" (${layer.className}): ${suffix} has shape ${shapeText(w)}; a vector of ${channels} values (one per channel) is needed.`);
  }
  return w as tf.Tensor1D | null;
}

const vanishes: LayerConverter = () => converted([]);

const channelsFirst = (layer: KerasLayerView) => layer.config.dataFormat === 'channelsFirst';

function pooling(kind: 'maxPool' | 'avgPool'): LayerConverter {
  return (layer) => {
    if (channelsFirst(layer)) return unsupported('channels-first data format');
    const cfg = layer.config;
    const poolSize = pair(cfg.poolSize, 2);
    return converted([{
      kind, name: layer.name, poolSize, strides: cfg.strides == null ? poolSize : pair(cfg.strides, 1),
      padding: (cfg.padding as Padding) ?? 'valid',
    }]);
  };
}

/**
 * Batch norm at inference is a per-channel affine map (METHODS.md 1.1): scale = γ/√(σ² + ε),
 * shift = β − μ·scale. `foldChannelAffine` (irPasses.ts) later folds it into an affine layer
 * right before it. The two tensors are new and owned by the net.
 */
const batchNormalization: LayerConverter = (layer) => {
  const mean = layer.weight('moving_mean');
  const variance = layer.weight('moving_variance');
  if (!mean || !variance) return unsupported('a batch norm without moving statistics');
  const channels = mean.shape[0];
  if (mean.rank !== 1) throw new Error(`Layer "${layer.name}" (${layer.className}): moving_mean has shape ${shapeText(mean)}; a vector (one value per channel) is needed.`);
  vector(layer, 'moving_variance', channels);
  const gamma = vector(layer, 'gamma', channels);
  const beta = vector(layer, 'beta', channels);
  const eps = Number(layer.config.epsilon ?? 1e-3);
  const [scale, shift] = tf.tidy(() => {
    const sc = tf.div(gamma ?? tf.onesLike(mean), tf.sqrt(tf.add(variance, eps))) as tf.Tensor1D;
    return [sc, tf.sub(beta ?? tf.zerosLike(mean), tf.mul(mean, sc)) as tf.Tensor1D];
  });
  return converted([{ kind: 'channelAffine', name: layer.name, scale, shift }], undefined, [scale, shift]);
};

/**
 * The converter table, one entry per Keras class name (DESIGN.md, Network IR). A class that is
 * not here, or whose entry says "unsupported", becomes an opaque layer: gradient methods still
 * run through tfjs, propagation methods name it as the reason they cannot. Adding a layer kind
 * is adding an entry (and its case in layerConverters.test.ts).
 */
export const LAYER_CONVERTERS: Readonly<Record<string, LayerConverter>> = {
  InputLayer: vanishes,
  Dropout: vanishes,
  SpatialDropout2D: vanishes,
  GaussianNoise: vanishes,
  GaussianDropout: vanishes,
  AlphaDropout: vanishes,
  Dense: (layer) => {
    const kernel = required(layer, 'kernel', 2, 'a matrix [inputs, units]') as tf.Tensor2D;
    const bias = vector(layer, 'bias', kernel.shape[1]);
    return converted([{ kind: 'dense', name: layer.name, kernel, bias }], layer.config.activation);
  },
  Conv2D: (layer) => {
    const cfg = layer.config;
    if (channelsFirst(layer)) return unsupported('channels-first data format');
    if (pair(cfg.dilationRate, 1).some((d) => d !== 1)) return unsupported('a dilated convolution');
    const kernel = required(layer, 'kernel', 4, 'a kernel [height, width, in, out]') as tf.Tensor4D;
    const bias = vector(layer, 'bias', kernel.shape[3]);
    return converted([{
      kind: 'conv2d', name: layer.name, kernel, bias,
      strides: pair(cfg.strides, 1), padding: (cfg.padding as Padding) ?? 'valid',
    }], cfg.activation);
  },
  AveragePooling2D: pooling('avgPool'),
  MaxPooling2D: pooling('maxPool'),
  GlobalAveragePooling2D: (layer) => converted([{ kind: 'globalAvgPool', name: layer.name }]),
  GlobalMaxPooling2D: (layer) => converted([{ kind: 'globalMaxPool', name: layer.name }]),
  Flatten: (layer) => converted([{ kind: 'flatten', name: layer.name }]),
  ReLU: (layer) => (layer.config.maxValue != null ? unsupported('a capped ReLU (maxValue)') : converted([{ kind: 'relu', name: layer.name }])),
  Activation: (layer) => converted([], layer.config.activation),
  Softmax: () => converted([], 'softmax'),
  BatchNormalization: batchNormalization,
};

/** The table's entry for the layer's class, or "unsupported" naming the class. */
export function convertLayer(layer: KerasLayerView): Conversion {
  const converter = Object.hasOwn(LAYER_CONVERTERS, layer.className) ? LAYER_CONVERTERS[layer.className] : undefined;
  if (!converter) return unsupported(`no converter for the Keras class "${layer.className}"`);
  return converter(layer);
}
