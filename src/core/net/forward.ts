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

export function forwardLayer(layer: IRLayer, x: tf.Tensor): tf.Tensor {
  return (forwardRules[layer.kind] as Rule<LayerKind>)(layer as never, x);
}

/** Logits [batch, outputs] for an NHWC batch. Call inside tf.tidy or dispose the result. */
export function forwardLogits(net: Net, x: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => net.layers.reduce<tf.Tensor>((h, layer) => forwardLayer(layer, h), x) as tf.Tensor2D);
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
