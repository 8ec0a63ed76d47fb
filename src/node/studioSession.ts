// What the CLI, benchmarks and tests share: a loaded model with its meta and an image turned
// into the tensor the model sees.
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { preprocessForModel, type ModelInput } from '../core/image/preprocess';
import type { Net } from '../core/net/ir';
import { referenceFileOf, type ModelLoadReport } from '../core/net/modelBundle';
import type { ModelMeta } from '../core/net/modelMeta';
import { parseReference, type ReferenceDistribution } from '../core/reference/distribution';
import { openModelFolder } from './modelFiles';
import { readPng } from './imageFiles';
import type { LayerInitialisers } from '../core/net/initialisers';

export type { ModelMeta };

/** The reference distribution stored beside a model (reference.json + reference.bin), if any. */
export function openReference(dir: string): ReferenceDistribution | undefined {
  const jsonPath = join(dir, 'reference.json');
  if (!existsSync(jsonPath)) return undefined;
  const { json, file } = referenceFileOf(readFileSync(jsonPath, 'utf8'));
  const buf = readFileSync(join(dir, file));
  return parseReference(json, buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
}

/**
 * A built-in model (`mnist`) or a model.json path, opened by the bundle loader in core (the one
 * the worker calls): the IR, meta.json resolved against the model, the reference distribution
 * and the load report.
 */
export async function openModel(model: string): Promise<{ net: Net; meta: ModelMeta; layersModel: tf.LayersModel; reference?: ReferenceDistribution; report: ModelLoadReport; initialisers: LayerInitialisers; dir: string }> {
  const { net, meta, model: layersModel, reference, report, initialisers, dir } = await openModelFolder(model);
  return { net, meta, layersModel, reference, report, initialisers, dir };
}

export function imageInput(path: string, meta: ModelMeta): ModelInput {
  return preprocessForModel(meta.preprocessing, readPng(path), meta.inputShape);
}

export function inputTensor(input: ModelInput): tf.Tensor4D {
  return tf.tensor4d(input.pixels, [1, ...input.shape]);
}
