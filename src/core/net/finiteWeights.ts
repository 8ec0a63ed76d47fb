import type * as tf from '@tensorflow/tfjs';
import { storedBytes, weightValues } from './weightBytes';

/** Index of the first value that is not a finite number, and how many there are. */
function nonFinite(values: ArrayLike<number>, isBad: (v: number) => boolean): { first: number; count: number } | null {
  let first = -1;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    if (isBad(values[i])) {
      if (first < 0) first = i;
      count++;
    }
  }
  return count ? { first, count } : null;
}

/**
 * Refuses weights that hold NaN or ±Infinity, naming the weight: such a model answers every
 * input with NaN ("Predicted class 0 (NaN%)"). One pass over the float weights as stored
 * (float32, float16; uint8/uint16 quantisation is finite when its min and scale are).
 */
export function checkFiniteWeights(specs: tf.io.WeightsManifestEntry[], data: ArrayBuffer): void {
  let offset = 0;
  for (const spec of specs) {
    const n = weightValues(spec);
    const stored = spec.quantization?.dtype ?? spec.dtype;
    const bytes = storedBytes(spec);
    let bad: { first: number; count: number } | null = null;
    if (spec.dtype === 'float32' && stored === 'float32') {
      const values = offset % 4 === 0 ? new Float32Array(data, offset, n) : new Float32Array(data.slice(offset, offset + bytes));
      bad = nonFinite(values, (v) => !Number.isFinite(v));
    } else if (stored === 'float16') {
      const halves = offset % 2 === 0 ? new Uint16Array(data, offset, n) : new Uint16Array(data.slice(offset, offset + bytes));
      // All exponent bits set: infinity or NaN.
      bad = nonFinite(halves, (h) => (h & 0x7c00) === 0x7c00);
    } else if (spec.quantization && (stored === 'uint8' || stored === 'uint16')) {
      const { min, scale } = spec.quantization;
      if (!Number.isFinite(min ?? 0) || !Number.isFinite(scale ?? 1)) {
        throw new Error(`model.json: weight "${spec.name}" is quantised with min ${min} and scale ${scale}; both must be finite numbers.`);
      }
    }
    if (bad) {
      throw new Error(`model.json: weight "${spec.name}" holds ${bad.count} value${bad.count === 1 ? '' : 's'} that ${bad.count === 1 ? 'is' : 'are'} not a finite number `
        + `(NaN or infinity), the first at index ${bad.first}; the model's outputs would not be numbers.`);
    }
    offset += bytes;
  }
}
