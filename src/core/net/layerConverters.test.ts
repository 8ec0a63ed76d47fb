import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../tf/node';
import { disposeNet, netFromLayersModel } from './fromLayersModel';
import { forwardLogits } from './forward';
import type { IRLayer, LayerKind } from './ir';
import { foldChannelAffine, splitActivations } from './irPasses';
import { convertLayer, LAYER_CONVERTERS, type KerasLayerView } from './layerConverters';
import { glorot, kinds, randomizeBatchNorm, uniform } from './testing/mixedModel';

const dense = (units: number, seed: number, extra: Partial<Parameters<typeof tf.layers.dense>[0]> = {}) =>
  tf.layers.dense({ units, kernelInitializer: glorot(seed), biasInitializer: uniform(seed + 1), ...extra });
const conv = (filters: number, seed: number, extra: Partial<Parameters<typeof tf.layers.conv2d>[0]> = {}) =>
  tf.layers.conv2d({ filters, kernelSize: 3, kernelInitializer: glorot(seed), biasInitializer: uniform(seed + 1), ...extra });
const head = () => [tf.layers.flatten(), dense(3, 90)];
const input: [number, number, number] = [5, 5, 2];

interface Case {
  /** The model around one layer of the class, after an optional layer that fixes the input shape. */
  model: () => tf.LayersModel;
  /** The IR kinds of the whole model. */
  kinds: LayerKind[];
  head?: 'softmax' | 'sigmoid';
}

const sequential = (...layers: tf.layers.Layer[]) => tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: input }), ...layers] });

