import { z } from 'zod';
import { preprocessingProblem, type PreprocessingKind } from '../image/preprocess';
import { plural } from '../util/plural';
import { parseJsonText } from './jsonText';


const count = z.number({ error: 'a whole number of at least 1' }).int({ error: 'a whole number of at least 1' }).min(1, { error: 'a whole number of at least 1' });
const finite = z.number({ error: 'a number' });

/**
 * meta.json beside a model (DESIGN.md, Data conventions): every field optional, so a user's
 * model loads with none; unknown fields (provenance, training settings) pass through.
 * Each `error` is what the field must be, said to the person who wrote the file.
 */
export const modelMetaSchema = z.object({
  id: z.string({ error: 'text' }).min(1, { error: 'non-empty text' }).optional(),
  name: z.string({ error: 'text' }).optional(),
  classes: z.array(z.string({ error: 'text' }).min(1, { error: 'non-empty text' }), { error: 'a list of class names' }).optional(),
  inputShape: z.tuple([count, count, count], { error: 'a list [height, width, channels]' }).optional(),
  inputRange: z.tuple([finite, finite], { error: 'a list [low, high]' })
    .refine(([lo, hi]) => lo < hi, { error: 'a list [low, high] with low below high' }).optional(),
  preprocessing: z.enum(['mnist', 'fit'] as const satisfies readonly PreprocessingKind[], { error: '"mnist" or "fit"' }).optional(),
  heldOutAccuracy: z.number({ error: 'a number between 0 and 1' })
    .min(0, { error: 'a number between 0 and 1' }).max(1, { error: 'a number between 0 and 1' }).optional(),
  architecture: z.string({ error: 'text' }).optional(),
  data: z.string({ error: 'text' }).optional(),
  command: z.string({ error: 'text' }).optional(),
  tfjs: z.string({ error: 'text' }).optional(),
  training: z.record(z.string(), z.unknown(), { error: 'an object' }).optional(),
}, { error: 'a JSON object' }).loose();

export type ModelMetaFile = z.infer<typeof modelMetaSchema>;

/** What the studio knows about a loaded model: meta.json with every default filled in, checked against the model. */
export interface ModelMeta {
  id: string;
  name: string;
  classes: string[];
  inputShape: [number, number, number];
  preprocessing: PreprocessingKind;
  heldOutAccuracy: number | null;
  inputRange: [number, number] | null;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return value === '' ? 'empty' : JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>((v, key) => (v != null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined), root);
}

/**
 * Parses meta.json text; each problem becomes one sentence naming the field, what it must be
 * and what it is ("meta.json: classes must be text; entry 3 is an object." — entries are
 * counted from 0, as classes are).
 */
export function parseModelMeta(text: string): ModelMetaFile {
  const raw = parseJsonText(text, 'meta.json');
  const parsed = modelMetaSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue.path;
  const last = path[path.length - 1];
  const value = valueAt(raw, path);
  if (!path.length) throw new Error(`meta.json must be ${issue.message}; it is ${describe(value)}.`);
  if (typeof last === 'number') {
    throw new Error(`meta.json: ${path.slice(0, -1).join('.')} must be ${issue.message}; entry ${last} is ${describe(value)}.`);
  }
  throw new Error(`meta.json: ${path.join('.')} must be ${issue.message}; it is ${describe(value)}.`);
}

const dims = (shape: readonly number[]) => shape.join(' x ');


/**
 * meta.json resolved against the model it describes, with the defaults in one place: classes
 * "0".."n-1", MNIST preprocessing for a 28 x 28 x 1 input and the plain one otherwise, the
 * name and id from the caller. Refuses a meta.json that contradicts the model and a model
 * whose input no preprocessing can make.
 */
export function resolveModelMeta(file: ModelMetaFile, model: { inputShape: [number, number, number]; outputs: number }, fallbackId: string): ModelMeta {
  const { inputShape, outputs } = model;
  if (file.inputShape && file.inputShape.some((d, k) => d !== inputShape[k])) {
    throw new Error(`meta.json says the input is ${dims(file.inputShape)}; model.json declares ${dims(inputShape)}.`);
  }
  if (file.classes && file.classes.length !== outputs) {
    throw new Error(`meta.json names ${plural(file.classes.length, 'class', 'classes')}; the model has ${plural(outputs, 'output')}.`);
  }
  const [h, w, c] = inputShape;
  const preprocessing: PreprocessingKind = file.preprocessing ?? (h === 28 && w === 28 && c === 1 ? 'mnist' : 'fit');
  const problem = preprocessingProblem(preprocessing, inputShape);
  if (problem) throw new Error(problem);
  const id = file.id ?? fallbackId;
  return {
    id,
    name: file.name ?? id,
    classes: file.classes ?? Array.from({ length: outputs }, (_, k) => String(k)),
    inputShape,
    preprocessing,
    heldOutAccuracy: file.heldOutAccuracy ?? null,
    inputRange: file.inputRange ?? null,
  };
}
