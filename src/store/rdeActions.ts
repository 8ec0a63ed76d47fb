// The RDE panel's actions: a run per settings change (the previous one cancelled), streamed into
// the store; λ sweeps; restoring a point; the strip of random obfuscations. Every run starts
// from s₀ (no warm start from an earlier run), so a mask is a function of the image, the class
// and the parameters: a copied link, the CLI and the comparison card reach the same mask.
import { studioWorker } from '../worker/client';
import type { RunUpdate } from '../worker/protocol';
import { rdeParams, reconcileRdeParams, type RdeParams } from '../core/rde/params';
import { useStudio, selectTarget } from './studioStore';
import { errorText } from './runIds';
import { runs } from './runs';
import type { Run } from './runExecutor';
import { selectVerification, verifyMask } from './rdeVerify';
import {
  initialRdeState, sweepLambdas,
  type RdePoint, type RdeSettings, type RdeState, type RdeTracePoint,
} from './rdeSlice';

const get = useStudio.getState;
const setRde = (patch: Partial<RdeState>) => useStudio.setState((s) => ({ rde: { ...s.rde, ...patch } }));

const SLOT = 'rde';
/** The panel's Monte-Carlo verification: its next run supersedes it, so it never delays a mask. */
const VERIFY_SLOT = 'rde:verify';
/** The seed of every RDE run (Monte-Carlo mode draws its noise from it), the panel's and the card's. */
export const RDE_SEED = 1;
let scheduled: ReturnType<typeof setTimeout> | null = null;
let nextPointId = 1;
let nextSweepId = 1;
let obfuscationSeed = 1;

/** The RDE state for a new input or model: settings kept, everything computed dropped. */
export function resetRde(rde: RdeState): RdeState {
  return { ...initialRdeState, settings: rde.settings };
}

function rdeAvailable(): boolean {
  const model = get().model;
  return !!model && model.referenceRank !== null && !!model.methods.find((m) => m.id === 'rde')?.available;
}

/** Whether two parameter sets are the same run (every field of RDE's schema). */
export function sameRdeParams(a: RdeParams, b: RdeParams): boolean {
  return (Object.keys(rdeParams.shape) as Array<keyof RdeParams>).every((k) => a[k] === b[k]);
}

/** Cancels the run in flight, if any, and resolves once the worker has let go of it. */
export async function stopRde(): Promise<void> {
  if (scheduled) clearTimeout(scheduled);
  scheduled = null;
  if (get().rde.scheduled) setRde({ scheduled: false });
  await Promise.all([runs.cancel(SLOT), runs.cancel(VERIFY_SLOT)]);
}

/** The check's Stop button: stops the Monte-Carlo check in flight; its estimate so far stays, marked stopped. */
export function stopVerification(): Promise<void> {
  return runs.cancel(VERIFY_SLOT);
}

/** Cancel button: stops the run and any sweep; the mask reached so far stays. */
export async function cancelRde(): Promise<void> {
  setRde({ sweep: null });
  if (scheduled) clearTimeout(scheduled);
  scheduled = null;
  setRde({ scheduled: false });
  await runs.requestCancel(SLOT);
}

/** Settings change from a control or a link; a run follows shortly (slider drags coalesce). */
export function setRdeSettings(patch: Partial<RdeSettings>, opts: { run?: boolean } = {}): void {
  const maxRank = get().model?.referenceRank ?? Infinity;
  setRde({ settings: reconcileRdeParams(get().rde.settings, patch, maxRank), sweep: null });
  if (opts.run === false || !get().classification) return;
  if (scheduled) clearTimeout(scheduled);
  // Shown as running at once, so nothing reads the previous run's result as this one's.
  setRde({ scheduled: true });
  scheduled = setTimeout(() => {
    scheduled = null;
    void runRde();
  }, 60);
}

function toTracePoint(r: Record<string, number>): RdeTracePoint {
  return { iteration: r.iteration, distortion: r.distortion, rate: r.rate, objective: r.objective };
}

