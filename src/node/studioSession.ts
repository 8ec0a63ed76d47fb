// What the CLI, benchmarks and tests share: a loaded model with its meta and an image turned
// into the tensor the model sees.
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { preprocessForModel, type ModelInput, type PreprocessingKind } from '../core/image/preprocess';
import type { Net } from '../core/net/ir';
import { parseReference, type ReferenceDistribution } from '../core/reference/distribution';
import { loadNetFromFile } from './modelFiles';
import { readPng } from './imageFiles';

export interface ModelMeta {
  id: string;
  classes: string[];
  inputShape: [number, number, number];
  preprocessing: PreprocessingKind;
}

/** The reference distribution stored beside a model (reference.json + reference.bin), if any. */
export function openReference(dir: string): ReferenceDistribution | undefined {
  const jsonPath = join(dir, 'reference.json');
  if (!existsSync(jsonPath)) return undefined;
  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as { file: string };
  const buf = readFileSync(join(dir, json.file));
  return parseReference(json, buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
}

export async function openModel(model: string): Promise<{ net: Net; meta: ModelMeta; layersModel: tf.LayersModel; reference?: ReferenceDistribution }> {
  const { net, model: layersModel, dir } = await loadNetFromFile(model);
  const metaPath = join(dir, 'meta.json');
  const meta: ModelMeta = existsSync(metaPath)
    ? JSON.parse(readFileSync(metaPath, 'utf8'))
    : {
      id: model,
      classes: Array.from({ length: net.outputs }, (_, k) => String(k)),
      inputShape: net.inputShape,
      preprocessing: 'fit',
    };
  return { net, meta, layersModel, reference: openReference(dir) };
}

export function imageInput(path: string, meta: ModelMeta): ModelInput {
  return preprocessForModel(meta.preprocessing, readPng(path), meta.inputShape);
}

export function inputTensor(input: ModelInput): tf.Tensor4D {
  return tf.tensor4d(input.pixels, [1, ...input.shape]);
}
