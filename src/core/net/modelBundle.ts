import type * as tf from '@tensorflow/tfjs';
import { parseReference, referenceJsonSchema, type ReferenceDistribution, type ReferenceJson } from '../reference/distribution';
import { disposeNet } from './fromLayersModel';
import type { Net } from './ir';
import { artifactsFromParts, loadNetFromArtifacts, parseModelJson } from './modelJson';
import { parseModelMeta, resolveModelMeta, type ModelMeta, type ModelMetaFile } from './modelMeta';
import { plural } from '../util/plural';
import { formatBytes } from './modelLimits';
import { checkTopology } from './topologyCheck';
import { parseJsonText } from './jsonText';
import type { LayerInitialisers } from './initialisers';

/**
 * Reads one file of a model bundle by its path relative to the bundle's folder (a fetch in the
 * worker, the file system in Node, the dropped files for a user's model); null when it is not there.
 */
export type ReadBundleFile = (relativePath: string) => Promise<ArrayBuffer | null>;

/** What the studio says about a model it loaded. */
export interface ModelLoadReport {
  inputShape: [number, number, number];
  classes: number;
  layers: number;
  weightTensors: number;
  /** Weight values, all tensors together. */
  parameters: number;
  weightBytes: number;
  /** One line for a person: "MNIST digits: input 28 x 28 x 1, 10 classes, …". */
  text: string;
}

export interface ModelBundle {
  model: tf.LayersModel;
  net: Net;
  meta: ModelMeta;
  /** The reference distribution V stored beside the model (reference.json + its data file), if any. */
  reference?: ReferenceDistribution;
  report: ModelLoadReport;
  /** Each layer's initialisers as model.json states them (the sanity check re-draws with them). */
  initialisers: LayerInitialisers;
}

/**
 * A path from a bundle's own files, checked to stay inside the bundle's folder: no "..", no
 * absolute path, no scheme or drive ("file:", "https:", "C:"), percent-encoded dots counted as
 * dots (URL resolution treats "%2e%2e" as ".."). Returns it without "." segments.
 */
export function bundlePath(path: string, namedIn: string): string {
  const segments = path.replace(/%2e/gi, '.').split(/[/\\]/);
  if (!path || path.includes('\0') || /^[a-z][a-z0-9+.-]*:/i.test(path) || /^[/\\]/.test(path) || segments.includes('..')) {
    throw new Error(`${namedIn} names the file "${path}", which is outside the model's folder; a model's files must sit in its folder (no "..", absolute paths or URLs).`);
  }
  return segments.filter((s) => s !== '.' && s !== '').join('/');
}

const decode = (bytes: ArrayBuffer) => new TextDecoder().decode(bytes);

/** reference.json checked, and the data file it names (confined to the bundle's folder). */
export function referenceFileOf(jsonText: string): { json: ReferenceJson; file: string } {
  const raw = parseJsonText(jsonText, 'reference.json');
  const parsed = referenceJsonSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`reference.json: ${issue.path.join('.') || 'root'}: ${issue.message}.`);
  }
  return { json: parsed.data, file: bundlePath(parsed.data.file, 'reference.json') };
}

async function readReference(readFile: ReadBundleFile, inputShape: [number, number, number]): Promise<ReferenceDistribution | undefined> {
  const jsonBytes = await readFile('reference.json');
  if (!jsonBytes) return undefined;
  const { json, file } = referenceFileOf(decode(jsonBytes));
  if (json.shape.some((d, k) => d !== inputShape[k])) {
    throw new Error(`reference.json describes ${json.shape.join(' x ')} inputs; the model takes ${inputShape.join(' x ')}.`);
  }
  const data = await readFile(file);
  if (!data) throw new Error(`reference.json names ${file}, which is missing.`);
  return parseReference(json, data);
}

/**
 * Opens a model bundle: model.json, its weight files, meta.json and the reference distribution
 * (DESIGN.md: one loader that the worker and Node both call). Everything that can be refused
 * from the JSON files alone (limits, topology against the weights manifest, meta.json's schema,
 * paths outside the folder) is refused before a weight file is read or tfjs allocates anything;
 * a failure after the build frees the model.
 */
export async function openModelBundle(readFile: ReadBundleFile, options: { id: string; modelJson?: string }): Promise<ModelBundle> {
  const modelJsonName = options.modelJson ?? 'model.json';
  const jsonBytes = await readFile(modelJsonName);
  if (!jsonBytes) throw new Error(`The model's folder has no ${modelJsonName}.`);
  const json = parseModelJson(decode(jsonBytes));
  const { inputShape } = checkTopology(json.modelTopology, json.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[]);
  const paths = json.weightsManifest.flatMap((g) => g.paths).map((p) => [p, bundlePath(p, modelJsonName)] as const);
  const metaBytes = await readFile('meta.json');
  const metaFile: ModelMetaFile = metaBytes ? parseModelMeta(decode(metaBytes)) : {};
  const reference = await readReference(readFile, inputShape);
  const files = new Map<string, ArrayBuffer>();
  for (const [p, path] of paths) {
    const bytes = await readFile(path);
    if (bytes) files.set(p, bytes);
  }
  const { model, net, summary, initialisers } = await loadNetFromArtifacts(artifactsFromParts(json, files));
  let meta: ModelMeta;
  try {
    meta = resolveModelMeta(metaFile, net, options.id);
  } catch (err) {
    disposeNet(net);
    model.dispose();
    throw err;
  }
  const report: ModelLoadReport = {
    inputShape: net.inputShape, classes: meta.classes.length, layers: summary.layers,
    weightTensors: summary.weightTensors, parameters: summary.parameters, weightBytes: summary.weightBytes,
    text: `${meta.name}: input ${net.inputShape.join(' x ')}, ${plural(meta.classes.length, 'class', 'classes')}, `
      + `${plural(summary.layers, 'layer')}, ${plural(summary.weightTensors, 'weight tensor')} holding `
      + `${plural(summary.parameters, 'parameter')} (${formatBytes(summary.weightBytes)})`,
  };
  return { model, net, meta, reference, report, initialisers };
}

export function disposeModelBundle(bundle: Pick<ModelBundle, 'model' | 'net'>): void {
  disposeNet(bundle.net);
  bundle.model.dispose();
}
