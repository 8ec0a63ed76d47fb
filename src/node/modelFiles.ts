// Reading and writing tfjs LayersModels as files in Node (tfjs-node's file:// handler is not
// available here, so these small IO handlers stand in for it).
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { artifactsFromParts, loadNetFromArtifacts, parseModelJson } from '../core/net/modelJson';
import type { Net } from '../core/net/ir';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array(artifacts.weightData as ArrayBuffer));
    const modelJson = {
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
      convertedBy: null,
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
    };
    writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
}

/** `mnist` names a built-in model; anything else is a path to a model.json. */
export function resolveModelJsonPath(model: string): string {
  const builtin = join(PROJECT_ROOT, 'public', 'models', model, 'model.json');
  if (/^[a-z0-9-]+$/i.test(model) && existsSync(builtin)) return builtin;
  if (existsSync(model)) return resolve(model);
  throw new Error(`No model "${model}": give a built-in id (mnist) or the path of a model.json.`);
}

export async function loadNetFromFile(model: string): Promise<{ model: tf.LayersModel; net: Net; dir: string }> {
  const path = resolveModelJsonPath(model);
  const json = parseModelJson(readFileSync(path, 'utf8'));
  const dir = dirname(path);
  const files = new Map<string, ArrayBuffer>();
  for (const p of json.weightsManifest.flatMap((g) => g.paths)) {
    const file = join(dir, p);
    if (existsSync(file)) {
      const buf = readFileSync(file);
      files.set(p.split('/').pop()!, buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
    }
  }
  const loaded = await loadNetFromArtifacts(artifactsFromParts(json, files));
  return { ...loaded, dir };
}
