import * as tf from '@tensorflow/tfjs';
import { netFromLayersModel } from '../../../net/fromLayersModel';
import type { Net } from '../../../net/ir';

export interface BuiltNet {
  model: tf.Sequential;
  net: Net;
}

function build(layers: tf.layers.Layer[], weights: Array<[tf.layers.Layer, () => tf.Tensor[]]>): BuiltNet {
  const model = tf.sequential({ layers });
  for (const [layer, values] of weights) {
    const ws = values();
    layer.setWeights(ws);
    tf.dispose(ws);
  }
  return { model, net: netFromLayersModel(model) };
}

/**
 * f(x) = W2 relu(W1 x) without biases, x fed as a [1, 1, n] image and flattened. Rows of W are
 * output neurons (the fixtures' convention); a tfjs kernel is [in, out], so it gets Wᵀ.
 * The weighted layers are named layer1 and layer2.
 */
export function twoLayerDense(w1: number[][], w2: number[][]): BuiltNet {
  const n = w1[0].length;
  const transpose = (w: number[][]) => w[0].map((_, j) => w.map((row) => row[j]));
  const layer1 = tf.layers.dense({ units: w1.length, activation: 'relu', useBias: false, name: 'layer1' });
  const layer2 = tf.layers.dense({ units: w2.length, useBias: false, name: 'layer2' });
  return build(
    [tf.layers.flatten({ inputShape: [1, 1, n] }), layer1, layer2],
    [[layer1, () => [tf.tensor2d(transpose(w1))]], [layer2, () => [tf.tensor2d(transpose(w2))]]],
  );
}

/**
 * relu(fc(flatten(relu(conv3x3(x))))) of fixtures/lrp.json case 4: 2 filters of all-ones 3x3
 * weights, valid padding, the given biases; fc rows given over the 8 conv activations in
 * (channel, row, column) order. Our flatten is NHWC (row, column, channel), so the kernel row
 * for activation (r, c, ch) is the fixture's column ch·4 + r·2 + c.
 */
export function convDenseFixtureNet(convBias: number[], fcRows: number[][], fcBias: number[]): BuiltNet {
  const kernel: number[][] = [];
  for (let r = 0; r < 2; r++) {
    for (let c = 0; c < 2; c++) {
      for (let ch = 0; ch < 2; ch++) kernel.push(fcRows.map((row) => row[ch * 4 + r * 2 + c]));
    }
  }
  const conv = tf.layers.conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 3, activation: 'relu', name: 'conv' });
  const dense = tf.layers.dense({ units: fcRows.length, activation: 'relu', name: 'fc' });
  return build(
    [conv, tf.layers.flatten(), dense],
    [[conv, () => [tf.ones([3, 3, 1, 2]), tf.tensor1d(convBias)]], [dense, () => [tf.tensor2d(kernel), tf.tensor1d(fcBias)]]],
  );
}

/** A 2x2 max pool on a [2, 2, 1] image, flattened to one output. */
export function maxPoolNet(): BuiltNet {
  return build([tf.layers.maxPooling2d({ inputShape: [2, 2, 1], poolSize: 2 }), tf.layers.flatten()], []);
}

/**
 * A seeded 12x12x1 ReLU net exercising every propagation path: conv 3x3 'same' (4) → avg pool 2
 * → conv 3x3 stride 2 'same' (6) → max pool 2 stride 1 → flatten → dense 8 → dense 3.
 * With `biases` false no layer has a bias (LRP-0/ε then conserve exactly).
 */
export function seededConvNet(biases: boolean, seed = 1): BuiltNet {
  let s = seed;
  const kernelInitializer = () => tf.initializers.glorotUniform({ seed: s++ });
  const biasInitializer = () => tf.initializers.randomUniform({ minval: -0.2, maxval: 0.2, seed: s++ });
  const common = () => ({ useBias: biases, kernelInitializer: kernelInitializer(), ...(biases ? { biasInitializer: biasInitializer() } : {}) });
  return build([
    tf.layers.conv2d({ inputShape: [12, 12, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv1', ...common() }),
    tf.layers.averagePooling2d({ poolSize: 2, name: 'avg' }),
    tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'conv2', ...common() }),
    tf.layers.maxPooling2d({ poolSize: 2, strides: 1, name: 'max' }),
    tf.layers.flatten({ name: 'flat' }),
    tf.layers.dense({ units: 8, activation: 'relu', name: 'dense1', ...common() }),
    tf.layers.dense({ units: 3, name: 'dense2', ...common() }),
  ], []);
}
