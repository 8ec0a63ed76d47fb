// The comparison view's actions. Cheap methods run by themselves, one after another, when the
// view opens and whenever the input, class, model or backend changes; expensive ones run when
// asked, with progress and cancel. Runs live in compare.runs, apart from the main panels' runs.
import type { MethodInfo } from '../worker/protocol';
import { useStudio, selectTarget } from './studioStore';
import { runs } from './runs';
import type { Run } from './runExecutor';
import type { CompareNormalisation, CompareSign, CompareState } from './compareSlice';
import type { ParamValue } from '../core/methods/params';
import { panelRunFor } from './rdeActions';
import { verifyMask } from './rdeVerify';
import { resetEvaluation } from './evaluateActions';
import { resetAttack } from './attackActions';

const get = useStudio.getState;
const setCompare = (patch: Partial<CompareState>) => useStudio.setState((s) => ({ compare: { ...s.compare, ...patch } }));
const slot = (id: string) => `compare:${id}`;
/** The card's Monte-Carlo check of RDE's mask (under "compare:", so a new input cancels it). */
const VERIFY_SLOT = 'compare:rde:verify';

function methodInfo(id: string): MethodInfo | undefined {
  return get().model?.methods.find((m) => m.id === id);
}

function writeRun(id: string, run: Run): void {
  useStudio.setState((s) => ({ compare: { ...s.compare, runs: { ...s.compare.runs, [id]: run } } }));
}

/**
 * Requests a run of a method with its current parameters, in its cost's lane; a run of it in
 * flight is cancelled. The map shown so far stays until the new one arrives (same input only:
 * refreshCompare clears maps of an old input). RDE takes the panel's finished mask when the
 * panel ran the same parameters on the same class (runs start from s₀, so it is the same map).
 */
function queueRun(id: string): void {
  const state = get();
  const target = selectTarget(state);
  const info = methodInfo(id);
  if (target === null || !info?.available) return;
  const requested = { ...state.compare.params[id] };
  if (id === 'rde') {
    void runs.cancel(VERIFY_SLOT);
    const reused = panelRunFor(requested, target);
    if (reused) {
      void runs.cancel(slot(id));
      writeRun(id, reused);
      if (reused.relevance && reused.params && reused.backend) void verifyMask(VERIFY_SLOT, { mask: reused.relevance, target, params: reused.params, backend: reused.backend }, 'expensive');
      return;
    }
  }
  const previous = state.compare.runs[id];
  void runs.start(slot(id), { methodId: id, params: requested, target, lane: info.cost, seed: 1 }, (run) => {
    // Until the new map arrives the previous one (same input) stays on screen.
    const keep = previous && run.status !== 'done' ? { relevance: previous.relevance, shape: previous.shape } : {};
    writeRun(id, { ...keep, ...run });
  }).then((run) => {
    // RDE's mask is then checked by Monte Carlo (its D by ADF shows at once).
    if (id === 'rde' && run?.status === 'done' && run.relevance && run.params && run.backend) void verifyMask(VERIFY_SLOT, { mask: run.relevance, target, params: run.params, backend: run.backend }, 'expensive');
  });
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
 * The input, class or model changed: every map of the grid is stale. Runs in flight are
 * cancelled, expensive maps are cleared until asked for again, cheap ones recomputed; the
 * evaluate view's curves and the attack panel's attack are dropped.
 */
export function refreshCompare(): void {
  runs.cancelAll('compare:');
  setCompare({ runs: {} });
  resetEvaluation();
  resetAttack();
  runCheapMethods();
}

/**
 * The worker was replaced (a backend switch, a restart) with the same input, class and model:
 * finished expensive maps are kept, labelled with the backend that computed them (run.backend;
 * the backends agree to ~1e-6, e2e/backendMatrix.spec.ts), so minutes of work are not lost
 * without asking. Runs in flight are cancelled and cheap maps recomputed on the new backend.
 */
export function refreshCompareKeepingFinished(): void {
  const kept = Object.entries(get().compare.runs).filter(([id, run]) => run.status === 'done' && methodInfo(id)?.cost === 'expensive');
  runs.cancelAll('compare:');
  setCompare({ runs: Object.fromEntries(kept) });
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
  void runs.cancel(slot(id));
  const kept = { ...compare.runs };
  delete kept[id];
  setCompare({ selected: compare.selected.filter((m) => m !== id), runs: kept });
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
  void runs.requestCancel(slot(id));
}

export function setCompareNormalisation(normalisation: CompareNormalisation): void {
  setCompare({ normalisation });
}

export function setCompareSign(sign: CompareSign): void {
  setCompare({ sign });
}
