import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../tf/node';
import { disposeNet, netFromLayersModel } from './fromLayersModel';
import { forwardLogits } from './forward';
import type { Conv2dLayer, Net } from './ir';
import { getMethod, methodAvailability } from '../methods/registry';
import type { Method } from '../methods/types';
import { loadNetFromFile } from '../../node/modelFiles';
import { buildMixedModel, glorot, kinds, randomizeBatchNorm, uniform } from './testing/mixedModel';

/** Largest absolute difference between the IR logits (through `post`) and model.predict. */
function worstDifference(model: tf.LayersModel, net: Net, x: tf.Tensor4D, post: (z: tf.Tensor2D) => tf.Tensor): number {
  return tf.tidy(() => {
    const ours = post(forwardLogits(net, x));
    const theirs = model.predict(x) as tf.Tensor;
    expect(ours.shape).toEqual(theirs.shape);
    return tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0];
  });
}



describe('netFromLayersModel', () => {
  beforeAll(async () => {
    await setupNodeBackend('wasm');
  });

  it('maps a mixed conv net: batch norm folded, dropout gone, softmax as head', () => {
    const model = buildMixedModel();
    const net = netFromLayersModel(model);
    expect(kinds(net)).toEqual(['conv2d', 'relu', 'avgPool', 'conv2d', 'relu', 'maxPool', 'flatten', 'dense', 'relu', 'dense']);
    expect(net.head).toBe('softmax');
    expect(net.unsupported).toEqual([]);
    expect(net.inputShape).toEqual([16, 16, 2]);
    expect(net.outputs).toBe(5);
    const conv2 = net.layers[3] as Conv2dLayer;
    expect(conv2.strides).toEqual([2, 2]);
    expect(conv2.padding).toBe('valid');
    expect(net.layers[5]).toMatchObject({ kind: 'maxPool', poolSize: [2, 2], strides: [1, 1], padding: 'valid' });
    // The fold replaced the conv's weights by new tensors: kernel*scale, bias*scale + shift.
    const original = model.layers[2].getWeights();
    expect(conv2.kernel).not.toBe(original[0]);
    const kernelChange = tf.tidy(() => tf.max(tf.abs(tf.sub(conv2.kernel, original[0]))).dataSync()[0]);
    expect(kernelChange).toBeGreaterThan(1e-3);
    expect(net.owned.length).toBeGreaterThan(0);
    disposeNet(net);
    model.dispose();
  });

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`softmax(forwardLogits) equals model.predict on a batch of 3 (${backend})`, async () => {
      await setupNodeBackend(backend);
      const model = buildMixedModel();
      const net = netFromLayersModel(model);
      const x = tf.randomUniform([3, 16, 16, 2], -1, 1, 'float32', 11) as tf.Tensor4D;
      // Both paths compute the same O(1)-sized sums of at most 3*3*6 = 54 products in float32; the
      // folded batch norm only reorders roundings (kernel*scale instead of (conv-mean)*scale), so
      // logits agree to a few ulps of their magnitude (~1e-6) and probabilities, whose derivative
      // w.r.t. logits is at most 1/2, to well below 1e-5.
      const worst = worstDifference(model, net, x, (z) => tf.softmax(z));
      expect(worst).toBeLessThan(1e-5);
      // The probabilities here are near 1/5, so also compare the logits themselves, which the
      // softmax fixes up to a per-row constant: z - mean(z) against log p - mean(log p).
      const logitGap = tf.tidy(() => {
        const z = forwardLogits(net, x);
        const logP = tf.log(model.predict(x) as tf.Tensor2D);
        const centered = (t: tf.Tensor2D) => tf.sub(t, tf.mean(t, -1, true));
        return tf.max(tf.abs(tf.sub(centered(z), centered(logP)))).dataSync()[0];
      });
      expect(logitGap).toBeLessThan(1e-5);
      x.dispose();
      disposeNet(net);
      model.dispose();
      await setupNodeBackend('wasm');
    });
  }

  it('folds a batch norm after a dense layer into that layer', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [4, 4, 1] }),
        tf.layers.dense({ units: 6, kernelInitializer: glorot(21), biasInitializer: uniform(22) }),
        tf.layers.batchNormalization({ name: 'dense_bn' }),
        tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: glorot(23) }),
      ],
    });
    randomizeBatchNorm(model.getLayer('dense_bn'), 200);
    const net = netFromLayersModel(model);
    expect(kinds(net)).toEqual(['flatten', 'dense', 'dense']);
    const x = tf.randomUniform([3, 4, 4, 1], -1, 1, 'float32', 24) as tf.Tensor4D;
    expect(worstDifference(model, net, x, (z) => tf.softmax(z))).toBeLessThan(1e-5);
    x.dispose();
    disposeNet(net);
    model.dispose();
  });

  it('turns a batch norm that follows no affine layer into channelAffine, and matches predict', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [8, 8, 1], filters: 3, kernelSize: 3, padding: 'same',
          kernelInitializer: glorot(31), biasInitializer: uniform(32),
        }),
        tf.layers.activation({ activation: 'relu' }),
        tf.layers.batchNormalization({ name: 'relu_bn' }),
        tf.layers.batchNormalization({ name: 'bare_bn', scale: false, center: false }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: glorot(33) }),
      ],
    });
    randomizeBatchNorm(model.getLayer('relu_bn'), 300);
    randomizeBatchNorm(model.getLayer('bare_bn'), 400);
    const net = netFromLayersModel(model);
    expect(kinds(net)).toEqual(['conv2d', 'relu', 'channelAffine', 'channelAffine', 'flatten', 'dense']);
    expect(net.layers[2].name).toBe('relu_bn');
    expect(net.head).toBe('softmax');
    const x = tf.randomUniform([3, 8, 8, 1], -1, 1, 'float32', 34) as tf.Tensor4D;
    expect(worstDifference(model, net, x, (z) => tf.softmax(z))).toBeLessThan(1e-5);
    x.dispose();
    disposeNet(net);
    model.dispose();
  });

  it('maps the elementwise activations the IR knows and matches predict', () => {
    const fns = ['sigmoid', 'tanh', 'elu', 'selu', 'softplus', 'swish', 'gelu'] as const;
    const model = tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [3, 3, 2] }),
        ...fns.map((activation, i) => tf.layers.dense({
          units: 6, activation, kernelInitializer: glorot(40 + i), biasInitializer: uniform(50 + i),
        })),
        tf.layers.dense({ units: 3, kernelInitializer: glorot(60) }),
      ],
    });
    const net = netFromLayersModel(model);
    expect(net.layers.filter((l) => l.kind === 'activation').map((l) => (l.kind === 'activation' ? l.fn : null)))
      .toEqual([...fns]);
    expect(net.head).toBe('none');
    const x = tf.randomUniform([3, 3, 3, 2], -2, 2, 'float32', 61) as tf.Tensor4D;
    // No head: the IR output is the model output itself; values are O(1), so 1e-5 is ~100 ulps.
    expect(worstDifference(model, net, x, (z) => z)).toBeLessThan(1e-5);
    x.dispose();
    model.dispose();
  });

  it('keeps layers it cannot express as opaque, lists them, and gradients still work', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [6, 6, 2], filters: 3, kernelSize: 3, padding: 'same', activation: 'relu',
          kernelInitializer: glorot(71), biasInitializer: uniform(72),
        }),
        tf.layers.layerNormalization({ name: 'opaque_ln' }),
        tf.layers.flatten(),
        tf.layers.dense({
          name: 'opaque_hard', units: 5, activation: 'hardSigmoid',
          kernelInitializer: glorot(73), biasInitializer: uniform(74),
        }),
        tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: glorot(75), biasInitializer: uniform(76) }),
      ],
    });
    const ln = model.getLayer('opaque_ln');
    const lnWeights = [tf.randomUniform([3], 0.5, 1.5, 'float32', 77), tf.randomUniform([3], -0.5, 0.5, 'float32', 78)];
    ln.setWeights(lnWeights);
    tf.dispose(lnWeights);
    const net = netFromLayersModel(model);
    expect(kinds(net)).toEqual(['conv2d', 'relu', 'opaque', 'flatten', 'opaque', 'dense']);
    expect(net.unsupported).toEqual([
      { name: 'opaque_ln', className: 'LayerNormalization' },
      { name: 'opaque_hard', className: 'Dense' },
    ]);
    expect(net.head).toBe('softmax');
    const x = tf.randomUniform([3, 6, 6, 2], -1, 1, 'float32', 79) as tf.Tensor4D;
    expect(worstDifference(model, net, x, (z) => tf.softmax(z))).toBeLessThan(1e-5);

    const gradient = getMethod('gradient');
    expect(methodAvailability(gradient, net)).toEqual({ ok: true });
    const fakePropagation: Method = { ...gradient, id: 'fake-propagation', label: 'Fake LRP', requires: 'propagation' };
    const verdict = methodAvailability(fakePropagation, net);
    expect(verdict.ok).toBe(false);
    const reason = verdict.ok ? '' : verdict.reason;
    expect(reason).toContain('Fake LRP');
    expect(reason).toContain('opaque_ln (LayerNormalization)');
    expect(reason).toContain('opaque_hard (Dense)');
    x.dispose();
    model.dispose();
  });

  it('reports every method available when nothing is opaque', () => {
    const model = buildMixedModel();
    const net = netFromLayersModel(model);
    const fakePropagation: Method = { ...getMethod('gradient'), requires: 'propagation' };
    expect(methodAvailability(fakePropagation, net)).toEqual({ ok: true });
    disposeNet(net);
    model.dispose();
  });

  it('rejects models whose input is not a fixed-size image', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [10], units: 2 })] });
    expect(() => netFromLayersModel(model)).toThrow(/input must be an image of fixed size/);
    model.dispose();
  });

  it('disposeNet frees the tensors the fold created', () => {
    const model = buildMixedModel();
    const net = netFromLayersModel(model);
    const owned = net.owned.slice();
    expect(owned.length).toBeGreaterThan(0);
    disposeNet(net);
    expect(net.owned).toEqual([]);
    expect(owned.every((t) => t.isDisposed)).toBe(true);
    model.dispose();
  });

  it('leaves no tensor behind: building and disposing the IR of a model with batch norms returns the count', () => {
    const model = buildMixedModel();
    const before = tf.memory().numTensors;
    const net = netFromLayersModel(model);
    // Two per folded batch norm (kernel, bias) plus the scale and shift they came from.
    expect(tf.memory().numTensors - before).toBe(net.owned.length);
    disposeNet(net);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('treats a final sigmoid as the head: forwardLogits gives the score before it', () => {
    const model = tf.sequential({ layers: [
      tf.layers.flatten({ inputShape: [2, 2, 1] }),
      tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: glorot(4) }),
    ] });
    const net = netFromLayersModel(model);
    expect(net.head).toBe('sigmoid');
    expect(kinds(net)).toEqual(['flatten', 'dense']);
    const x = tf.tensor4d([0.2, -0.4, 0.9, 0.1], [1, 2, 2, 1]);
    const z = forwardLogits(net, x);
    const p = model.predict(x) as tf.Tensor;
    expect(Math.abs(1 / (1 + Math.exp(-z.dataSync()[0])) - p.dataSync()[0])).toBeLessThan(1e-6);
    tf.dispose([x, z, p]);
    model.dispose();
  });
});

describe('the built-in MNIST model', () => {
  beforeAll(async () => {
    await setupNodeBackend('wasm');
  });

  it('loads through loadNetFromFile with the documented architecture', async () => {
    const { model, net, dir } = await loadNetFromFile('mnist');
    expect(dir.replace(/\\/g, '/')).toMatch(/public\/models\/mnist$/);
    expect(net.inputShape).toEqual([28, 28, 1]);
    expect(net.outputs).toBe(10);
    expect(net.head).toBe('softmax');
    expect(net.unsupported).toEqual([]);
    expect(kinds(net)).toEqual([
      'conv2d', 'relu', 'avgPool', 'conv2d', 'relu', 'avgPool', 'conv2d', 'relu', 'avgPool', 'flatten', 'dense', 'relu', 'dense',
    ]);
    const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.softmax(forwardLogits(net, x)), model.predict(x) as tf.Tensor))).dataSync()[0]);
    expect(diff).toBeLessThan(1e-5);
    x.dispose();
    disposeNet(net);
    model.dispose();
  });
});
