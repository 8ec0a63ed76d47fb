import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../tf/node';
import { checkTopology } from './topologyCheck';

/** What tfjs itself writes for a model: its topology and weight specs. */
async function saved(model: tf.LayersModel): Promise<{ topology: unknown; specs: tf.io.WeightsManifestEntry[] }> {
  let out = { topology: {} as unknown, specs: [] as tf.io.WeightsManifestEntry[] };
  await model.save(tf.io.withSaveHandler(async (a) => {
    out = { topology: a.modelTopology, specs: a.weightSpecs ?? [] };
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return out;
}

describe('checkTopology agrees with tfjs on every layer kind it has a shape rule for', () => {
  beforeAll(async () => {
    await setupNodeBackend('wasm');
  });

  it('accepts a sequential model using each rule, and counts its weights', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.reshape({ inputShape: [12, 10, 3], targetShape: [10, 12, 3] }),
        tf.layers.zeroPadding2d({ padding: [[1, 2], [0, 1]] }),
        tf.layers.conv2d({ filters: 4, kernelSize: [3, 2], strides: 2, padding: 'valid', useBias: false }),
        tf.layers.batchNormalization({ scale: false }),
        tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same' }),
        tf.layers.separableConv2d({ filters: 5, kernelSize: 2, depthMultiplier: 1, dilationRate: 1 }),
        tf.layers.prelu({ sharedAxes: [1, 2] }),
        tf.layers.upSampling2d({ size: [2, 3] }),
        tf.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'valid' }),
        tf.layers.cropping2D({ cropping: [[1, 0], [2, 1]] }),
        tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
        tf.layers.averagePooling2d({ poolSize: 2 }),
        tf.layers.leakyReLU(),
        tf.layers.flatten(),
        tf.layers.dropout({ rate: 0.1 }),
        tf.layers.dense({ units: 6, activation: 'relu' }),
        tf.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    const { topology, specs } = await saved(model);
    const summary = checkTopology(topology, specs);
    expect(summary.inputShape).toEqual([12, 10, 3]);
    // The largest layer as tfjs's own shapes give it.
    const size = (shape: unknown) => (shape as number[]).slice(1).reduce((a, b) => a * b, 1);
    const bytes = model.layers.map((l) => 4 * (size((l.input as tf.SymbolicTensor).shape) + size((l.output as tf.SymbolicTensor).shape)));
    const largest = bytes.indexOf(Math.max(...bytes));
    expect(summary.largestLayer).toEqual({ name: model.layers[largest].name, bytes: bytes[largest] });
    expect(summary.parameters).toBe(model.countParams());
    expect(summary.weightTensors).toBe(model.weights.length);
    model.dispose();
  });

  it('follows a functional model through its inbound nodes', async () => {
    const input = tf.input({ shape: [8, 8, 1] });
    const conv = tf.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({}).apply(conv) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 4 }).apply(pooled) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const { topology, specs } = await saved(model);
    const summary = checkTopology(topology, specs);
    expect(summary.inputShape).toEqual([8, 8, 1]);
    expect(summary.parameters).toBe(model.countParams());
    // The wrong kernel shape is caught through the functional graph too.
    const wrong = specs.map((s) => (s.name.endsWith('kernel') && s.shape.length === 2 ? { ...s, shape: [4, 3] } : s));
    expect(() => checkTopology(topology, wrong)).toThrow(/needs dense_Dense\d+\/kernel of shape \[3, 4\]; weightsManifest gives .* the shape \[4, 3\]/);
    model.dispose();
  });
});
