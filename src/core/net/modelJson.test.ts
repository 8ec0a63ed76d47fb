import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../tf/node';
import { disposeNet } from './fromLayersModel';
import { forwardLogits } from './forward';
import { artifactsFromParts, loadNetFromArtifacts, parseModelJson } from './modelJson';
import { buildMixedModel, kinds } from './testing/mixedModel';

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
    const { model: loaded, net } = await loadNetFromArtifacts(artifactsFromParts(parsed, new Map([['group1-shard1of1.bin', weights]])));
    expect(kinds(net)).toEqual(['conv2d', 'relu', 'avgPool', 'conv2d', 'relu', 'maxPool', 'flatten', 'dense', 'relu', 'dense']);
    const x = tf.randomUniform([3, 16, 16, 2], -1, 1, 'float32', 12) as tf.Tensor4D;
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.softmax(forwardLogits(net, x)), model.predict(x) as tf.Tensor))).dataSync()[0]);
    expect(diff).toBeLessThan(1e-5);
    x.dispose();
    disposeNet(net);
    loaded.dispose();
    model.dispose();
  });

  it('rejects (and does not hang on) a topology tfjs cannot build, naming the layer', async () => {
    const artifacts: tf.io.ModelArtifacts = {
      modelTopology: { class_name: 'Sequential', config: { layers: [{ class_name: 'NoSuchLayer', config: { name: 'odd' } }] } },
      weightSpecs: [],
      weightData: new ArrayBuffer(0),
    };
    await expect(loadNetFromArtifacts(artifacts))
      .rejects.toThrow('model.json: layer 1 ("odd") is of class "NoSuchLayer", which TensorFlow.js does not know.');
  });
});
