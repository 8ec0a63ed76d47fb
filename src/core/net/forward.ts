import * as tf from '@tensorflow/tfjs';
import type { IRLayer, LayerKind, Net } from './ir';

type Rule<K extends LayerKind> = (layer: Extract<IRLayer, { kind: K }>, x: tf.Tensor) => tf.Tensor;

/** The plain forward pass, one rule per layer kind. */
const forwardRules: { [K in LayerKind]: Rule<K> } = {
  dense: (l, x) => {
    const y = tf.matMul(x as tf.Tensor2D, l.kernel);
    return l.bias ? tf.add(y, l.bias) : y;
  },
  conv2d: (l, x) => {
    const y = tf.conv2d(x as tf.Tensor4D, l.kernel, l.strides, l.padding);
    return l.bias ? tf.add(y, l.bias) : y;
  },
  avgPool: (l, x) => tf.avgPool(x as tf.Tensor4D, l.poolSize, l.strides, l.padding),
  maxPool: (l, x) => tf.maxPool(x as tf.Tensor4D, l.poolSize, l.strides, l.padding),
  globalAvgPool: (_l, x) => tf.mean(x, [1, 2]),
  globalMaxPool: (_l, x) => tf.max(x, [1, 2]),
  flatten: (_l, x) => tf.reshape(x, [x.shape[0], -1]),
  relu: (_l, x) => tf.relu(x),
  channelAffine: (l, x) => tf.add(tf.mul(x, l.scale), l.shift),
  activation: (l, x) => {
    switch (l.fn) {
      case 'sigmoid': return tf.sigmoid(x);
      case 'tanh': return tf.tanh(x);
      case 'elu': return tf.elu(x);
      case 'selu': return tf.selu(x);
      case 'softplus': return tf.softplus(x);
      case 'swish': return tf.mul(x, tf.sigmoid(x));
      case 'gelu': return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));
      case 'leakyRelu': return tf.leakyRelu(x, 0.3);
    }
  },
  opaque: (l, x) => l.apply(x),
};

/**
 * How the forward pass may differ from the network's own: `softplusBeta` runs the smooth stand-in
 * the fragility attacks differentiate twice (core/attacks; METHODS.md 6, Dombrowski et al. 2019).
 */
export interface ForwardOptions {
  /**
   * Replace every ReLU by softplus_β(z) = log(1 + e^{βz})/β (leaky ReLU by αz + (1 − α)·softplus_β),
   * and compose average pooling, ELU and SELU from ops whose gradients tfjs can differentiate
   * again (its AvgPoolGrad and EluGrad kernels have no gradient). Layers with no smooth stand-in
   * (max pooling, opaque layers) are refused with an Error: see `smoothStandInProblem`.
   */
  softplusBeta?: number;
}

/** softplus_β(z) = log(1 + e^{βz})/β in the stable form relu(z) + log1p(e^{−β|z|})/β; → relu(z) as β → ∞, off by at most log 2/β. */
export function softplusBeta(z: tf.Tensor, beta: number): tf.Tensor {
  return tf.add(tf.relu(z), tf.div(tf.log1p(tf.exp(tf.mul(tf.abs(z), -beta))), beta));
}

/** Why a layer has no smooth stand-in (twice-differentiable in tfjs), or null when it has one. */
export function smoothStandInProblem(layer: IRLayer): string | null {
  if (layer.kind === 'maxPool' || layer.kind === 'globalMaxPool') {
    return `layer ${layer.name} (${layer.kind === 'maxPool' ? 'max pooling' : 'global max pooling'}) has no smooth stand-in: its second derivative cannot be taken in tfjs`;
  }
  if (layer.kind === 'opaque') return `layer ${layer.name} (${layer.className}) is opaque to the network IR, so it has no smooth stand-in`;
  return null;
}

