import * as tf from '@tensorflow/tfjs';
import type { ElementwiseFn, IRLayer, Net, Padding } from './ir';
import { imageInputShape } from './topologyCheck';

type Config = Record<string, unknown>;

const ELEMENTWISE: Record<string, ElementwiseFn> = {
  sigmoid: 'sigmoid', tanh: 'tanh', elu: 'elu', selu: 'selu', softplus: 'softplus',
  swish: 'swish', gelu: 'gelu',
};

function pair(v: unknown, fallback: number): [number, number] {
  if (Array.isArray(v)) return [Number(v[0]), Number(v[1] ?? v[0])];
  if (typeof v === 'number') return [v, v];
  return [fallback, fallback];
}

function weightByName(layer: tf.layers.Layer, suffix: string): tf.Tensor | null {
  const w = layer.weights.find((v) => v.originalName.endsWith(`/${suffix}`) || v.name.endsWith(`/${suffix}`));
  return w ? w.read() : null;
}

function activationLayers(name: string, activation: unknown): IRLayer[] | 'softmax' | 'unknown' {
  const act = typeof activation === 'string' ? activation : 'linear';
  if (act === 'linear') return [];
  if (act === 'relu') return [{ kind: 'relu', name: `${name}/relu` }];
  if (act === 'softmax') return 'softmax';
  const fn = ELEMENTWISE[act];
  return fn ? [{ kind: 'activation', name: `${name}/${act}`, fn }] : 'unknown';
}

function opaque(layer: tf.layers.Layer): IRLayer {
  return {
    kind: 'opaque', name: layer.name, className: layer.getClassName(),
    apply: (x) => layer.apply(x) as tf.Tensor,
  };
}

/** Folds y = scale*x + shift into the affine layer that produced x (METHODS.md 1.1, batch norm). */
function foldInto(prev: IRLayer, scale: tf.Tensor1D, shift: tf.Tensor1D, owned: tf.Tensor[]): IRLayer | null {
  if (prev.kind !== 'dense' && prev.kind !== 'conv2d') return null;
  const [kernel, bias] = tf.tidy(() => [
    tf.mul(prev.kernel, scale),
    prev.bias ? tf.add(tf.mul(prev.bias, scale), shift) : shift.clone(),
  ]);
  owned.push(kernel, bias);
  return { ...prev, kernel: kernel as never, bias: bias as tf.Tensor1D };
}

function batchNormAffine(layer: tf.layers.Layer, owned: tf.Tensor[]): { scale: tf.Tensor1D; shift: tf.Tensor1D } {
  const cfg = layer.getConfig() as Config;
  const eps = Number(cfg.epsilon ?? 1e-3);
  const mean = weightByName(layer, 'moving_mean');
  const variance = weightByName(layer, 'moving_variance');
  if (!mean || !variance) throw new Error(`Batch norm layer "${layer.name}" has no moving statistics`);
  const gamma = weightByName(layer, 'gamma');
  const beta = weightByName(layer, 'beta');
  // scale = γ/√(σ² + ε), shift = β − μ·scale; intermediates freed, the two results owned by the net.
  const [scale, shift] = tf.tidy(() => {
    const sc = tf.div(gamma ?? tf.onesLike(mean), tf.sqrt(tf.add(variance, eps))) as tf.Tensor1D;
    return [sc, tf.sub(beta ?? tf.zerosLike(mean), tf.mul(mean, sc)) as tf.Tensor1D];
  });
  owned.push(scale, shift);
  return { scale, shift };
}

/**
 * Turns a sequential tfjs LayersModel into the IR. Activations inside dense/conv layers become
 * their own layers; dropout and input layers vanish; batch norm folds into the affine layer
 * before it; a final softmax becomes the head. Anything else becomes an opaque layer, listed
 * in `unsupported`, so gradient methods still work and propagation methods can say why not.
 */
