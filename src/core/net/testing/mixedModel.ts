// Seeded test models shared by the network IR and model loader tests.
import * as tf from '@tensorflow/tfjs';
import type { LayerKind, Net } from '../ir';

export const glorot = (seed: number) => tf.initializers.glorotUniform({ seed });
export const uniform = (seed: number, lo = -0.3, hi = 0.3) => tf.initializers.randomUniform({ minval: lo, maxval: hi, seed });

export function kinds(net: Net): LayerKind[] {
  return net.layers.map((l) => l.kind);
}

/** Gives a batch norm layer non-trivial statistics, so folding it is really exercised. */
export function randomizeBatchNorm(layer: tf.layers.Layer, seed: number): void {
  const values = layer.weights.map((w, i) => {
    const shape = w.shape as number[];
    const s = seed + i;
    if (w.originalName.endsWith('/gamma')) return tf.randomUniform(shape, 0.5, 1.5, 'float32', s);
    if (w.originalName.endsWith('/beta')) return tf.randomUniform(shape, -0.5, 0.5, 'float32', s);
    if (w.originalName.endsWith('/moving_mean')) return tf.randomUniform(shape, -0.4, 0.4, 'float32', s);
    if (w.originalName.endsWith('/moving_variance')) return tf.randomUniform(shape, 0.3, 2.5, 'float32', s);
    throw new Error(`unexpected batch norm weight ${w.originalName}`);
  });
  layer.setWeights(values);
  tf.dispose(values);
}

// conv2d(relu, same) → avgPool → conv2d(linear, stride 2, valid) → BN → relu → maxPool → flatten
// → dropout → dense(relu) → dense(softmax), on a 16x16x2 input.
export function buildMixedModel(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [16, 16, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu',
        kernelInitializer: glorot(1), biasInitializer: uniform(2),
      }),
      tf.layers.averagePooling2d({ poolSize: 2 }),
      tf.layers.conv2d({
        filters: 6, kernelSize: 3, strides: 2, padding: 'valid', activation: 'linear',
        kernelInitializer: glorot(3), biasInitializer: uniform(4),
      }),
      tf.layers.batchNormalization({ name: 'mixed_bn', epsilon: 1e-3 }),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 1 }),
      tf.layers.flatten(),
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.dense({ units: 8, activation: 'relu', kernelInitializer: glorot(5), biasInitializer: uniform(6) }),
      tf.layers.dense({ units: 5, activation: 'softmax', kernelInitializer: glorot(7), biasInitializer: uniform(8) }),
    ],
  });
  randomizeBatchNorm(model.getLayer('mixed_bn'), 100);
  return model;
}
