import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from '../tf/node';
import type { Net } from '../net/ir';
import { mulberry32 } from '../util/random';
import { syntheticReference, tinyNet } from '../adf/testing/tinyNet';
import { makeDistortion } from './rdeObjective';
import { scoreMoments } from './scoreMoments';
import { runRde, rdeParams } from './rde';
import { sampleObfuscations } from './obfuscationSamples';

// What WebGL and WebGPU cannot do, checked where the unit tests run (WASM): tensors of size 0,
// and synchronous reads (dataSync), which stall WebGPU and on a software adapter lose the device.

/**
 * Every tensor the engine creates while `f` runs whose size is 0, by shape. WASM and CPU accept
 * them, WebGL does not (RDE's old [0, 28, 28, 1] factor failed there: "The new shape (NaN,0) has
 * NaN elements"), so the Node tests look for them directly.
 */
async function zeroSizeTensors<T>(f: () => T | Promise<T>): Promise<{ result: T; shapes: number[][] }> {
  const engine = tf.engine() as unknown as { trackTensor(t: tf.Tensor, backend: unknown): void };
  const original = engine.trackTensor;
  const shapes: number[][] = [];
  engine.trackTensor = function (this: unknown, t: tf.Tensor, backend: unknown) {
    if (t.size === 0) shapes.push(t.shape.slice());
    return original.call(this, t, backend);
  };
  try {
    return { result: await f(), shapes };
  } finally {
    engine.trackTensor = original;
  }
}

/**
 * How many synchronous reads (dataSync, arraySync, bufferSync, or an op's own) `f` makes outside
 * kernels. Reads inside a kernel belong to that backend's kernel (the project's WASM-only
 * Conv2DBackpropInput reads its filter, which is on the CPU there) and are not counted.
 */
async function syncReads(f: () => Promise<unknown>): Promise<number> {
  const engine = tf.engine() as unknown as { readSync(dataId: object): unknown; state: { kernelDepth: number } };
  const original = engine.readSync;
  let count = 0;
  engine.readSync = function (this: unknown, dataId: object) {
    if (engine.state.kernelDepth === 0) count++;
    return original.call(this, dataId);
  };
  try {
    await f();
    return count;
  } finally {
    engine.readSync = original;
  }
}

describe('RDE within what WebGL and WebGPU allow', () => {
  let net: Net;
  const { reference } = syntheticReference(21);
  const rand = mulberry32(5);
  const xValues = Float32Array.from({ length: 64 }, () => rand());
  const maskValues = Float32Array.from({ length: 2 * 64 }, () => rand());

  beforeAll(async () => {
    await setupNodeBackend('wasm');
    const built = tinyNet();
    net = built.net;
    return () => built.model.dispose();
  });

  it('the spies see a zero-size tensor and a synchronous read', async () => {
    const { shapes } = await zeroSizeTensors(() => tf.dispose(tf.zeros([0, 8, 8, 1])));
    expect(shapes).toEqual([[0, 8, 8, 1]]);
    const t = tf.zeros([2]);
    expect(await syncReads(async () => t.dataSync())).toBe(1);
    expect(await syncReads(() => t.data())).toBe(0);
    t.dispose();
  });

  it('rank 0 makes no zero-size tensor in ADF diag; D(s) and its gradient for two masks are unchanged from before the fix', async () => {
    const x = tf.tensor4d(xValues, [1, 8, 8, 1]);
    const s = tf.tensor4d(maskValues, [2, 8, 8, 1]);
    const { result, shapes } = await zeroSizeTensors(() => {
      const dist = makeDistortion(net, x, 1, 0.7, reference, { mode: 'diag', rank: 0, samples: 1, seed: 0 });
      try {
        return tf.tidy(() => {
          const d = dist.distortion(s);
          const g = tf.grad((t: tf.Tensor) => tf.sum(dist.distortion(t as tf.Tensor4D)))(s);
          return { d: Array.from(d.dataSync()), gradSum: tf.sum(g).dataSync()[0] };
        });
      } finally {
        dist.dispose();
      }
    });
    expect(shapes).toEqual([]);
    // Recorded with the code before the fix (which built a [0, 8, 8, 1] factor and never used
    // it in diag mode), on wasm; 1e-5 relative is a few float32 roundings of values of order 1.
    const before = { d: [0.11050582677125931, 0.08795201033353806], gradSum: -0.19605547189712524 };
    result.d.forEach((v, i) => expect(Math.abs(v - before.d[i]) / Math.abs(before.d[i])).toBeLessThan(1e-5));
    expect(Math.abs(result.gradSum - before.gradSum) / Math.abs(before.gradSum)).toBeLessThan(1e-5);
    tf.dispose([x, s]);
  });

  it('rank 0 makes no zero-size tensor: scoreMoments, a short runRde in diag and mc mode, obfuscation samples', async () => {
    const x = tf.tensor4d(xValues, [1, 8, 8, 1]);
    const s = tf.tensor4d(maskValues.subarray(0, 64), [1, 8, 8, 1]);
    const before = tf.memory().numTensors;
    const { shapes } = await zeroSizeTensors(async () => {
      await scoreMoments(net, x, 1, s, reference, { mode: 'diag', rank: 0 });
      await scoreMoments(net, x, 1, s, reference, { mode: 'mc', rank: 0, samples: 50, seed: 1 });
      for (const mode of ['diag', 'mc'] as const) {
        await runRde(net, x, 1, rdeParams.parse({ mode, rank: 0, iterations: 3, samples: 8 }), { reference, seed: 2 });
      }
      await sampleObfuscations(net, x, maskValues.subarray(0, 64), 1, reference, { count: 3, rank: 0, seed: 3 });
    });
    expect(shapes).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, s]);
  });

  it('reads back asynchronously only: every mode, both optimisers, the streamed mask, scoreMoments', async () => {
    const x = tf.tensor4d(xValues, [1, 8, 8, 1]);
    const s = tf.tensor4d(maskValues.subarray(0, 64), [1, 8, 8, 1]);
    const reads = await syncReads(async () => {
      for (const [mode, rank, optimizer] of [['diag', 0, 'armijo'], ['lowrank', 2, 'armijo'], ['lowrank-diag', 2, 'adam'], ['mc', 2, 'armijo']] as const) {
        let streamed = 0;
        await runRde(net, x, 1, rdeParams.parse({ mode, rank, optimizer, iterations: 2, samples: 4 }), {
          reference, seed: 2, onIteration: (_r, current) => { streamed += current().length; },
        });
        expect(streamed).toBe(2 * 64);
        await scoreMoments(net, x, 1, s, reference, { mode, rank, samples: 20, seed: 1 });
      }
    });
    expect(reads).toBe(0);
    tf.dispose([x, s]);
  });
});
