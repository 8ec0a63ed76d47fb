// The comparison view's actions. Cheap methods run by themselves, one after another, when the
// view opens and whenever the input, class, model or backend changes; expensive ones run when
// asked, with progress and cancel. Runs live in compare.runs, apart from the main panels' runs.
import { studioWorker, proxyCallback } from '../worker/client';
import type { MethodInfo } from '../worker/protocol';
import { useStudio, selectTarget } from './studioStore';
import { errorText, newRunId } from './runIds';
import { SerialLane } from './compareQueue';
import type { CompareNormalisation, CompareRun, CompareSign, CompareState } from './compareSlice';
import type { ParamValue } from './compareParams';

const get = useStudio.getState;
const setCompare = (patch: Partial<CompareState>) => useStudio.setState((s) => ({ compare: { ...s.compare, ...patch } }));
const lanes = { cheap: new SerialLane(), expensive: new SerialLane() };

function methodInfo(id: string): MethodInfo | undefined {
  return get().model?.methods.find((m) => m.id === id);
}

/** Updates a method's run if it is still the run `runId` (a newer request or a reset wins). */
function patchRun(id: string, runId: number, patch: Partial<CompareRun>): void {
  useStudio.setState((s) => {
    const current = s.compare.runs[id];
    if (current?.runId !== runId) return s;
    return { compare: { ...s.compare, runs: { ...s.compare.runs, [id]: { ...current, ...patch } } } };
  });
}

async function execute(id: string, runId: number): Promise<void> {
  const run = get().compare.runs[id];
  if (run?.runId !== runId) return;
  patchRun(id, runId, { status: 'running', progress: 0 });
  try {
    const result = await studioWorker().explain({ runId, methodId: id, params: run.requested, target: run.target },
      proxyCallback((_id: number, fraction: number) => patchRun(id, runId, { progress: fraction })));
    patchRun(id, runId, {
      status: 'done', progress: 1, cancelling: false, error: undefined, relevance: result.relevance, shape: result.shape,
      milliseconds: result.milliseconds, backend: result.backend, params: result.params, check: result.check, passes: result.passes,
    });
  } catch (err) {
    const text = errorText(err);
    patchRun(id, runId, { status: text.includes('cancelled') ? 'cancelled' : 'error', cancelling: false, error: text });
  }
}

function stopRun(run: CompareRun | undefined, id: string): void {
  if (run?.status === 'running') void studioWorker().cancel(run.runId);
  if (run?.status === 'queued') for (const lane of Object.values(lanes)) lane.drop(id);
}

/**
 * Requests a run of a method with its current parameters, in its cost's lane; a run of it in
 * flight is cancelled. The map shown so far stays until the new one arrives (same input only:
 * refreshCompare clears maps of an old input).
 */
function queueRun(id: string): void {
  const state = get();
  const target = selectTarget(state);
  const info = methodInfo(id);
  if (target === null || !info?.available) return;
  const previous = state.compare.runs[id];
  stopRun(previous, id);
  const runId = newRunId();
  const run: CompareRun = { ...previous, runId, status: 'queued', progress: 0, cancelling: false, target, requested: { ...state.compare.params[id] } };
  setCompare({ runs: { ...state.compare.runs, [id]: run } });
  lanes[info.cost].enqueue(id, () => execute(id, runId));
}

/** Queues every selected cheap method that has no map yet (the view must be open). */
function runCheapMethods(): void {
  const { compare } = get();
  if (!compare.open) return;
  for (const id of compare.selected) {
    if (methodInfo(id)?.cost === 'cheap' && !compare.runs[id]) queueRun(id);
  }
}

/**
 * The input, class, model or backend changed: every map of the grid is stale. Runs in flight
 * are cancelled, expensive maps are cleared until asked for again, cheap ones recomputed.
 */
export function refreshCompare(): void {
  for (const lane of Object.values(lanes)) lane.clear();
  for (const run of Object.values(get().compare.runs)) if (run.status === 'running') void studioWorker().cancel(run.runId);
  setCompare({ runs: {} });
  runCheapMethods();
}

export function openCompare(open: boolean): void {
  setCompare({ open });
  runCheapMethods();
}

/** Adds a method to the grid (in the registry's order) or removes it, cancelling its run. */
export function selectCompareMethod(id: string, on: boolean): void {
  const { compare, model } = get();
  if (on) {
    const order = model?.methods.map((m) => m.id) ?? [];
    setCompare({ selected: order.filter((m) => m === id || compare.selected.includes(m)) });
    runCheapMethods();
    return;
  }
  stopRun(compare.runs[id], id);
  const runs = { ...compare.runs };
  delete runs[id];
  setCompare({ selected: compare.selected.filter((m) => m !== id), runs });
}

/** A parameter edited in place (already checked by the form): a cheap method recomputes at once. */
export function setCompareParam(id: string, name: string, value: ParamValue): void {
  const { compare } = get();
  setCompare({ params: { ...compare.params, [id]: { ...compare.params[id], [name]: value } } });
  if (methodInfo(id)?.cost === 'cheap' && compare.open) queueRun(id);
}

export function resetCompareParams(id: string): void {
  const { compare } = get();
  const params = { ...compare.params };
  delete params[id];
  setCompare({ params });
  if (methodInfo(id)?.cost === 'cheap' && compare.open) queueRun(id);
}

/** The Run button of an expensive method (or a cheap one run again). */
export function runCompareMethod(id: string): void {
  queueRun(id);
}

export function cancelCompareRun(id: string): void {
  const run = get().compare.runs[id];
  if (run?.status === 'running') {
    patchRun(id, run.runId, { cancelling: true });
    void studioWorker().cancel(run.runId);
  } else if (run?.status === 'queued') {
    for (const lane of Object.values(lanes)) lane.drop(id);
    patchRun(id, run.runId, { status: 'cancelled', error: 'The run was cancelled.' });
  }
}

export function setCompareNormalisation(normalisation: CompareNormalisation): void {
  setCompare({ normalisation });
}

export function setCompareSign(sign: CompareSign): void {
  setCompare({ sign });
}