export function netFromLayersModel(model: tf.LayersModel): Net {
  const inputShape = imageInputShape(model.inputs[0].shape.slice(1));
  for (const layer of model.layers) {
    if (layer.inboundNodes.some((node) => node.inboundLayers.length > 1)) {
      throw new Error(`Layer "${layer.name}" (${layer.getClassName()}) merges several inputs; only sequential models are supported so far.`);
    }
  }
  const owned: tf.Tensor[] = [];
  const layers: IRLayer[] = [];
  const unsupported: Net['unsupported'] = [];
  let head: Net['head'] = 'none';
  const all = model.layers;
  all.forEach((layer, index) => {
    const cfg = layer.getConfig() as Config;
    const cls = layer.getClassName();
    const isLast = index === all.length - 1;
    // Resolved before anything is pushed, so a layer that turns out opaque leaves no half.
    const activationOf = (activation: unknown): IRLayer[] => {
      const acts = activationLayers(layer.name, activation);
      if (acts === 'softmax' && isLast) {
        head = 'softmax';
        return [];
      }
      // A final sigmoid is a head too: explanations target the score before it.
      if (isLast && acts !== 'unknown' && acts !== 'softmax' && acts.length === 1 && acts[0].kind === 'activation' && acts[0].fn === 'sigmoid') {
        head = 'sigmoid';
        return [];
      }
      if (acts === 'softmax' || acts === 'unknown') throw new Error('unsupported-activation');
      return acts;
    };
    try {
      switch (cls) {
        case 'InputLayer':
        case 'Dropout':
        case 'SpatialDropout2D':
        case 'GaussianNoise':
        case 'GaussianDropout':
        case 'AlphaDropout':
          return;
        case 'Dense': {
          const acts = activationOf(cfg.activation);
          const kernel = weightByName(layer, 'kernel') as tf.Tensor2D;
          layers.push({ kind: 'dense', name: layer.name, kernel, bias: weightByName(layer, 'bias') as tf.Tensor1D | null }, ...acts);
          return;
        }
        case 'Conv2D': {
          if (cfg.dataFormat === 'channelsFirst') throw new Error('channels-first');
          if (pair(cfg.dilationRate, 1).some((d) => d !== 1)) throw new Error('dilated');
          const acts = activationOf(cfg.activation);
          const kernel = weightByName(layer, 'kernel') as tf.Tensor4D;
          layers.push({
            kind: 'conv2d', name: layer.name, kernel, bias: weightByName(layer, 'bias') as tf.Tensor1D | null,
            strides: pair(cfg.strides, 1), padding: (cfg.padding as Padding) ?? 'valid',
          }, ...acts);
          return;
        }
        case 'AveragePooling2D':
        case 'MaxPooling2D': {
          if (cfg.dataFormat === 'channelsFirst') throw new Error('channels-first');
          const poolSize = pair(cfg.poolSize, 2);
          layers.push({
            kind: cls === 'MaxPooling2D' ? 'maxPool' : 'avgPool', name: layer.name,
            poolSize, strides: cfg.strides == null ? poolSize : pair(cfg.strides, 1),
            padding: (cfg.padding as Padding) ?? 'valid',
          });
          return;
        }
        case 'GlobalAveragePooling2D':
          layers.push({ kind: 'globalAvgPool', name: layer.name });
          return;
        case 'GlobalMaxPooling2D':
          layers.push({ kind: 'globalMaxPool', name: layer.name });
          return;
        case 'Flatten':
          layers.push({ kind: 'flatten', name: layer.name });
          return;
        case 'ReLU':
          if (cfg.maxValue != null) throw new Error('capped');
          layers.push({ kind: 'relu', name: layer.name });
          return;
        case 'Activation':
          layers.push(...activationOf(cfg.activation));
          return;
        case 'Softmax':
          if (!isLast) throw new Error('inner-softmax');
          head = 'softmax';
          return;
        case 'BatchNormalization': {
          const { scale, shift } = batchNormAffine(layer, owned);
          const prev = layers[layers.length - 1];
          const folded = prev ? foldInto(prev, scale, shift, owned) : null;
          if (folded) layers[layers.length - 1] = folded;
          else layers.push({ kind: 'channelAffine', name: layer.name, scale, shift });
          return;
        }
        default:
          throw new Error('unknown-class');
      }
    } catch {
      unsupported.push({ name: layer.name, className: cls });
      layers.push(opaque(layer));
    }
  });
  const outShape = model.outputs[0].shape;
  return {
    inputShape,
    outputs: Number(outShape[outShape.length - 1]),
    layers, head, unsupported, owned,
  };
}

export function disposeNet(net: Net): void {
  for (const t of net.owned) t.dispose();
  net.owned.length = 0;
}
