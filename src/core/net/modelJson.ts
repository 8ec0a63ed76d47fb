import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { checkFiniteWeights } from './finiteWeights';
import { netFromLayersModel } from './fromLayersModel';
import type { Net } from './ir';
import { checkTopology, type TopologySummary } from './topologyCheck';
import { storedBytes } from './weightBytes';
import { parseJsonText } from './jsonText';
import { initialisersOf, type LayerInitialisers } from './initialisers';

const weightSpec = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.enum(['float32', 'int32', 'bool', 'string', 'complex64']),
  quantization: z.object({ dtype: z.enum(['uint8', 'uint16', 'float16']) }).loose().optional(),
}).loose();

const modelJsonSchema = z.object({
  format: z.string().optional(),
  modelTopology: z.record(z.string(), z.unknown()),
  weightsManifest: z.array(z.object({ paths: z.array(z.string()), weights: z.array(weightSpec) })),
}).loose();

export type ModelJson = z.infer<typeof modelJsonSchema>;

/**
 * Parses and checks a tfjs layers `model.json` ourselves: tfjs's own loader never settles on
 * some malformed files (DESIGN.md, Backends), so every problem here becomes a sentence.
 */
export function parseModelJson(text: string): ModelJson {
  const raw = parseJsonText(text, 'model.json');
  const parsed = modelJsonSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`model.json is not a TensorFlow.js layers model: ${issue.path.join('.') || 'root'}: ${issue.message}.`);
  }
  if (parsed.data.format && parsed.data.format !== 'layers-model') {
    throw new Error(`model.json has format "${parsed.data.format}"; the studio loads layers models (tf.LayersModel).`);
  }
  return parsed.data;
}

/**
 * Joins the weight files in manifest order and checks their sizes against the manifest. A file
 * is looked up by its path in the manifest, then by its base name (files a user drops come
 * without their folders).
 */
export function artifactsFromParts(json: ModelJson, weightFiles: Map<string, ArrayBuffer>): tf.io.ModelArtifacts {
  const paths = json.weightsManifest.flatMap((g) => g.paths);
  const fileOf = (p: string) => weightFiles.get(p) ?? weightFiles.get(baseName(p));
  const missing = paths.filter((p) => !fileOf(p));
  if (missing.length) throw new Error(`Weight file${missing.length > 1 ? 's' : ''} missing: ${missing.join(', ')}.`);
  const specs = json.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[];
  const expected = specs.reduce((n, s) => n + storedBytes(s), 0);
  const parts = paths.map((p) => new Uint8Array(fileOf(p)!));
  const total = parts.reduce((n, b) => n + b.byteLength, 0);
  if (total !== expected) {
    throw new Error(`The weight files hold ${total} bytes but model.json describes ${expected}.`);
  }
  const weightData = new Uint8Array(total);
  let offset = 0;
  for (const b of parts) {
    weightData.set(b, offset);
    offset += b.byteLength;
  }
  return {
    modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs: specs,
    weightData: weightData.buffer,
    format: json.format,
  };
}

function baseName(path: string): string {
  return path.split('/').pop() ?? path;
}

/**
 * The topology with every initializer replaced by zeros. The weight files overwrite every
 * variable at once, so random initialisation would only cost time (and some initializers,
 * such as Identity on a non-square kernel, throw); tfjs's own loader skips it the same way.
 */
function withZeroInitializers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withZeroInitializers);
  if (value == null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [
    k, /(_i|I)nitializer$/.test(k) && v != null ? { class_name: 'Zeros', config: {} } : withZeroInitializers(v),
  ]));
}

/**
 * Builds the LayersModel, sets its weights and makes its IR, after checking model.json against
 * the studio's limits and the weights for NaN (checkTopology, checkFiniteWeights), so a hostile
 * file is refused before tfjs allocates anything.
 *
 * When tfjs fails anyway it leaves behind what it had made: the variables of every layer built
 * before the failing one (it keeps no reference to them: they live on in the engine's
 * registry), and, when setting the weights fails, the decoded weight tensors. So the layers
 * are built by `modelFromJSON`, which builds them synchronously when given no weights: the
 * variables new in the engine's registry after that call are exactly this model's, and are
 * disposed on any failure; the weights are decoded and set inside `tf.tidy`, which frees the
 * decoded tensors whether or not setting them succeeds.
 */
export async function loadNetFromArtifacts(artifacts: tf.io.ModelArtifacts): Promise<{ model: tf.LayersModel; net: Net; summary: TopologySummary; initialisers: LayerInitialisers }> {
  const specs = artifacts.weightSpecs ?? [];
  const data = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0));
  const summary = checkTopology(artifacts.modelTopology, specs);
  checkFiniteWeights(specs, data);
  const registry = tf.engine().state.registeredVariables;
  const before = new Set(Object.keys(registry));
  const build: { model?: Promise<tf.LayersModel> } = {};
  tf.tidy(() => {
    build.model = tf.models.modelFromJSON({ modelTopology: withZeroInitializers(artifacts.modelTopology) } as Parameters<typeof tf.models.modelFromJSON>[0]);
  });
  const created = Object.keys(registry).filter((name) => !before.has(name)).map((name) => registry[name]);
  try {
    const model = await build.model!;
    tf.tidy(() => model.loadWeights(tf.io.decodeWeights(data, specs), true));
    return { model, net: netFromLayersModel(model), summary, initialisers: initialisersOf(artifacts.modelTopology) };
  } catch (err) {
    for (const v of created) if (!v.isDisposed) v.dispose();
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(/^(The model|Layer|model\.json)/.test(message) ? message : `The model could not be built: ${message}`);
  }
}
