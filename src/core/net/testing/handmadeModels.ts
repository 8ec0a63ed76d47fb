// model.json topologies written by hand, as a hostile or broken file would be, for the loader tests.
import * as tf from '@tensorflow/tfjs';

type LayerJson = { class_name: string; config: Record<string, unknown> };

export function sequentialTopology(layers: LayerJson[]): Record<string, unknown> {
  return { class_name: 'Sequential', config: { name: 'handmade', layers }, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' };
}

export const flattenLayer = (name: string, inputShape: number[]): LayerJson =>
  ({ class_name: 'Flatten', config: { name, batch_input_shape: [null, ...inputShape] } });

export const denseLayer = (name: string, units: number, extra: Record<string, unknown> = {}): LayerJson =>
  ({ class_name: 'Dense', config: { name, units, activation: 'linear', use_bias: true, ...extra } });

export const conv2dLayer = (name: string, filters: number, kernel: number, extra: Record<string, unknown> = {}): LayerJson => ({
  class_name: 'Conv2D',
  config: { name, filters, kernel_size: [kernel, kernel], strides: [1, 1], padding: 'valid', data_format: 'channels_last', dilation_rate: [1, 1], activation: 'linear', use_bias: true, ...extra },
});

/** A weight: its name, shape and (optionally) values; without values it holds small deterministic numbers. */
export type HandWeight = [name: string, shape: number[], values?: number[]];

export function handmadeArtifacts(topology: Record<string, unknown>, weights: HandWeight[]): tf.io.ModelArtifacts {
  const sizes = weights.map(([, shape]) => shape.reduce((a, b) => a * b, 1));
  const data = new Float32Array(sizes.reduce((a, b) => a + b, 0));
  let offset = 0;
  weights.forEach(([, , values], i) => {
    for (let k = 0; k < sizes[i]; k++) data[offset + k] = values ? values[k] : (((offset + k) * 37) % 17 - 8) / 40;
    offset += sizes[i];
  });
  return {
    modelTopology: topology,
    weightSpecs: weights.map(([name, shape]) => ({ name, shape, dtype: 'float32' as const })),
    weightData: data.buffer,
  };
}

/** A bundle held in memory, read as the loader reads a folder; records every path asked for. */
export function memoryBundle(files: Record<string, string | ArrayBuffer>): { read: (path: string) => Promise<ArrayBuffer | null>; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    read: async (path) => {
      asked.push(path);
      const f = files[path];
      if (f == null) return null;
      return typeof f === 'string' ? new TextEncoder().encode(f).buffer as ArrayBuffer : f;
    },
  };
}

/** model.json text for handmade artifacts, with the weights in one file. */
export function modelJsonText(artifacts: tf.io.ModelArtifacts, path = 'weights.bin'): string {
  return JSON.stringify({ format: 'layers-model', modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: [path], weights: artifacts.weightSpecs }] });
}