/** One small model per entry of the converter table. */
const CASES: Record<string, Case | 'not in tfjs'> = {
  InputLayer: {
    model: () => {
      const x = tf.input({ shape: input });
      const y = dense(3, 10).apply(tf.layers.flatten().apply(x)) as tf.SymbolicTensor;
      return tf.model({ inputs: x, outputs: y });
    },
    kinds: ['flatten', 'dense'],
  },
  Dropout: { model: () => sequential(tf.layers.dropout({ rate: 0.5 }), ...head()), kinds: ['flatten', 'dense'] },
  SpatialDropout2D: 'not in tfjs',
  GaussianNoise: { model: () => sequential(tf.layers.gaussianNoise({ stddev: 0.5 }), ...head()), kinds: ['flatten', 'dense'] },
  GaussianDropout: { model: () => sequential(tf.layers.gaussianDropout({ rate: 0.3 }), ...head()), kinds: ['flatten', 'dense'] },
  AlphaDropout: { model: () => sequential(tf.layers.alphaDropout({ rate: 0.3 }), ...head()), kinds: ['flatten', 'dense'] },
  Dense: {
    model: () => sequential(tf.layers.flatten(), dense(6, 12, { activation: 'relu' }), dense(4, 14, { activation: 'tanh' }), dense(3, 16)),
    kinds: ['flatten', 'dense', 'relu', 'dense', 'activation', 'dense'],
  },
  Conv2D: {
    model: () => sequential(conv(3, 18, { strides: 2, padding: 'same', activation: 'selu' }), conv(2, 20, { padding: 'valid', useBias: false }), ...head()),
    kinds: ['conv2d', 'activation', 'conv2d', 'flatten', 'dense'],
  },
  AveragePooling2D: {
    model: () => sequential(tf.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same' }), ...head()),
    kinds: ['avgPool', 'flatten', 'dense'],
  },
  MaxPooling2D: { model: () => sequential(tf.layers.maxPooling2d({ poolSize: 2 }), ...head()), kinds: ['maxPool', 'flatten', 'dense'] },
  GlobalAveragePooling2D: { model: () => sequential(tf.layers.globalAveragePooling2d({}), dense(3, 22)), kinds: ['globalAvgPool', 'dense'] },
  GlobalMaxPooling2D: { model: () => sequential(tf.layers.globalMaxPooling2d({}), dense(3, 24)), kinds: ['globalMaxPool', 'dense'] },
  Flatten: { model: () => sequential(...head()), kinds: ['flatten', 'dense'] },
  ReLU: { model: () => sequential(tf.layers.reLU(), ...head()), kinds: ['relu', 'flatten', 'dense'] },
  Activation: {
    model: () => sequential(tf.layers.activation({ activation: 'softplus' }), ...head(), tf.layers.activation({ activation: 'sigmoid' })),
    kinds: ['activation', 'flatten', 'dense'], head: 'sigmoid',
  },
  Softmax: { model: () => sequential(...head(), tf.layers.softmax()), kinds: ['flatten', 'dense'], head: 'softmax' },
  BatchNormalization: {
    model: () => {
      const m = sequential(conv(3, 26, { padding: 'same' }), tf.layers.batchNormalization({ name: 'bn_fold' }), ...head());
      randomizeBatchNorm(m.getLayer('bn_fold'), 500);
      return m;
    },
    kinds: ['conv2d', 'flatten', 'dense'],
  },
};

/** A layer made by hand, as a converter sees it. */
function view(className: string, config: Record<string, unknown>, weights: Record<string, tf.Tensor> = {}): KerasLayerView {
  return { name: 'hand', className, config, weight: (suffix) => weights[suffix] ?? null };
}

describe('the converter table', () => {
  beforeAll(async () => {
    await setupNodeBackend('wasm');
  });

  it('has a case here for every entry (adding a layer kind adds a row below)', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(LAYER_CONVERTERS).sort());
  });

  for (const [className, c] of Object.entries(CASES)) {
    if (c === 'not in tfjs') {
      it(`${className}: tfjs cannot build it; its entry drops the layer`, () => {
        expect(convertLayer(view(className, { rate: 0.5 }))).toEqual({ ok: true, nodes: [] });
      });
      continue;
    }
    it(`${className}: the IR's forward equals tfjs's predict within 1e-5`, () => {
      const model = c.model();
      expect(model.layers.some((l) => l.getClassName() === className)).toBe(true);
      const net = netFromLayersModel(model);
      expect(kinds(net)).toEqual(c.kinds);
      expect(net.unsupported).toEqual([]);
      expect(net.head).toBe(c.head ?? 'none');
      const x = tf.randomUniform([2, ...input], -1, 1, 'float32', 7) as tf.Tensor4D;
      // Same float32 operations on O(1) values (at most 5*5*2 = 50 products a sum): the only gaps
      // are reordered roundings (the batch-norm fold), a few ulps, far below 1e-5.
      const worst = tf.tidy(() => {
        const z = forwardLogits(net, x);
        const ours = c.head === 'softmax' ? tf.softmax(z) : c.head === 'sigmoid' ? tf.sigmoid(z) : z;
        const theirs = model.predict(x) as tf.Tensor;
        expect(ours.shape).toEqual(theirs.shape);
        return tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0];
      });
      expect(worst).toBeLessThan(1e-5);
      x.dispose();
      disposeNet(net);
      model.dispose();
    });
  }

  it('reports a class it has no entry for as unsupported, naming the class', () => {
    expect(convertLayer(view('Cropping2D', { cropping: [[1, 1], [1, 1]] }))).toEqual({
      ok: false, reason: 'no converter for the Keras class "Cropping2D"',
    });
    // Not confused by the names every object has.
    expect(convertLayer(view('constructor', {}))).toMatchObject({ ok: false });
    const model = sequential(tf.layers.cropping2D({ cropping: [[1, 1], [1, 1]], name: 'crop' }), ...head());
    const net = netFromLayersModel(model);
    expect(kinds(net)).toEqual(['opaque', 'flatten', 'dense']);
    expect(net.unsupported).toEqual([{ name: 'crop', className: 'Cropping2D' }]);
    model.dispose();
  });

  it('gives a typed reason for a config its entry cannot express', () => {
    expect(convertLayer(view('ReLU', { maxValue: 6 }))).toEqual({ ok: false, reason: 'a capped ReLU (maxValue)' });
    expect(convertLayer(view('Conv2D', { dilationRate: [2, 2] }))).toEqual({ ok: false, reason: 'a dilated convolution' });
    expect(convertLayer(view('MaxPooling2D', { dataFormat: 'channelsFirst' }))).toEqual({ ok: false, reason: 'channels-first data format' });
  });

  it('throws a real error (a weight of the wrong shape) instead of making the layer opaque', () => {
    const kernel = tf.zeros([3]);
    expect(() => convertLayer(view('Dense', { activation: 'linear' }, { kernel })))
      .toThrow('Layer "hand" (Dense): kernel has shape [3]; a matrix [inputs, units] is needed.');
    const k2 = tf.zeros([4, 2]);
    const bias = tf.zeros([3]);
    expect(() => convertLayer(view('Dense', {}, { kernel: k2, bias })))
      .toThrow('Layer "hand" (Dense): bias has shape [3]; a vector of 2 values (one per channel) is needed.');
    tf.dispose([kernel, k2, bias]);
  });

  it('lets the error out of netFromLayersModel and frees the tensors made before it', () => {
    const model = sequential(conv(2, 30), tf.layers.batchNormalization({ name: 'bn_before' }), tf.layers.flatten(), dense(3, 32, { name: 'bad_dense' }));
    const bad = tf.zeros([2, 2, 2]);
    const layer = model.getLayer('bad_dense');
    Object.defineProperty(layer, 'weights', {
      configurable: true, get: () => [{ name: 'bad_dense/kernel', originalName: 'bad_dense/kernel', read: () => bad }],
    });
    const before = tf.memory().numTensors;
    expect(() => netFromLayersModel(model)).toThrow('Layer "bad_dense" (Dense): kernel has shape [2, 2, 2]; a matrix [inputs, units] is needed.');
    // The batch norm's scale and shift (and the fold, had it run) are gone again.
    expect(tf.memory().numTensors).toBe(before);
    delete (layer as { weights?: unknown }).weights;
    bad.dispose();
    model.dispose();
  });
});

