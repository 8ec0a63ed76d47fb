// The evaluate view's actions: relevance-ordering curves of the comparison grid's selected methods
// and the random baseline on the current input and class, run on the store's run executor (slot
// "evaluate", cancel like any run). The grid's finished maps are sent with the request; the worker
// computes the others with the grid's parameters and seed. Curves stream in as batches finish.
import { studioWorker, proxyCallback } from '../worker/client';
import type { EvaluateEvent, EvaluateMethod, EvaluationEstimate, SanityEvent } from '../worker/protocol';
import type { ParamValue } from '../core/methods/params';
import { useStudio, selectTarget } from './studioStore';
import { runs } from './runs';
import { evaluationMethodIds, initialEvaluateState, type EvaluateMethodResult, type EvaluateState, type SanityState } from './evaluateSlice';

const get = useStudio.getState;
const setEvaluate = (patch: Partial<EvaluateState>) => useStudio.setState((s) => ({ evaluate: { ...s.evaluate, ...patch } }));
const SLOT = 'evaluate';
const SANITY_SLOT = 'evaluate:sanity';
/** The grid's seed (compareActions), so a map computed for the evaluation is the grid's map. */
const GRID_SEED = 1;

export function openEvaluate(open: boolean): void {
  setEvaluate({ open });
}

/** A setting edited in the form (already checked there against the schema). */
export function setEvaluateSetting(name: string, value: ParamValue): void {
  setEvaluate({ settings: { ...get().evaluate.settings, [name]: value } });
}

export function resetEvaluateSettings(): void {
  setEvaluate({ settings: {} });
}

/** Each method with its grid parameters, and the grid's map when it is finished for this class with these parameters. */
function evaluationRequestMethods(target: number): EvaluateMethod[] {
  const { compare } = get();
  return evaluationMethodIds(compare.selected, get().model?.methods ?? []).map((id) => {
    const params = { ...compare.params[id] };
    const run = compare.runs[id];
    const current = run?.status === 'done' && run.relevance && run.target === target && JSON.stringify(run.requested) === JSON.stringify(params);
    return current ? { id, params, relevance: run.relevance!.slice() } : { id, params };
  });
}

/** The evaluation's passes and time before it starts; a refused setting comes back as the problem. */
export async function estimateEvaluation(): Promise<{ estimate: EvaluationEstimate } | { problem: string } | null> {
  const state = get();
  const target = selectTarget(state);
  if (target === null || state.backendStatus !== 'ready') return null;
  const methods = evaluationRequestMethods(target).map((m) => ({ id: m.id, params: m.params, hasMap: m.relevance !== undefined }));
  try {
    return { estimate: await studioWorker().estimateEvaluation({ ...state.evaluate.settings }, methods) };
  } catch (err) {
    return { problem: err instanceof Error ? err.message : String(err) };
  }
}

function writeResult(id: string, patch: Partial<EvaluateMethodResult>): void {
  useStudio.setState((s) => {
    const previous = s.evaluate.results[id] ?? { status: 'waiting', map: 'grid', curve: null, milliseconds: null, error: null };
    return { evaluate: { ...s.evaluate, results: { ...s.evaluate.results, [id]: { ...previous, ...patch } } } };
  });
}

function applyEvent(event: EvaluateEvent): void {
  switch (event.kind) {
    case 'map':
      writeResult(event.methodId, { status: 'running', map: 'computed' });
      return;
    case 'curve':
      writeResult(event.methodId, { status: event.done ? 'done' : 'running', curve: event.curve, milliseconds: event.done ? event.milliseconds : null });
      return;
    case 'error':
      writeResult(event.methodId, { status: 'error', error: event.error });
  }
}

/**
 * Runs the curves for the current methods and settings, replacing an evaluation in flight.
 * Resolves when it ends (done, failed, cancelled or superseded).
 */
