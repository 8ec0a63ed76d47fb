// Reading and writing tfjs LayersModels as files in Node (tfjs-node's file:// handler is not
// available here, so these small IO handlers stand in for it).
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openModelBundle, type ModelBundle, type ReadBundleFile } from '../core/net/modelBundle';
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

/**
 * Reads a bundle's files from its folder. bundlePath (core) already refuses paths that leave
 * it; this also refuses a file that a symbolic link takes outside.
 */
export function folderReader(dir: string): ReadBundleFile {
  const root = realpathSync(dir);
  return async (relativePath) => {
    const file = resolve(root, relativePath);
    if (!existsSync(file)) return null;
    const real = realpathSync(file);
    if (!real.startsWith(root + sep)) throw new Error(`"${relativePath}" leads outside the model's folder ${root}.`);
    const buf = readFileSync(real);
    return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  };
}

/** Opens a built-in model or a model.json with its folder through the one bundle loader in core. */
export async function openModelFolder(model: string): Promise<ModelBundle & { dir: string }> {
  const path = resolveModelJsonPath(model);
  const dir = dirname(path);
  const bundle = await openModelBundle(folderReader(dir), { id: model, modelJson: basename(path) });
  return { ...bundle, dir };
}

export async function loadNetFromFile(model: string): Promise<{ model: tf.LayersModel; net: Net; dir: string }> {
  const { model: layersModel, net, dir } = await openModelFolder(model);
  return { model: layersModel, net, dir };
}
