// Hostile or broken model files (issue 9): refused with numbers, before tfjs allocates, and
// never leaving a tensor or variable behind.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../tf/node';
import { classify } from './forward';
import { disposeNet } from './fromLayersModel';
import type { Net } from './ir';
import { loadNetFromArtifacts } from './modelJson';
import { conv2dLayer, denseLayer, flattenLayer, handmadeArtifacts, sequentialTopology, type HandWeight } from './testing/handmadeModels';

const FLAT: HandWeight[] = [['d1/kernel', [16, 8]], ['d1/bias', [8]]];

function memorySnapshot() {
  const m = tf.memory();
  return { tensors: m.numTensors, bytes: m.numBytes, variables: Object.keys(tf.engine().state.registeredVariables).length };
}

/** Loads `artifacts` `times` times, each expected to fail; returns the first message and what memory grew by. */
async function failedLoads(artifacts: tf.io.ModelArtifacts, times = 3): Promise<{ message: string; grew: ReturnType<typeof memorySnapshot> }> {
  const before = memorySnapshot();
  let message = '';
  for (let i = 0; i < times; i++) {
    const outcome = await loadNetFromArtifacts(artifacts).then(
      ({ model, net }) => {
        disposeNet(net);
        model.dispose();
        return 'loaded';
      },
      (err: unknown) => (err as Error).message,
    );
    message ||= outcome;
  }
  const after = memorySnapshot();
  return { message, grew: { tensors: after.tensors - before.tensors, bytes: after.bytes - before.bytes, variables: after.variables - before.variables } };
}

const NOTHING = { tensors: 0, bytes: 0, variables: 0 };

describe('model limits, checked before tfjs builds anything', () => {
  beforeAll(async () => {
    await setupNodeBackend('wasm');
  });

  it('refuses a 100000 x 100000 x 3 input with the numbers', async () => {
    // Conv weights are tiny, so tfjs would build this happily; the first image would kill the backend.
    const artifacts = handmadeArtifacts(
      sequentialTopology([conv2dLayer('c', 4, 3, { batch_input_shape: [null, 100000, 100000, 3] })]),
      [['c/kernel', [3, 3, 3, 4]], ['c/bias', [4]]],
    );
    const { message, grew } = await failedLoads(artifacts, 1);
    expect(message).toBe('model.json declares an input of 100000 x 100000 x 3 = 3.0e10 values; the studio accepts at most 3.1e6 values (1024 x 1024 x 3) and 4096 pixels a side.');
    expect(grew).toEqual(NOTHING);
  });

  it('refuses a model whose weights and largest layer exceed the memory budget, with both numbers', async () => {
    // 1024 x 1024 x 3 in, 64 filters out: 12 MiB in + 256 MiB out at batch 1.
    const artifacts = handmadeArtifacts(
      sequentialTopology([conv2dLayer('wide', 64, 3, { batch_input_shape: [null, 1024, 1024, 3], padding: 'same' })]),
      [['wide/kernel', [3, 3, 3, 64]], ['wide/bias', [64]]],
    );
    const { message } = await failedLoads(artifacts, 1);
    expect(message).toBe('model.json needs about 268.0 MiB at batch 1 (weights 7.0 KiB, layer "wide" 268.0 MiB for its input and output); the studio accepts at most 256.0 MiB.');
  });

  it('refuses weights over the budget from the manifest alone (no weight data needed)', async () => {
    const artifacts: tf.io.ModelArtifacts = {
      modelTopology: sequentialTopology([flattenLayer('f', [256, 256, 3]), denseLayer('big', 512)]),
      weightSpecs: [{ name: 'big/kernel', shape: [196608, 512], dtype: 'float32' }, { name: 'big/bias', shape: [512], dtype: 'float32' }],
      weightData: new ArrayBuffer(0),
    };
    const { message, grew } = await failedLoads(artifacts, 1);
    expect(message).toBe('model.json needs about 385.5 MiB at batch 1 (weights 384.0 MiB, layer "f" 1.5 MiB for its input and output); the studio accepts at most 256.0 MiB.');
    expect(grew).toEqual(NOTHING);
  });

  it('bounds units and filters', async () => {
    const dense = await failedLoads(handmadeArtifacts(sequentialTopology([flattenLayer('f', [4, 4, 1]), denseLayer('d1', 1e9)]), []), 1);
    expect(dense.message).toBe('model.json: layer "d1" (Dense) has units 1.0e9; the studio accepts at most 65,536.');
    const conv = await failedLoads(handmadeArtifacts(sequentialTopology([conv2dLayer('c', -2, 3, { batch_input_shape: [null, 8, 8, 1] })]), []), 1);
    expect(conv.message).toBe('model.json: layer "c" (Conv2D) has filters -2; it must be a whole number of at least 1.');
  });
});

