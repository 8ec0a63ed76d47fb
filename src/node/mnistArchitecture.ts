import * as tf from '@tensorflow/tfjs';

/**
 * The RDE paper's MNIST network (seeds/001, section 5): three 5x5 convolutions with 32, 64
 * and 64 filters ('same', ReLU), each followed by 2x2 average pooling; dense 1024 (ReLU);
 * dense 10 giving the logits. Softmax is a separate head layer so the IR can drop it.
 */
export function buildMnistNetwork(seed: number): { logits: tf.Sequential; withHead: tf.Sequential } {
  let s = seed;
  const init = () => tf.initializers.glorotUniform({ seed: s++ });
  const conv = (filters: number, first: boolean) => tf.layers.conv2d({
    ...(first ? { inputShape: [28, 28, 1] } : {}),
    filters, kernelSize: 5, padding: 'same', activation: 'relu',
    kernelInitializer: init(), name: `conv${filters}_${s}`,
  });
  const layers: tf.layers.Layer[] = [
    conv(32, true), tf.layers.averagePooling2d({ poolSize: 2, strides: 2, name: 'pool1' }),
    conv(64, false), tf.layers.averagePooling2d({ poolSize: 2, strides: 2, name: 'pool2' }),
    conv(64, false), tf.layers.averagePooling2d({ poolSize: 2, strides: 2, name: 'pool3' }),
    tf.layers.flatten({ name: 'flatten' }),
    tf.layers.dense({ units: 1024, activation: 'relu', kernelInitializer: init(), name: 'dense1024' }),
    tf.layers.dense({ units: 10, kernelInitializer: init(), name: 'logits' }),
  ];
  const logits = tf.sequential({ layers, name: 'mnist_rde_logits' });
  const withHead = tf.sequential({
    layers: [...layers, tf.layers.activation({ activation: 'softmax', name: 'softmax' })],
    name: 'mnist_rde',
  });
  return { logits, withHead };
}
