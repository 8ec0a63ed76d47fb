import * as tf from '@tensorflow/tfjs';
import { netFromLayersModel } from '../../net/fromLayersModel';
import type { Net } from '../../net/ir';

export interface SeededConvNetOptions {
  inputShape: [number, number, number];
  outputs: number;
  /**
   * The first of six seeds, used in layer order: conv kernel, conv bias, hidden kernel, hidden
   * bias, output kernel, output bias (seed, seed + 1, …, seed + 5).
   */
  seed: number;
  /** The conv layer's padding (default valid). */
  padding?: 'valid' | 'same';
  /** The conv and hidden dense layers' activation (default relu). */
  activation?: 'relu' | 'tanh';
  /** A 2x2 pooling layer after the conv layer: average or max (default none). */
  pool?: 'avg' | 'max';
  /** The hidden dense layer's kernel initializer, in place of Glorot-uniform with seed + 2. */
  hiddenKernel?: ReturnType<typeof tf.initializers.randomNormal>;
}

/**
 * conv3x3(4)-act · [pool 2x2] · flatten · dense8-act · dense(outputs), the small seeded test net
 * the gradient, Shapley and ADF tests share: kernels Glorot-uniform and biases U(−0.3, 0.3), each
 * from its own seed (biases make it non-homogeneous).
 */
export function seededConvNet(options: SeededConvNetOptions): { model: tf.Sequential; net: Net } {
  const { inputShape, outputs, seed, padding = 'valid', activation = 'relu', pool, hiddenKernel } = options;
  const glorot = (s: number) => tf.initializers.glorotUniform({ seed: s });
  const uniform = (s: number) => tf.initializers.randomUniform({ minval: -0.3, maxval: 0.3, seed: s });
  const pooling = pool === 'avg' ? [tf.layers.averagePooling2d({ poolSize: 2 })]
    : pool === 'max' ? [tf.layers.maxPooling2d({ poolSize: 2 })] : [];
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape, filters: 4, kernelSize: 3, padding, activation,
        kernelInitializer: glorot(seed), biasInitializer: uniform(seed + 1),
      }),
      ...pooling,
      tf.layers.flatten(),
      tf.layers.dense({
        units: 8, activation, kernelInitializer: hiddenKernel ?? glorot(seed + 2), biasInitializer: uniform(seed + 3),
      }),
      tf.layers.dense({ units: outputs, kernelInitializer: glorot(seed + 4), biasInitializer: uniform(seed + 5) }),
    ],
  });
  return { model, net: netFromLayersModel(model) };
}