/**
 * Runs RDE with the current settings (or overrides) from s₀. Returns the finished point, or
 * null if superseded or failed.
 */
export async function runRde(overrides: Partial<RdeSettings> = {}, sweep: number | null = null): Promise<RdePoint | null> {
  if (scheduled) clearTimeout(scheduled);
  scheduled = null;
  const state = get();
  const target = selectTarget(state);
  if (target === null || !rdeAvailable()) {
    setRde({ scheduled: false });
    return null;
  }
  const settings: RdeParams = { ...state.rde.settings, ...overrides };
  // The worker is single-threaded: a verification still sampling would only delay this mask.
  void runs.cancel(VERIFY_SLOT);
  const t0 = performance.now();
  setRde({ scheduled: false, error: null, trace: [], timing: { firstMask: null, done: null } });
  const onUpdate = (u: RunUpdate) => {
    const rde = get().rde;
    setRde({
      trace: rde.trace.concat(u.records.map(toTracePoint)),
      mask: u.relevance,
      maskTarget: target,
      timing: rde.timing.firstMask === null ? { firstMask: performance.now() - t0, done: null } : rde.timing,
    });
  };
  const run = await runs.start(SLOT, { methodId: 'rde', params: { ...settings }, target, lane: 'now', seed: RDE_SEED, onUpdate },
    (r) => setRde({ run: r }));
  if (!run || run.status !== 'done' || !run.relevance) return null;
  const extras = run.extras as { trace: Array<Record<string, number>>; distortion: number; rate: number; objective: number; phiX: number };
  const trace = extras.trace.map(toTracePoint);
  const point: RdePoint = {
    id: nextPointId++, lambda: settings.lambda, rank: settings.rank, mode: settings.mode, params: settings, target,
    phiX: extras.phiX, objective: extras.objective, milliseconds: run.milliseconds ?? 0, backend: run.backend ?? '',
    distortion: extras.distortion, rate: extras.rate, mask: run.relevance, trace, sweep,
  };
  const rde = get().rde;
  setRde({
    mask: run.relevance, maskTarget: target, trace, points: rde.points.concat(point),
    timing: { firstMask: rde.timing.firstMask ?? performance.now() - t0, done: performance.now() - t0 },
  });
  void drawObfuscations();
  // A sweep verifies its points once it is over (each run here would supersede the last check).
  if (sweep === null) void verifyMask(VERIFY_SLOT, point, 'now');
  return point;
}

/** Shows a point's mask, trace and read-out as the panel's current run. */
function showPoint(point: RdePoint): void {
  const shape = get().classification?.shape;
  setRde({
    mask: point.mask, maskTarget: point.target, trace: point.trace,
    run: pointRun(point, shape ? [1, ...shape] : [point.mask.length]),
  });
  void drawObfuscations();
  void verifyMask(VERIFY_SLOT, point, 'now');
}

/** A finished point as a run record (what the comparison card and the panel show). */
function pointRun(point: RdePoint, shape: number[]): Run {
  return {
    runId: -point.id, methodId: 'rde', target: point.target, requested: { ...point.params }, params: { ...point.params },
    status: 'done', progress: 1, relevance: point.mask, shape, milliseconds: point.milliseconds, backend: point.backend,
    extras: { distortion: point.distortion, rate: point.rate, objective: point.objective, phiX: point.phiX, iterations: point.trace.length },
  };
}

/**
 * The panel's finished run for these parameters (edited values over RDE's defaults) and class,
 * if there is one: the comparison card shows it instead of computing the same mask again.
 */
export function panelRunFor(requested: Record<string, unknown>, target: number): Run | null {
  const parsed = rdeParams.safeParse(requested);
  const shape = get().classification?.shape;
  if (!parsed.success || !shape) return null;
  const point = [...get().rde.points].reverse().find((p) => p.target === target && sameRdeParams(p.params, parsed.data));
  return point ? { ...pointRun(point, [1, ...shape]), requested: { ...requested }, reusedFrom: 'the RDE panel' } : null;
}