describe('failed loads leave nothing behind (N failed loads keep tf.memory() unchanged)', () => {
  beforeAll(async () => {
    await setupNodeBackend('wasm');
  });

  it('an unknown layer class after a dense layer', async () => {
    const { message, grew } = await failedLoads(handmadeArtifacts(
      sequentialTopology([flattenLayer('f', [4, 4, 1]), denseLayer('d1', 8), { class_name: 'NoSuch', config: { name: 'x' } }]), FLAT));
    expect(message).toBe('model.json: layer 3 ("x") is of class "NoSuch", which TensorFlow.js does not know.');
    expect(grew).toEqual(NOTHING);
  });

  it('a transposed kernel in the manifest', async () => {
    const { message, grew } = await failedLoads(handmadeArtifacts(
      sequentialTopology([flattenLayer('f', [4, 4, 1]), denseLayer('d1', 8), denseLayer('d2', 3)]),
      [['d1/kernel', [8, 16]], ['d1/bias', [8]], ['d2/kernel', [8, 3]], ['d2/bias', [3]]]));
    expect(message).toBe('model.json: layer "d1" (Dense) needs d1/kernel of shape [16, 8]; weightsManifest gives d1/kernel the shape [8, 16].');
    expect(grew).toEqual(NOTHING);
  });

  it('units 1e9 and units 400000 (which tfjs would allocate: 12.8 MB of zeros, kept)', async () => {
    for (const units of [1e9, 400_000]) {
      const { message, grew } = await failedLoads(handmadeArtifacts(
        sequentialTopology([flattenLayer('f', [4, 4, 1]), denseLayer('d1', 8), denseLayer('d2', units)]), FLAT));
      expect(message).toMatch(/^model\.json: layer "d2" \(Dense\) has units (1\.0e9|400,000); the studio accepts at most 65,536\.$/);
      expect(grew).toEqual(NOTHING);
    }
  });

  it('a weight the config implies but the manifest lacks', async () => {
    const { message, grew } = await failedLoads(handmadeArtifacts(
      sequentialTopology([flattenLayer('f', [4, 4, 1]), denseLayer('d1', 8), denseLayer('d2', 3)]), FLAT));
    expect(message).toBe('model.json: layer "d2" (Dense) needs a weight d2/kernel of shape [8, 3]; weightsManifest has none.');
    expect(grew).toEqual(NOTHING);
  });

  it('a layer tfjs knows but fails to build, after layers it has built (no static check catches it)', async () => {
    // Conv1D wants [steps, channels]; tfjs throws only when it reaches it, with d1's variables made.
    const { message, grew } = await failedLoads(handmadeArtifacts(
      sequentialTopology([
        denseLayer('d1', 8, { batch_input_shape: [null, 4, 4, 1] }),
        { class_name: 'Conv1D', config: { name: 'c1', filters: 2, kernel_size: [3], strides: [1], padding: 'valid', dilation_rate: [1] } },
      ]),
      [['d1/kernel', [1, 8]], ['d1/bias', [8]]]));
    expect(message).toMatch(/^The model could not be built: /);
    expect(grew).toEqual(NOTHING);
  });

  it('weights tfjs decodes and then cannot set (a layer whose weights the studio does not check)', async () => {
    const { message, grew } = await failedLoads(handmadeArtifacts(
      sequentialTopology([
        flattenLayer('f', [4, 4, 1]),
        denseLayer('d1', 8),
        { class_name: 'LayerNormalization', config: { name: 'ln', axis: -1, epsilon: 1e-3, center: true, scale: true } },
      ]),
      [...FLAT, ['ln/gamma', [5]], ['ln/beta', [8]]]));
    expect(message).toMatch(/^The model could not be built: .*[Ss]hape/);
    expect(grew).toEqual(NOTHING);
  });

  it('a model that loads and is disposed leaves nothing either', async () => {
    const before = memorySnapshot();
    const { model, net } = await loadNetFromArtifacts(handmadeArtifacts(
      sequentialTopology([flattenLayer('f', [4, 4, 1]), denseLayer('d1', 8)]), FLAT));
    expect(net.outputs).toBe(8);
    disposeNet(net);
    model.dispose();
    const after = memorySnapshot();
    expect({ tensors: after.tensors - before.tensors, variables: after.variables - before.variables }).toEqual({ tensors: 0, variables: 0 });
  });
});

describe('non-finite weights and outputs', () => {
  beforeAll(async () => {
    await setupNodeBackend('wasm');
  });

  it('refuses NaN or infinite weights at load, naming the weight', async () => {
    const kernel = Array.from({ length: 16 * 8 }, (_, i) => (i === 17 ? NaN : i === 40 ? Infinity : 0.1));
    const { message, grew } = await failedLoads(handmadeArtifacts(
      sequentialTopology([flattenLayer('f', [4, 4, 1]), denseLayer('d1', 8)]), [['d1/kernel', [16, 8], kernel], ['d1/bias', [8]]]));
    expect(message).toBe('model.json: weight "d1/kernel" holds 2 values that are not a finite number (NaN or infinity), the first at index 17; the model\'s outputs would not be numbers.');
    expect(grew).toEqual(NOTHING);
  });

  it('refuses float16 weights holding NaN', async () => {
    const data = new Uint16Array([0x3c00, 0x7e00, 0x3c00, 0x3c00]);
    const artifacts: tf.io.ModelArtifacts = {
      modelTopology: sequentialTopology([flattenLayer('f', [1, 1, 1]), denseLayer('d1', 2)]),
      weightSpecs: [
        { name: 'd1/kernel', shape: [1, 2], dtype: 'float32', quantization: { dtype: 'float16' } },
        { name: 'd1/bias', shape: [2], dtype: 'float32', quantization: { dtype: 'float16' } },
      ],
      weightData: data.buffer,
    };
    await expect(loadNetFromArtifacts(artifacts)).rejects.toThrow('weight "d1/kernel" holds 1 value that is not a finite number');
  });

  it('classify throws instead of predicting "class 0 (NaN%)" when finite weights overflow', async () => {
    const kernel = tf.tensor2d([[3e38, -3e38]]);
    const net: Net = {
      inputShape: [1, 1, 1], outputs: 2, head: 'softmax', unsupported: [], owned: [],
      layers: [{ kind: 'flatten', name: 'f' }, { kind: 'dense', name: 'd', kernel, bias: null }],
    };
    const x = tf.tensor4d([10], [1, 1, 1, 1]);
    const before = tf.memory().numTensors;
    await expect(classify(net, x)).rejects.toThrow("The model's output for this input is not a finite number (logit 0 is Infinity)");
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([kernel, x]);
  });
});
