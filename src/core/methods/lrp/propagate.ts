import * as tf from '@tensorflow/tfjs';
import { forwardLayer } from '../../net/forward';
import type { ActivationLayer, IRLayer, LayerKind, Net, OpaqueLayer } from '../../net/ir';
import { throwIfAborted } from '../types';
import { fourStep } from './fourStep';
import { linearLayerOf, type WeightedLayer } from './linearLayer';
import { STABILISER, type LrpRule } from './rules';

type Step<K extends LayerKind> = (layer: Extract<IRLayer, { kind: K }>, a: tf.Tensor, relevance: tf.Tensor, rules: Map<string, LrpRule>) => tf.Tensor;

function cannotPropagate(layer: ActivationLayer | OpaqueLayer): never {
  const what = layer.kind === 'activation' ? `a ${layer.fn} activation` : `${layer.className}, not expressible in the network IR`;
  throw new Error(
    `LRP cannot propagate relevance through layer "${layer.name}" (${what}): its rules are defined for ` +
    'ReLU networks of dense, conv, pooling and batch-norm layers. Gradient methods work on this model.',
  );
}

function weighted(layer: WeightedLayer, a: tf.Tensor, relevance: tf.Tensor, rules: Map<string, LrpRule>): tf.Tensor {
  const rule = rules.get(layer.name);
  if (!rule) throw new Error(`No LRP rule assigned to layer "${layer.name}".`);
  return rule.propagate(linearLayerOf(layer), a, relevance);
}

/** Max pooling passes each window's relevance to its winner: the pool's VJP with R routes it there. */
function toWinner(pool: (a: tf.Tensor) => tf.Tensor, a: tf.Tensor, relevance: tf.Tensor): tf.Tensor {
  return tf.grads(pool)([a], relevance)[0];
}

/**
 * Relevance of a layer's input from that of its output, one entry per layer kind
 * (DESIGN.md: a new layer kind is one entry here). Weighted layers use their assigned rule;
 * the rest are fixed (METHODS.md 4): ReLU passes relevance unchanged, flatten reshapes,
 * average pooling is a linear layer under the z-rule, max pooling gives it to the winner.
 */
const lrpSteps: { [K in LayerKind]: Step<K> } = {
  dense: weighted,
  conv2d: weighted,
  channelAffine: weighted,
  relu: (_l, _a, relevance) => relevance,
  flatten: (_l, a, relevance) => tf.reshape(relevance, a.shape),
  avgPool: (l, a, relevance) =>
    fourStep([{ input: a, map: (t) => tf.avgPool(t as tf.Tensor4D, l.poolSize, l.strides, l.padding) }], null, relevance, STABILISER),
  globalAvgPool: (_l, a, relevance) => fourStep([{ input: a, map: (t) => tf.mean(t, [1, 2]) }], null, relevance, STABILISER),
  maxPool: (l, a, relevance) => toWinner((t) => tf.maxPool(t as tf.Tensor4D, l.poolSize, l.strides, l.padding), a, relevance),
  // One window over the whole map, so ties go to a single winner (tf.max's gradient would copy R to all of them).
  globalMaxPool: (_l, a, relevance) => {
    const [b, h, w, c] = a.shape;
    return toWinner((t) => tf.reshape(tf.maxPool(t as tf.Tensor4D, [h, w], [h, w], 'valid'), [b, c]), a, relevance);
  },
  activation: cannotPropagate,
  opaque: cannotPropagate,
};

function propagateLayer(layer: IRLayer, a: tf.Tensor, relevance: tf.Tensor, rules: Map<string, LrpRule>): tf.Tensor {
  return tf.tidy(() => (lrpSteps[layer.kind] as Step<LayerKind>)(layer as never, a, relevance, rules));
}

export interface Sweep {
  /** Relevance of the input, NHWC. */
  relevance: tf.Tensor4D;
  /** Σ relevance (over the batch) at the output, then on the input of each layer from the last down. */
  sums: tf.Tensor1D;
}

/**
 * One LRP sweep: a forward pass keeping every layer's input, relevance at the output = the
 * target logit (the other outputs 0), then back through the layers. Checks the signal between
 * layers; on abort or error every tensor it made is freed.
 */
export function lrpSweep(
  net: Net, x: tf.Tensor4D, target: number, rules: Map<string, LrpRule>,
  hooks: { signal?: AbortSignal; onProgress?: (fraction: number) => void },
): Sweep {
  for (const layer of net.layers) if (layer.kind === 'activation' || layer.kind === 'opaque') cannotPropagate(layer);
  return tf.tidy(() => {
    const inputs: tf.Tensor[] = [];
    const output = net.layers.reduce<tf.Tensor>((a, layer) => {
      inputs.push(a);
      return forwardLayer(layer, a);
    }, x);
    const batch = output.shape[0];
    const scores = tf.reshape(output, [batch, -1]) as tf.Tensor2D;
    const onlyTarget = tf.tensor1d(Array.from({ length: scores.shape[1] }, (_, k) => (k === target ? 1 : 0)));
    const start = tf.mul(scores, onlyTarget);
    let relevance = tf.reshape(start, output.shape);
    const sums = [tf.sum(relevance)];
    for (let i = net.layers.length - 1; i >= 0; i--) {
      throwIfAborted(hooks.signal);
      relevance = propagateLayer(net.layers[i], inputs[i], relevance, rules);
      sums.push(tf.sum(relevance));
      hooks.onProgress?.((net.layers.length - i) / net.layers.length);
    }
    return { relevance: relevance as tf.Tensor4D, sums: tf.stack(sums) as tf.Tensor1D };
  });
}