export async function runEvaluation(): Promise<void> {
  const state = get();
  const target = selectTarget(state);
  if (target === null) return;
  const methods = evaluationRequestMethods(target);
  const settings = { ...state.evaluate.settings };
  setEvaluate({
    methods: methods.map((m) => m.id), used: null,
    results: Object.fromEntries(methods.map((m) => [m.id, { status: 'waiting', map: m.relevance ? 'grid' : 'computed', curve: null, milliseconds: null, error: null }])),
  });
  const run = await runs.startTask(SLOT, {
    methodId: 'evaluate', target, params: settings, lane: 'now',
    execute: async (runId, onProgress) => {
      const onEvent = proxyCallback((event: EvaluateEvent) => { if (runs.current(SLOT) === runId) applyEvent(event); });
      const result = await studioWorker().evaluate({ runId, target, settings, methods, seed: GRID_SEED }, onProgress, onEvent);
      return { params: result.settings, milliseconds: result.milliseconds, backend: result.backend, extras: { passesPerCurve: result.passesPerCurve, scoreOfX: result.scoreOfX } };
    },
  }, (r) => setEvaluate({ run: r }));
  if (!run) return;
  const results = { ...get().evaluate.results };
  // Methods the run did not reach (or reached only in part) end with it.
  for (const [id, r] of Object.entries(results)) {
    if (r.status === 'waiting' || r.status === 'running') {
      results[id] = run.status === 'done' ? { ...r, status: 'error', error: 'No curve came back.' } : { ...r, status: 'cancelled' };
    }
  }
  const extras = run.extras as { passesPerCurve: number; scoreOfX: number } | undefined;
  setEvaluate({
    results,
    used: run.status === 'done' && extras ? { settings: run.params ?? {}, target, passesPerCurve: extras.passesPerCurve, scoreOfX: extras.scoreOfX } : null,
  });
}

/** The Cancel button: the worker stops at its next batch and frees what it held; the points measured so far stay. */
export function cancelEvaluation(): Promise<void> {
  return runs.requestCancel(SLOT);
}

/** The input, class or model changed: curves and sanity maps of the old one are dropped and runs in flight cancelled. */
export function resetEvaluation(): void {
  void runs.cancel(SLOT);
  void runs.cancel(SANITY_SLOT);
  const { open, settings, sanity } = get().evaluate;
  setEvaluate({ ...initialEvaluateState, open, settings, sanity: { ...initialEvaluateState.sanity, methodId: sanity.methodId } });
}

const setSanity = (patch: Partial<SanityState>) => useStudio.setState((s) => ({ evaluate: { ...s.evaluate, sanity: { ...s.evaluate.sanity, ...patch } } }));

export function chooseSanityMethod(methodId: string): void {
  setSanity({ methodId });
}

/**
 * The sanity check of the chosen method (its grid parameters and seed) by cascading model
 * randomisation; the maps fill the strip as they come. Replaces a check in flight.
 */
export async function runSanityCheck(): Promise<void> {
  const state = get();
  const target = selectTarget(state);
  if (target === null) return;
  const { methodId } = state.evaluate.sanity;
  const params = { ...state.compare.params[methodId] };
  setSanity({ maps: [], total: 0, verdict: null });
  const run = await runs.startTask(SANITY_SLOT, {
    methodId, target, params, lane: 'now',
    execute: async (runId, onProgress) => {
      const onEvent = proxyCallback((e: SanityEvent) => {
        if (runs.current(SANITY_SLOT) !== runId) return;
        const { index: _index, total, ...map } = e;
        setSanity({ total, maps: get().evaluate.sanity.maps.concat(map) });
      });
      const answer = await studioWorker().sanity({ runId, target, methodId, params, seed: GRID_SEED }, onProgress, onEvent);
      return { milliseconds: answer.milliseconds, extras: { verdict: answer.verdict, layers: answer.layers } };
    },
  }, (r) => setSanity({ run: r }));
  if (run?.status === 'done') setSanity({ verdict: (run.extras as { verdict: SanityState['verdict'] }).verdict });
}

export function cancelSanityCheck(): Promise<void> {
  return runs.requestCancel(SANITY_SLOT);
}