describe('the IR passes', () => {
  beforeAll(async () => {
    await setupNodeBackend('wasm');
  });

  it('splitActivations: fused activations become nodes, a final softmax the head, an unknown one makes its layer unsupported', () => {
    const d = (name: string, activation: string) => ({ name, className: 'Dense', conversion: { ok: true as const, nodes: [] as IRLayer[], activation } });
    const { drafts, head } = splitActivations([d('a', 'relu'), d('b', 'gelu'), d('c', 'hardSigmoid'), d('e', 'linear'), d('f', 'softmax')]);
    expect(drafts.map((x) => x.conversion)).toEqual([
      { ok: true, nodes: [{ kind: 'relu', name: 'a/relu' }] },
      { ok: true, nodes: [{ kind: 'activation', name: 'b/gelu', fn: 'gelu' }] },
      { ok: false, reason: 'the activation "hardSigmoid"' },
      { ok: true, nodes: [] },
      { ok: true, nodes: [] },
    ]);
    expect(head).toBe('softmax');
    expect(splitActivations([d('a', 'softmax'), d('b', 'linear')]).drafts[0].conversion).toEqual({ ok: false, reason: 'a softmax before the last layer' });
  });

  it('foldChannelAffine: folds into the affine layer right before, twice in a row; keeps it after anything else', () => {
    const kernel = tf.tensor2d([[1, 2], [3, 4]]);
    const affine = (name: string, s: number[], t: number[]): IRLayer => ({ kind: 'channelAffine', name, scale: tf.tensor1d(s), shift: tf.tensor1d(t) });
    const owned: tf.Tensor[] = [];
    const out = foldChannelAffine([
      { kind: 'dense', name: 'd', kernel, bias: null }, affine('bn1', [2, 3], [1, -1]), affine('bn2', [0.5, 1], [0, 1]),
      { kind: 'relu', name: 'r' }, affine('bn3', [1, 1], [0, 0]),
    ], owned);
    expect(out.map((l) => `${l.kind}:${l.name}`)).toEqual(['dense:d', 'relu:r', 'channelAffine:bn3']);
    const folded = out[0] as Extract<IRLayer, { kind: 'dense' }>;
    // y = ((x K)·[2,3] + [1,-1])·[0.5,1] + [0,1]: K·[1,3], bias [0.5, 0].
    expect(Array.from(folded.kernel.dataSync())).toEqual([1, 6, 3, 12]);
    expect(Array.from(folded.bias!.dataSync())).toEqual([0.5, 0]);
    expect(owned).toHaveLength(4);
    tf.dispose(owned);
    kernel.dispose();
  });
});
