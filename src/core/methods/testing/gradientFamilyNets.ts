import * as tf from '@tensorflow/tfjs';
import { netFromLayersModel } from '../../net/fromLayersModel';
import type { Net } from '../../net/ir';
import { mulberry32 } from '../../util/random';
import { seededConvNet } from './seededConvNet';

/** conv3x3(4)-relu · flatten · dense8-relu · dense3 on 8x8x1, seeded weights and biases (biases make it non-homogeneous). */
export function smallReluNet(): { model: tf.Sequential; net: Net } {
  return seededConvNet({ inputShape: [8, 8, 1], outputs: 3, seed: 1 });
}

/** flatten · dense3 without bias on 8x8x1: Φ_k(x) = Σ_i w_ik x_i, seeded weights. */
export function linearNet(): { model: tf.Sequential; net: Net } {
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [8, 8, 1] }),
      tf.layers.dense({ units: 3, useBias: false, kernelInitializer: tf.initializers.randomNormal({ stddev: 0.5, seed: 8 }) }),
    ],
  });
  return { model, net: netFromLayersModel(model) };
}

/** 64 seeded values in [0, 1): an 8x8x1 input. */
export function seededInput(seed = 7): Float32Array {
  const rand = mulberry32(seed);
  return Float32Array.from({ length: 64 }, () => rand());
}

/** A sequential model of dense layers with the given weights on an input of shape [1, n, 1] (flattened first). */
export function denseModel(n: number, layers: Array<{ kernel: number[][]; bias?: number[]; activation?: 'relu' }>): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.flatten({ inputShape: [1, n, 1] }));
  for (const l of layers) {
    const units = l.kernel[0].length;
    const layer = tf.layers.dense({ units, useBias: l.bias != null, activation: l.activation ?? 'linear' });
    model.add(layer);
    // The variables keep their own reference to the data, so the temporaries can go.
    tf.tidy(() => layer.setWeights(l.bias ? [tf.tensor2d(l.kernel), tf.tensor1d(l.bias)] : [tf.tensor2d(l.kernel)]));
  }
  return model;
}
