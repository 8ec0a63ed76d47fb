import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../tf/node';
import { serialiseReference } from '../reference/distribution';
import { bundlePath, disposeModelBundle, openModelBundle } from './modelBundle';
import { conv2dLayer, denseLayer, flattenLayer, handmadeArtifacts, memoryBundle, modelJsonText, sequentialTopology } from './testing/handmadeModels';

/** A 4 x 4 x c image model: conv 3x3 (2 filters) → flatten → dense(classes). */
function imageModel(channels: number, classes = 3) {
  const artifacts = handmadeArtifacts(
    sequentialTopology([conv2dLayer('c', 2, 3, { batch_input_shape: [null, 4, 4, channels] }), flattenLayer('f', [2, 2, 2]), denseLayer('d', classes)]),
    [['c/kernel', [3, 3, channels, 2]], ['c/bias', [2]], ['d/kernel', [8, classes]], ['d/bias', [classes]]],
  );
  // The hand-written flatten carries an input shape of its own; only the first layer's counts.
  delete ((artifacts.modelTopology as { config: { layers: Array<{ config: Record<string, unknown> }> } }).config.layers[1].config).batch_input_shape;
  return artifacts;
}

function referenceFiles(shape: [number, number, number], file = 'reference.bin') {
  const d = shape[0] * shape[1] * shape[2];
  const bytes = serialiseReference({ shape, count: 5, rank: 1, mean: new Float32Array(d).fill(0.5), variance: new Float32Array(d).fill(0.1), factor: new Float32Array(d).fill(0.01) });
  return {
    'reference.json': JSON.stringify({ shape, count: 5, rank: 1, file, layout: 'float32 mean[d] | variance[d] | factor[rank][d]', eigenvalues: [0.1], totalVariance: 1, command: 'test' }),
    [file.split('/').pop()!]: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  };
}

const messageOf = (p: Promise<unknown>) => p.then(() => 'opened', (err: unknown) => (err as Error).message);

describe('openModelBundle: the one loader for model.json, weights, meta.json and reference', () => {
  beforeAll(async () => {
    await setupNodeBackend('wasm');
  });

  it('opens a bundle and reports input shape, classes, weights and parameters', async () => {
    const artifacts = imageModel(3);
    const { read } = memoryBundle({
      'model.json': modelJsonText(artifacts), 'weights.bin': artifacts.weightData as ArrayBuffer,
      'meta.json': JSON.stringify({ name: 'Shapes', classes: ['circle', 'square', 'star'] }),
      ...referenceFiles([4, 4, 3]),
    });
    const before = tf.memory().numTensors;
    const bundle = await openModelBundle(read, { id: 'shapes' });
    expect(bundle.meta).toMatchObject({ id: 'shapes', name: 'Shapes', classes: ['circle', 'square', 'star'], preprocessing: 'fit' });
    expect(bundle.reference?.rank).toBe(1);
    expect(bundle.report).toEqual({
      inputShape: [4, 4, 3], classes: 3, layers: 3, weightTensors: 4, parameters: 3 * 3 * 3 * 2 + 2 + 8 * 3 + 3, weightBytes: 4 * 83,
      text: 'Shapes: input 4 x 4 x 3, 3 classes, 3 layers, 4 weight tensors holding 83 parameters (332 bytes)',
    });
    disposeModelBundle(bundle);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses weight paths outside the model folder without reading them', async () => {
    for (const path of ['../../etc/passwd', '/etc/passwd', 'file:///etc/passwd', 'https://example.com/w.bin', 'C:\\weights.bin', '%2e%2e/secret.bin', 'sub/..\\..\\x.bin']) {
      const artifacts = imageModel(1);
      const { read, asked } = memoryBundle({ 'model.json': modelJsonText(artifacts, path) });
      expect(await messageOf(openModelBundle(read, { id: 'm' })))
        .toBe(`model.json names the file "${path}", which is outside the model's folder; a model's files must sit in its folder (no "..", absolute paths or URLs).`);
      expect(asked).toEqual(['model.json']);
    }
    expect(bundlePath('./shards/./w.bin', 'model.json')).toBe('shards/w.bin');
  });

  it('refuses a reference file outside the folder, or one for another input shape', async () => {
    const artifacts = imageModel(1);
    const base = { 'model.json': modelJsonText(artifacts), 'weights.bin': artifacts.weightData as ArrayBuffer };
    const outside = memoryBundle({ ...base, ...referenceFiles([4, 4, 1], '../reference.bin') });
    expect(await messageOf(openModelBundle(outside.read, { id: 'm' }))).toMatch(/^reference\.json names the file "\.\.\/reference\.bin", which is outside the model's folder/);
    expect(outside.asked).not.toContain('../reference.bin');
    const other = memoryBundle({ ...base, ...referenceFiles([28, 28, 1]) });
    expect(await messageOf(openModelBundle(other.read, { id: 'm' }))).toBe('reference.json describes 28 x 28 x 1 inputs; the model takes 4 x 4 x 1.');
  });

  it('refuses a malformed meta.json before reading a weight file', async () => {
    const artifacts = imageModel(1);
    const { read, asked } = memoryBundle({ 'model.json': modelJsonText(artifacts), 'weights.bin': artifacts.weightData as ArrayBuffer, 'meta.json': '{"classes": [1, 2, 3]}' });
    expect(await messageOf(openModelBundle(read, { id: 'm' }))).toBe('meta.json: classes must be text; entry 0 is 1.');
    expect(asked).not.toContain('weights.bin');
  });

  it('refuses, after building, a meta.json that contradicts the model, and frees the model', async () => {
    for (const [meta, message] of [
      [{ classes: ['a', 'b'] }, 'meta.json names 2 classes; the model has 3 outputs.'],
      [{ preprocessing: 'mnist' }, 'MNIST preprocessing makes 28 x 28 x 1 inputs; this model takes 4 x 4 x 1.'],
    ] as const) {
      const artifacts = imageModel(1);
      const { read } = memoryBundle({ 'model.json': modelJsonText(artifacts), 'weights.bin': artifacts.weightData as ArrayBuffer, 'meta.json': JSON.stringify(meta) });
      const before = { tensors: tf.memory().numTensors, variables: Object.keys(tf.engine().state.registeredVariables).length };
      expect(await messageOf(openModelBundle(read, { id: 'm' }))).toBe(message);
      expect({ tensors: tf.memory().numTensors, variables: Object.keys(tf.engine().state.registeredVariables).length }).toEqual(before);
    }
  });

  it('refuses a 4-channel input that no image could be turned into, and frees the model', async () => {
    const artifacts = imageModel(4);
    const { read } = memoryBundle({ 'model.json': modelJsonText(artifacts), 'weights.bin': artifacts.weightData as ArrayBuffer });
    const before = tf.memory().numTensors;
    expect(await messageOf(openModelBundle(read, { id: 'm' })))
      .toBe("The model takes 4 x 4 x 4 inputs, with 4 channels; the studio's preprocessing makes images with 1 (gray) or 3 (RGB) channels, so no image could be classified.");
    expect(tf.memory().numTensors).toBe(before);
  });

  it('says when there is no model.json or a weight file is missing', async () => {
    expect(await messageOf(openModelBundle(memoryBundle({}).read, { id: 'm' }))).toBe("The model's folder has no model.json.");
    const { read } = memoryBundle({ 'model.json': modelJsonText(imageModel(1)) });
    expect(await messageOf(openModelBundle(read, { id: 'm' }))).toBe('Weight file missing: weights.bin.');
  });
});
