import type * as tf from '@tensorflow/tfjs';

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

export const weightValues = (spec: tf.io.WeightsManifestEntry): number => spec.shape.reduce((a, b) => a * b, 1);

/** Bytes a weight takes in the weight files: quantised weights are stored at their quantised width. */
export const storedBytes = (spec: tf.io.WeightsManifestEntry): number =>
  weightValues(spec) * (BYTES[spec.quantization?.dtype ?? spec.dtype] ?? 4);

/** Bytes a weight takes once tfjs has decoded it (quantised weights become float32). */
export const decodedBytes = (spec: tf.io.WeightsManifestEntry): number => weightValues(spec) * (BYTES[spec.dtype] ?? 4);
