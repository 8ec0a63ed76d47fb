// What the CLI's `evaluate` and the headless runner share: method specs (`rde:mode=lowrank:rank=30`)
// parsed through the registry's parameter rules, and one image's evaluation (every method's map,
// then its relevance-ordering curve on one evaluator, so all methods see the same fillings).
import * as tf from '@tensorflow/tfjs';
import { createCurveEvaluator, type CurveEvaluator, type CurveSettings } from '../core/evaluate/curve';
import { getEvaluationMethod } from '../core/evaluate/catalogue';
import { pixelFlipping, type FlipSettings } from '../core/evaluate/flip';
import type { FlipCurve, RelevanceCurve } from '../core/evaluate/types';
import { methodAvailability, parseMethodParams } from '../core/methods/registry';
import type { Method, PassCount } from '../core/methods/types';
import type { Net } from '../core/net/ir';
import type { ReferenceDistribution } from '../core/reference/distribution';

export interface MethodSpec {
  /** The text as given, the key of its results. */
  spec: string;
  method: Method;
  params: Record<string, unknown>;
}

/**
 * `id` or `id:name=value:name=value`: the method from the evaluation catalogue (the registry and
 * the random map), its parameters checked by the same rules, and messages, as `explain`'s flags.
 */
export function parseMethodSpec(spec: string): MethodSpec {
  const [id, ...parts] = spec.split(':');
  if (!id) throw new Error(`Method "${spec}" names no method; write id or id:name=value:name=value.`);
  const method = getEvaluationMethod(id);
  const raw: Record<string, string> = {};
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`Method "${spec}": "${part}" is not name=value.`);
    const name = part.slice(0, eq);
    if (Object.hasOwn(raw, name)) throw new Error(`Method "${spec}": parameter ${name} is given twice.`);
    raw[name] = part.slice(eq + 1);
  }
  return { spec, method, params: parseMethodParams(method, raw) };
}

/** A comma-separated list of specs, none repeated. */
export function parseMethodSpecs(list: string): MethodSpec[] {
  const specs = list.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (specs.length === 0) throw new Error('Name at least one method (comma-separated, e.g. gradient,random).');
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s)) throw new Error(`Method "${s}" is listed twice.`);
    seen.add(s);
  }
  return specs.map(parseMethodSpec);
}

/** One method's evaluation on one image, or why it could not run. */
export type MethodOutcome =
  | {
    ok: true;
    relevance: Float32Array;
    curve: RelevanceCurve;
    flip?: FlipCurve;
    /** Whether the map was read from an earlier run (its explain time and passes are then 0 and null). */
    reused?: boolean;
    /** Wall time of the map, of its curve and of pixel flipping (0 without). */
    milliseconds: { explain: number; curve: number; flip: number };
    /** Single-input passes: the method's own (when it reports them) and the curve's. */
    passes: { explain: PassCount | null; curve: number };
  }
  | { ok: false; error: string };

/**
 * Every spec's map and curve on one input, through one evaluator (common fillings). A method that
 * cannot run on the net, or fails, gets its reason; the others still run. `seed` seeds the
 * stochastic methods; the evaluator's settings seed the fillings and the tie-break.
 */
export async function evaluateImage(
  net: Net, x: tf.Tensor4D, target: number, specs: MethodSpec[], settings: CurveSettings,
  options: {
    reference?: ReferenceDistribution;
    seed: number;
    flip?: FlipSettings;
    signal?: AbortSignal;
    /** Skip these specs (already done). */
    skip?: (spec: MethodSpec) => boolean;
    /** Called as each method finishes, in order. */
    onOutcome?: (spec: MethodSpec, outcome: MethodOutcome) => void | Promise<void>;
    evaluator?: CurveEvaluator;
    /** A map computed earlier for this spec (same image, same seed), used instead of running the method. */
    precomputed?: (spec: MethodSpec) => Float32Array | undefined;
  },
): Promise<{ scoreOfX: number; outcomes: Map<string, MethodOutcome> }> {
  const evaluator = options.evaluator ?? await createCurveEvaluator(net, x, target, settings, options.reference);
  const outcomes = new Map<string, MethodOutcome>();
  try {
    for (const spec of specs) {
      if (options.skip?.(spec)) continue;
      const outcome = await evaluateMethod(net, x, target, spec, evaluator, options);
      outcomes.set(spec.spec, outcome);
      await options.onOutcome?.(spec, outcome);
    }
    return { scoreOfX: evaluator.scoreOfX, outcomes };
  } finally {
    if (!options.evaluator) evaluator.dispose();
  }
}

async function evaluateMethod(
  net: Net, x: tf.Tensor4D, target: number, spec: MethodSpec, evaluator: CurveEvaluator,
  options: { reference?: ReferenceDistribution; seed: number; flip?: FlipSettings; signal?: AbortSignal; precomputed?: (spec: MethodSpec) => Float32Array | undefined },
): Promise<MethodOutcome> {
  const availability = methodAvailability(spec.method, net);
  if (!availability.ok) return { ok: false, error: availability.reason };
  let relevance: Float32Array;
  let passes: PassCount | null = null;
  const t0 = performance.now();
  const earlier = options.precomputed?.(spec);
  if (earlier) {
    if (earlier.length !== x.size) return { ok: false, error: `The stored ${spec.spec} map has ${earlier.length} values; the input has ${x.size}.` };
    relevance = earlier;
  } else try {
    const result = await spec.method.explain(net, x, target, spec.params, { seed: options.seed, reference: options.reference, signal: options.signal });
    relevance = result.relevance;
    passes = result.passes ?? null;
    for (let i = 0; i < relevance.length; i++) {
      if (!Number.isFinite(relevance[i])) return { ok: false, error: `The ${spec.method.id} map came out ${relevance[i]} at component ${i}.` };
    }
  } catch (err) {
    if (options.signal?.aborted) throw err;
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  const t1 = performance.now();
  const curve = await evaluator.curve(relevance, { signal: options.signal });
  const t2 = performance.now();
  const flip = options.flip ? await pixelFlipping(net, x, target, relevance, options.flip, { reference: options.reference, signal: options.signal }) : undefined;
  const t3 = performance.now();
  return {
    ok: true, relevance, curve, ...(flip ? { flip } : {}), ...(earlier ? { reused: true } : {}),
    milliseconds: { explain: Math.round(t1 - t0), curve: Math.round(t2 - t1), flip: Math.round(t3 - t2) },
    passes: { explain: passes, curve: evaluator.passesPerCurve },
  };
}