/** Average pooling as a conv2d with a constant kernel (valid) or divided by the window counts (same): twice differentiable. */
function composedAvgPool(l: Extract<IRLayer, { kind: 'avgPool' }>, x: tf.Tensor4D): tf.Tensor4D {
  const c = x.shape[3];
  const [ph, pw] = l.poolSize;
  const eye = tf.reshape(tf.eye(c), [1, 1, c, c]);
  const kernel = tf.tile(eye, [ph, pw, 1, 1]) as tf.Tensor4D;
  const sums = tf.conv2d(x, kernel, l.strides, l.padding);
  if (l.padding === 'valid') return tf.div(sums, ph * pw);
  const counts = tf.conv2d(tf.ones([1, x.shape[1], x.shape[2], 1]) as tf.Tensor4D, tf.ones([ph, pw, 1, 1]) as tf.Tensor4D, l.strides, 'same');
  return tf.div(sums, counts);
}

function smoothLayer(layer: IRLayer, x: tf.Tensor, beta: number): tf.Tensor {
  const problem = smoothStandInProblem(layer);
  if (problem) throw new Error(`The model has no smooth stand-in: ${problem}.`);
  if (layer.kind === 'relu') return softplusBeta(x, beta);
  if (layer.kind === 'avgPool') return composedAvgPool(layer, x as tf.Tensor4D);
  if (layer.kind === 'activation') {
    const negativePart = () => tf.sub(tf.exp(tf.minimum(x, 0)), 1);
    switch (layer.fn) {
      case 'leakyRelu': return tf.add(tf.mul(x, 0.3), tf.mul(softplusBeta(x, beta), 0.7));
      case 'elu': return tf.add(tf.relu(x), negativePart());
      // tfjs's SELU constants.
      case 'selu': return tf.mul(tf.add(tf.relu(x), tf.mul(negativePart(), 1.6732632423543772)), 1.0507009873554805);
      default: break;
    }
  }
  return forwardLayer(layer, x);
}

export function forwardLayer(layer: IRLayer, x: tf.Tensor, options?: ForwardOptions): tf.Tensor {
  if (options?.softplusBeta !== undefined) return smoothLayer(layer, x, options.softplusBeta);
  return (forwardRules[layer.kind] as Rule<LayerKind>)(layer as never, x);
}

/** Logits [batch, outputs] for an NHWC batch. Call inside tf.tidy or dispose the result. */
export function forwardLogits(net: Net, x: tf.Tensor4D, options?: ForwardOptions): tf.Tensor2D {
  return tf.tidy(() => net.layers.reduce<tf.Tensor>((h, layer) => forwardLayer(layer, h, options), x) as tf.Tensor2D);
}

/** Logits, head probabilities (softmax, or sigmoid per output) and the arg-max class of a single input; throws when a logit is NaN or infinite. */
export async function classify(net: Net, x: tf.Tensor4D): Promise<{ logits: Float32Array; probabilities: Float32Array; predicted: number }> {
  const [logits, probabilities] = tf.tidy(() => {
    const z = forwardLogits(net, x);
    return [z, net.head === 'sigmoid' ? tf.sigmoid(z) : tf.softmax(z)];
  });
  const [l, p] = await Promise.all([logits.data(), probabilities.data()]);
  logits.dispose();
  probabilities.dispose();
  const lf = Float32Array.from(l);
  const pf = Float32Array.from(p);
  // A NaN would otherwise come out as "class 0 (NaN%)", and every map drawn from it would be noise.
  for (const [what, values] of [['logit', lf], ['probability', pf]] as const) {
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      throw new Error(`The model's output for this input is not a finite number (${what} ${bad} is ${values[bad]}); no class can be predicted or explained. `
        + 'Its weights or this input make the arithmetic overflow.');
    }
  }
  let predicted = 0;
  for (let k = 1; k < lf.length; k++) if (lf[k] > lf[predicted]) predicted = k;
  return { logits: lf, probabilities: pf, predicted };
}
