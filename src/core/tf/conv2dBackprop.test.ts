import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setupNodeBackend } from './node';
import { mulberry32 } from '../util/random';

function randomTensor(shape: number[], seed: number): tf.Tensor {
  const rand = mulberry32(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => rand() * 2 - 1), shape);
}

// The filter and input gradients of sum(conv2d(x, w) * dy) on the wasm backend (both composed
// by the project) must equal the CPU backend's built-in kernels. Sums run over up to 2*9*9 products of O(1) numbers, so float32
// rounding stays below 1e-4 relative; we allow 1e-4 of the largest entry.
const cases: Array<{ x: number[]; k: number[]; stride: number; pad: 'same' | 'valid' }> = [
  { x: [2, 7, 7, 3], k: [3, 3, 3, 4], stride: 1, pad: 'same' },
  { x: [2, 7, 7, 3], k: [3, 3, 3, 4], stride: 1, pad: 'valid' },
  { x: [2, 9, 8, 2], k: [3, 2, 2, 5], stride: 2, pad: 'same' },
  { x: [2, 9, 8, 2], k: [3, 3, 2, 5], stride: 2, pad: 'valid' },
  { x: [1, 28, 28, 1], k: [5, 5, 1, 8], stride: 1, pad: 'same' },
  { x: [1, 10, 10, 2], k: [4, 4, 2, 3], stride: 2, pad: 'same' },
  { x: [2, 11, 9, 3], k: [3, 3, 3, 2], stride: 3, pad: 'valid' },
];

async function gradient(backend: 'wasm' | 'cpu', c: (typeof cases)[number], wrt: 'filter' | 'input'): Promise<Float32Array> {
  await setupNodeBackend(backend);
  return tf.tidy(() => {
    const x = randomTensor(c.x, 1) as tf.Tensor4D;
    const w = randomTensor(c.k, 2) as tf.Tensor4D;
    const probe = conv2dShape(c);
    const dy = randomTensor(probe, 3);
    const loss = (xt: tf.Tensor4D, wt: tf.Tensor4D) => tf.sum(tf.mul(tf.conv2d(xt, wt, c.stride, c.pad), dy));
    const g = wrt === 'filter'
      ? tf.grad((wt: tf.Tensor) => loss(x, wt as tf.Tensor4D))(w)
      : tf.grad((xt: tf.Tensor) => loss(xt as tf.Tensor4D, w))(x);
    return g.dataSync() as Float32Array;
  });
}

function conv2dShape(c: (typeof cases)[number]): number[] {
  const info = tf.backend_util.computeConv2DInfo(c.x as [number, number, number, number],
    c.k as [number, number, number, number], c.stride, 1, c.pad);
  return info.outShape;
}

for (const wrt of ['filter', 'input'] as const) {
  const kernel = wrt === 'filter' ? 'Conv2DBackpropFilter' : 'Conv2DBackpropInput';
  describe(`${kernel} on wasm`, () => {
    it('wasm has the kernel after setup', async () => {
      await setupNodeBackend('wasm');
      expect(tf.getKernel(kernel, 'wasm')).toBeDefined();
    });
    for (const c of cases) {
      it(`matches the CPU kernel: x ${c.x} k ${c.k} stride ${c.stride} ${c.pad}`, async () => {
        const ref = await gradient('cpu', c, wrt);
        const got = await gradient('wasm', c, wrt);
        expect(got.length).toBe((wrt === 'filter' ? c.k : c.x).reduce((a, b) => a * b, 1));
        const scale = Math.max(...ref.map(Math.abs));
        let worst = 0;
        for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(got[i] - ref[i]));
        expect(worst / scale).toBeLessThan(1e-4);
      });
    }
  });
}
