import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../tf/node';
import { disposeNet, netFromLayersModel } from './fromLayersModel';
import { forwardLogits } from './forward';
import type { Conv2dLayer, LayerKind, Net } from './ir';
import { artifactsFromParts, loadNetFromArtifacts, parseModelJson } from './modelJson';
import { getMethod, methodAvailability } from '../methods/registry';
import type { Method } from '../methods/types';
import { loadNetFromFile } from '../../node/modelFiles';

const glorot = (seed: number) => tf.initializers.glorotUniform({ seed });
const uniform = (seed: number, lo = -0.3, hi = 0.3) => tf.initializers.randomUniform({ minval: lo, maxval: hi, seed });

function kinds(net: Net): LayerKind[] {
  return net.layers.map((l) => l.kind);
}

/** Gives a batch norm layer non-trivial statistics, so folding it is really exercised. */
function randomizeBatchNorm(layer: tf.layers.Layer, seed: number): void {
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

/** Largest absolute difference between the IR logits (through `post`) and model.predict. */
function worstDifference(model: tf.LayersModel, net: Net, x: tf.Tensor4D, post: (z: tf.Tensor2D) => tf.Tensor): number {
  return tf.tidy(() => {
    const ours = post(forwardLogits(net, x));
    const theirs = model.predict(x) as tf.Tensor;
    expect(ours.shape).toEqual(theirs.shape);
    return tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0];
  });
}

// conv2d(relu, same) → avgPool → conv2d(linear, stride 2, valid) → BN → relu → maxPool → flatten
// → dropout → dense(relu) → dense(softmax), on a 16x16x2 input.
function buildMixedModel(): tf.Sequential {
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

/** A small saved-model pair (model.json text and one weight file) to round-trip. */
async function savedParts(model: tf.LayersModel): Promise<{ json: string; weights: ArrayBuffer }> {
  let json = '';
  let weights = new ArrayBuffer(0);
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    weights = artifacts.weightData as ArrayBuffer;
    json = JSON.stringify({
      format: 'layers-model',
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: artifacts.weightSpecs }],
    });
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return { json, weights };
}

const TINY_MANIFEST = {
  format: 'layers-model',
  modelTopology: { class_name: 'Sequential', config: { layers: [] } },
  weightsManifest: [
    { paths: ['a.bin'], weights: [{ name: 'd/kernel', shape: [3, 2], dtype: 'float32' }] },
    { paths: ['nested/b.bin'], weights: [{ name: 'd/bias', shape: [2], dtype: 'float32' }] },
  ],
};

describe('parseModelJson and artifactsFromParts', () => {
  beforeAll(async () => {
    await setupNodeBackend('wasm');
  });

  it('says when model.json is not JSON', () => {
    expect(() => parseModelJson('{"format": "layers-model",')).toThrow(/^model\.json is not valid JSON\.$/);
  });

  it('says when model.json has no modelTopology', () => {
    const text = JSON.stringify({ format: 'layers-model', weightsManifest: [] });
    let message = '';
    try {
      parseModelJson(text);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.startsWith('model.json is not a TensorFlow.js layers model')).toBe(true);
    expect(message).toContain('modelTopology');
  });

  it('names the format of a graph model', () => {
    const text = JSON.stringify({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [] });
    expect(() => parseModelJson(text)).toThrow(/"graph-model"/);
  });

  it('accepts a layers model and joins weight files in manifest order', () => {
    const json = parseModelJson(JSON.stringify(TINY_MANIFEST));
    const a = new Float32Array([1, 2, 3, 4, 5, 6]);
    const b = new Float32Array([7, 8]);
    const artifacts = artifactsFromParts(json, new Map([['b.bin', b.buffer], ['a.bin', a.buffer]]));
    expect(Array.from(new Float32Array(artifacts.weightData as ArrayBuffer))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(artifacts.weightSpecs?.map((s) => s.name)).toEqual(['d/kernel', 'd/bias']);
  });

  it('names a missing weight file', () => {
    const json = parseModelJson(JSON.stringify(TINY_MANIFEST));
    expect(() => artifactsFromParts(json, new Map([['a.bin', new ArrayBuffer(24)]])))
      .toThrow('Weight file missing: nested/b.bin.');
  });

  it('gives the real byte counts when the weight files have the wrong size', () => {
    const json = parseModelJson(JSON.stringify(TINY_MANIFEST));
    const files = new Map([['a.bin', new ArrayBuffer(24)], ['b.bin', new ArrayBuffer(4)]]);
    expect(() => artifactsFromParts(json, files)).toThrow('The weight files hold 28 bytes but model.json describes 32.');
  });

  it('counts quantised weights at their stored width (uint8: 1 byte, float16: 2)', () => {
    const json = parseModelJson(JSON.stringify({
      ...TINY_MANIFEST,
      weightsManifest: [{ paths: ['q.bin'], weights: [
        { name: 'd/kernel', shape: [3, 2], dtype: 'float32', quantization: { dtype: 'uint8', min: -1, scale: 0.01 } },
        { name: 'd/bias', shape: [2], dtype: 'float32', quantization: { dtype: 'float16' } },
      ] }],
    }));
    const artifacts = artifactsFromParts(json, new Map([['q.bin', new ArrayBuffer(6 + 4)]]));
    expect((artifacts.weightData as ArrayBuffer).byteLength).toBe(10);
    expect(() => artifactsFromParts(json, new Map([['q.bin', new ArrayBuffer(24)]])))
      .toThrow('The weight files hold 24 bytes but model.json describes 10.');
  });

  it('round-trips a saved model through parse, artifacts and load', async () => {
    const model = buildMixedModel();
    const { json, weights } = await savedParts(model);
    const parsed = parseModelJson(json);
    const { model: loaded, net } = await loadNetFromArtifacts(
      artifactsFromParts(parsed, new Map([['group1-shard1of1.bin', weights]])), 10_000);
    expect(kinds(net)).toEqual(['conv2d', 'relu', 'avgPool', 'conv2d', 'relu', 'maxPool', 'flatten', 'dense', 'relu', 'dense']);
    const x = tf.randomUniform([3, 16, 16, 2], -1, 1, 'float32', 12) as tf.Tensor4D;
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.softmax(forwardLogits(net, x)), model.predict(x) as tf.Tensor))).dataSync()[0]);
    expect(diff).toBeLessThan(1e-5);
    x.dispose();
    disposeNet(net);
    loaded.dispose();
    model.dispose();
  });

  it('rejects (and does not hang on) a topology tfjs cannot build', async () => {
    const artifacts: tf.io.ModelArtifacts = {
      modelTopology: { class_name: 'Sequential', config: { layers: [{ class_name: 'NoSuchLayer', config: {} }] } },
      weightSpecs: [],
      weightData: new ArrayBuffer(0),
    };
    const started = Date.now();
    const outcome = await loadNetFromArtifacts(artifacts, 3_000).then(
      () => new Error('loaded a nonsense model'),
      (err: unknown) => err,
    );
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as Error).message).toMatch(/^The model could not be built: Unknown layer: NoSuchLayer/);
    expect(Date.now() - started).toBeLessThan(3_000);
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
