import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { netFromLayersModel } from './fromLayersModel';
import type { Net } from './ir';

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

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/**
 * Parses and checks a tfjs layers `model.json` ourselves: tfjs's own loader never settles on
 * some malformed files (DESIGN.md, Backends), so every problem here becomes a sentence.
 */
export function parseModelJson(text: string): ModelJson {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error('model.json is not valid JSON.');
  }
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

/** Joins the weight files in manifest order and checks their sizes against the manifest. */
export function artifactsFromParts(json: ModelJson, weightFiles: Map<string, ArrayBuffer>): tf.io.ModelArtifacts {
  const paths = json.weightsManifest.flatMap((g) => g.paths);
  const missing = paths.filter((p) => !weightFiles.has(baseName(p)));
  if (missing.length) throw new Error(`Weight file${missing.length > 1 ? 's' : ''} missing: ${missing.join(', ')}.`);
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  // Quantised weights are stored at their quantised width.
  const expected = specs.reduce((n, s) => n + (BYTES[s.quantization?.dtype ?? s.dtype] ?? 4) * s.shape.reduce((a, b) => a * b, 1), 0);
  const parts = paths.map((p) => new Uint8Array(weightFiles.get(baseName(p))!));
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
    weightSpecs: specs as tf.io.WeightsManifestEntry[],
    weightData: weightData.buffer,
    format: json.format,
  };
}

function baseName(path: string): string {
  return path.split('/').pop() ?? path;
}

/** Builds the LayersModel (bounded by a timeout) and its IR. */
export async function loadNetFromArtifacts(artifacts: tf.io.ModelArtifacts, timeoutMs = 20_000): Promise<{ model: tf.LayersModel; net: Net }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`The model did not load within ${timeoutMs / 1000} s.`)), timeoutMs);
  });
  try {
    const model = await Promise.race([tf.loadLayersModel(tf.io.fromMemory(artifacts)), timeout]);
    try {
      return { model, net: netFromLayersModel(model) };
    } catch (err) {
      model.dispose();
      throw err;
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(message.startsWith('The model') || message.startsWith('Layer') ? message : `The model could not be built: ${message}`);
  } finally {
    clearTimeout(timer);
  }
}