/**
 * Traces the rate-distortion frontier: 10 values of λ from 0.02 to 20 (log-spaced), each from
 * s₀; the points are joined in order. Afterwards (finished or cancelled) the panel shows the
 * run of the λ in its field again — the field, the mask and the read-out never disagree.
 */
export async function sweepLambda(): Promise<void> {
  const id = nextSweepId++;
  const lambdas = sweepLambdas(0.02, 20, 10);
  setRde({ sweep: { id, done: 0, total: lambdas.length } });
  let completed = true;
  for (let k = 0; k < lambdas.length && completed; k++) {
    const point = get().rde.sweep?.id === id ? await runRde({ lambda: lambdas[k] }, id) : null;
    if (!point || get().rde.sweep?.id !== id) completed = false;
    else setRde({ sweep: { id, done: k + 1, total: lambdas.length } });
  }
  if (get().rde.sweep?.id === id) setRde({ sweep: null });
  await showFieldRun(completed);
  // Then the frontier's points by Monte Carlo, one after another (a new run stops this).
  if (completed) await verifySweep(id);
}

/** Verifies the points of a sweep in order, unless something else takes the panel's check. */
async function verifySweep(id: number): Promise<void> {
  for (const point of get().rde.points.filter((p) => p.sweep === id)) {
    if (get().rde.run?.status === 'running' || get().rde.scheduled) return;
    const run = await verifyMask(VERIFY_SLOT, point, 'now');
    const entry = selectVerification(get().rde.verifications, point);
    if (run === null && entry?.status !== 'done') return;
  }
  // The point the panel shows (its check was superseded by the sweep's, unless it is one of them).
  const { mask, maskTarget, run } = get().rde;
  if (mask && maskTarget !== null && run?.status === 'done' && run.params && run.backend) {
    await verifyMask(VERIFY_SLOT, { mask, target: maskTarget, params: run.params, backend: run.backend }, 'now');
  }
}

/**
 * Shows the finished run of the current settings; after a completed sweep it runs them if there
 * is none. Nothing happens when a newer run is already on its way (settings changed meanwhile).
 */
async function showFieldRun(runIfMissing: boolean): Promise<void> {
  const state = get();
  const target = selectTarget(state);
  if (target === null || state.rde.scheduled || state.rde.run?.status === 'running') return;
  const point = [...state.rde.points].reverse().find((p) => p.target === target && p.sweep === null && sameRdeParams(p.params, state.rde.settings))
    ?? [...state.rde.points].reverse().find((p) => p.target === target && sameRdeParams(p.params, state.rde.settings));
  if (point) showPoint(point);
  else if (runIfMissing) await runRde();
}

/** Shows a finished point's mask again and takes its settings (without running). */
export async function restorePoint(pointId: number): Promise<void> {
  const point = get().rde.points.find((p) => p.id === pointId);
  if (!point) return;
  await cancelRde();
  setRde({ settings: { ...point.params } });
  showPoint(point);
}

/** Draws a fresh strip of random obfuscations for the current mask (s0 everywhere if none). */
export async function drawObfuscations(count = 8): Promise<void> {
  const state = get();
  const target = selectTarget(state);
  if (target === null || !state.classification || !rdeAvailable()) return;
  const d = state.classification.pixels.length;
  const mask = state.rde.mask && state.rde.maskTarget === target ? state.rde.mask.slice() : new Float32Array(d).fill(state.rde.settings.s0);
  const { rank } = state.rde.settings;
  try {
    const out = await studioWorker().obfuscations(mask, target, { count, rank, seed: obfuscationSeed++ });
    setRde({ obfuscations: { ...out, count, phiX: state.classification.logits[target] } });
  } catch (err) {
    setRde({ error: errorText(err) });
  }
}
