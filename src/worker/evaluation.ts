// The worker's side of the evaluate view: relevance-ordering curves (core/evaluate/curve.ts) of
// several maps of the current input on one evaluator, so every method sees the same fillings.
// Maps the page sends are used as they are; the others are computed here first.
import type * as tf from '@tensorflow/tfjs';
import { createCurveEvaluator, curveSettings, curveSettingsProblem, type CurveSettings } from '../core/evaluate/curve';
import { getEvaluationMethod } from '../core/evaluate/catalogue';
import { keptCounts } from '../core/evaluate/ordering';
import { checkParams } from '../core/methods/params';
import { methodAvailability, parseMethodParams } from '../core/methods/registry';
import { AbortedError, throwIfAborted, type PassCount } from '../core/methods/types';
import type { Net } from '../core/net/ir';
import { yieldToEventLoop } from '../core/util/yieldToEventLoop';
import type { ReferenceDistribution } from '../core/reference/distribution';
import { cascadingRandomisation, sanityVerdict, type MapOnNet, type SanityVerdict } from '../core/evaluate/sanity';
import { weightLayers, type LayerInitialisers } from '../core/evaluate/randomise';
import type { EvaluateEvent, EvaluateRequest, SanityEvent, SanityRequest } from './protocol';
import { isFatalBackendError } from './supervisor';

export interface EvaluationContext {
  net: Net;
  input: tf.Tensor4D;
  reference?: ReferenceDistribution;
  /** The model's name, for the refusal of the studio protocol without a reference distribution. */
  modelName: string;
  /** The layers' own initialisers (from the model's config), for the sanity check's re-draws. */
  initialisers?: LayerInitialisers;
}

/** Raw settings checked field by field (the same messages as the form and the CLI), then against the input. */
export function parseCurveSettings(raw: Record<string, unknown>, ctx: EvaluationContext): CurveSettings {
  const { values, problems, unknown } = checkParams(curveSettings, raw);
  if (unknown.length) throw new Error(`The curve has no setting ${unknown.join(', ')}; it takes: ${Object.keys(curveSettings.shape).join(', ')}.`);
  if (problems.length) throw new Error(problems[0]);
  const settings = curveSettings.parse(values);
  const problem = curveSettingsProblem(settings, ctx.input.size, ctx.reference, ctx.modelName);
  if (problem) throw new Error(problem);
  return settings;
}

/** Single-input forward passes of one curve: its points × N fillings. */
export function passesPerCurve(settings: CurveSettings, d: number): number {
  return keptCounts(d, settings.step, settings.maxRate).length * settings.samples;
}

/** The passes of the maps still to compute (Method.estimate; a method without one: a pass each way). */
export function mapPasses(methods: Array<{ id: string; params: Record<string, unknown>; hasMap: boolean }>, shape: [number, number, number]): PassCount {
  const total = { forward: 0, backward: 0 };
  for (const m of methods) {
    if (m.hasMap) continue;
    const method = getEvaluationMethod(m.id);
    const params = parseMethodParams(method, m.params);
    const { forward, backward } = method.estimate ? method.estimate(params as never, { shape }) : { forward: 1, backward: 1 };
    total.forward += forward;
    total.backward += backward;
  }
  return total;
}

/**
 * Runs the curves, one method after another, on one evaluator (disposed at the end, whatever
 * happens). A method that fails is reported by an 'error' event and the next one runs; a
 * cancellation ends the whole evaluation.
 */
export async function evaluateCurves(
  ctx: EvaluationContext, request: EvaluateRequest, signal: AbortSignal,
  onProgress: (fraction: number) => void, onEvent: (event: EvaluateEvent) => void,
): Promise<{ settings: CurveSettings; passesPerCurve: number; scoreOfX: number }> {
  const settings = parseCurveSettings(request.settings, ctx);
  const evaluator = await createCurveEvaluator(ctx.net, ctx.input, request.target, settings, ctx.reference);
  const count = request.methods.length;
  const points = evaluator.passesPerCurve / settings.samples;
  try {
    for (let i = 0; i < count; i++) {
      const { id, params, relevance: given } = request.methods[i];
      const report = (fraction: number) => onProgress((i + fraction) / count);
      try {
        // Between methods too: the random map and a given map reach their curve without a pause.
        if (i > 0) await yieldToEventLoop();
        throwIfAborted(signal);
        let relevance = given;
        const t0 = performance.now();
        if (!relevance) {
          const method = getEvaluationMethod(id);
          const availability = methodAvailability(method, ctx.net);
          if (!availability.ok) throw new Error(availability.reason);
          const out = await method.explain(ctx.net, ctx.input, request.target, parseMethodParams(method, params), {
            signal, reference: ctx.reference, seed: request.seed,
          });
          relevance = out.relevance;
          onEvent({ kind: 'map', methodId: id, relevance: relevance.slice(), milliseconds: performance.now() - t0 });
        }
        const t1 = performance.now();
        await evaluator.curve(relevance, {
          signal,
          onProgress: report,
          onPartial: (curve) => onEvent({ kind: 'curve', methodId: id, curve, done: curve.kept.length === points, milliseconds: performance.now() - t1 }),
        });
      } catch (err) {
        if (err instanceof AbortedError || signal.aborted) throw err instanceof AbortedError ? err : new AbortedError();
        const text = err instanceof Error ? err.message : String(err);
        // A dead backend is the supervisor's to handle (a fresh worker), not one method's failure.
        if (isFatalBackendError(text)) throw err;
        onEvent({ kind: 'error', methodId: id, error: text });
      }
      report(1);
    }
    return { settings, passesPerCurve: evaluator.passesPerCurve, scoreOfX: evaluator.scoreOfX };
  } finally {
    evaluator.dispose();
  }
}

/**
 * The sanity check of one method (Adebayo et al. 2018): its map on the trained model, then on the
 * model with its weight layers re-drawn from the top, one more at a time; each map streams with
 * its Spearman and SSIM against the original. Every re-drawn weight is freed (sanity.ts).
 */
export async function sanityCheck(
  ctx: EvaluationContext, request: SanityRequest, signal: AbortSignal,
  onProgress: (fraction: number) => void, onEvent: (event: SanityEvent) => void,
): Promise<{ layers: string[]; verdict: SanityVerdict }> {
  const method = getEvaluationMethod(request.methodId);
  const availability = methodAvailability(method, ctx.net);
  if (!availability.ok) throw new Error(availability.reason);
  const params = parseMethodParams(method, request.params);
  const total = weightLayers(ctx.net).length;
  const explain: MapOnNet = async (net, x, target) => {
    // A pause before each map, so a cancel between maps is read.
    await yieldToEventLoop();
    return (await method.explain(net, x, target, params, { signal, reference: ctx.reference, seed: request.seed })).relevance;
  };
  const result = await cascadingRandomisation(ctx.net, ctx.input, request.target, explain, {
    seed: request.seed, signal, initialisers: ctx.initialisers,
    onOriginal: (relevance) => {
      onEvent({ index: -1, total, randomised: [], relevance: relevance.slice(), spearman: 1, spearmanAbs: 1, ssim: 1, constant: false });
      onProgress(1 / (total + 1));
    },
    onStep: (step, index) => {
      onEvent({ index, total, ...step, relevance: step.relevance.slice() });
      onProgress((index + 2) / (total + 1));
    },
  });
  return { layers: result.layers, verdict: sanityVerdict(result) };
}
