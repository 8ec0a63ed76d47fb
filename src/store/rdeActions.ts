// The RDE panel's actions: a run per settings change (the previous one cancelled and its mask
// used as the warm start), streamed into the store; λ sweeps; restoring a point; the strip
// of random obfuscations.
import { studioWorker, proxyCallback } from '../worker/client';
import type { RunUpdate } from '../worker/protocol';
import { useStudio, selectTarget } from './studioStore';
import { errorText, newRunId } from './runIds';
import {
  initialRdeState, reconcileRdeSettings, sweepLambdas,
  type RdePoint, type RdeSettings, type RdeState, type RdeTracePoint,
} from './rdeSlice';

const get = useStudio.getState;
const setRde = (patch: Partial<RdeState>) => useStudio.setState((s) => ({ rde: { ...s.rde, ...patch } }));

let current: { runId: number; settled: Promise<void> } | null = null;
/** Counts calls of runRde, so of two calls racing through stopRde only the newer starts. */
let generation = 0;
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

/** Cancels the run in flight, if any, and resolves once the worker has let go of it. */
export async function stopRde(): Promise<void> {
  if (scheduled) clearTimeout(scheduled);
  scheduled = null;
  const run = current;
  if (!run) return;
  void studioWorker().cancel(run.runId);
  await run.settled;
}

/** Cancel button: stops the run and any sweep; the mask reached so far stays. */
export async function cancelRde(): Promise<void> {
  setRde({ sweep: null });
  await stopRde();
}

/** Settings change from a control; a run follows shortly (slider drags coalesce). */
export function setRdeSettings(patch: Partial<RdeSettings>, opts: { run?: boolean } = {}): void {
  setRde({ settings: reconcileRdeSettings(get().rde.settings, patch), sweep: null });
  if (opts.run === false || !get().classification) return;
  if (scheduled) clearTimeout(scheduled);
  // Shown as running at once, so nothing reads the previous run's result as this one's.
  setRde({ status: 'running', progress: 0 });
  scheduled = setTimeout(() => {
    scheduled = null;
    void runRde();
  }, 60);
}

function toTracePoint(r: Record<string, number>): RdeTracePoint {
  return { iteration: r.iteration, distortion: r.distortion, rate: r.rate, objective: r.objective };
}

/**
 * Runs RDE with the current settings (or overrides), warm-started from the current mask when
 * it explains the same class. Returns the finished point, or null if superseded or failed.
 */
export async function runRde(overrides: Partial<RdeSettings> = {}, sweep: number | null = null): Promise<RdePoint | null> {
  const mineToStart = ++generation;
  await stopRde();
  if (mineToStart !== generation) return null;
  const state = get();
  const target = selectTarget(state);
  if (target === null || !rdeAvailable()) return null;
  const settings = { ...state.rde.settings, ...overrides };
  const runId = newRunId();
  const warmStart = state.rde.mask && state.rde.maskTarget === target ? state.rde.mask.slice() : undefined;
  const t0 = performance.now();
  setRde({ status: 'running', progress: 0, error: null, trace: [], timing: { firstMask: null, done: null } });
  const mine = () => current?.runId === runId;
  const onUpdate = (u: RunUpdate) => {
    if (!mine()) return;
    const rde = get().rde;
    setRde({
      progress: u.progress,
      trace: rde.trace.concat(u.records.map(toTracePoint)),
      mask: u.relevance,
      maskTarget: target,
      timing: rde.timing.firstMask === null ? { firstMask: performance.now() - t0, done: null } : rde.timing,
    });
  };
  const request = studioWorker().explain(
    {
      runId, methodId: 'rde', target, warmStart, seed: 1,
      params: {
        mode: settings.mode, rank: settings.rank, lambda: settings.lambda, iterations: settings.iterations,
        s0: settings.s0, samples: settings.samples, plateau: settings.plateau,
      },
    },
    // Progress comes with the batched updates (every ~100 ms), not per iteration: fewer renders.
    undefined,
    proxyCallback(onUpdate),
  );
  current = { runId, settled: request.then(() => undefined, () => undefined) };
  try {
    const result = await request;
    if (!mine()) return null;
    const extras = result.extras as { trace: Array<Record<string, number>>; distortion: number; rate: number };
    const trace = extras.trace.map(toTracePoint);
    const point: RdePoint = {
      id: nextPointId++, lambda: settings.lambda, rank: settings.rank, mode: settings.mode, target,
      distortion: extras.distortion, rate: extras.rate, mask: result.relevance, trace, sweep,
    };
    const rde = get().rde;
    setRde({
      status: 'done', progress: 1, mask: result.relevance, maskTarget: target,
      trace, points: rde.points.concat(point),
      timing: { firstMask: rde.timing.firstMask ?? performance.now() - t0, done: performance.now() - t0 },
    });
    void drawObfuscations();
    return point;
  } catch (err) {
    if (mine()) {
      const text = errorText(err);
      setRde(text.includes('cancelled') ? { status: 'cancelled' } : { status: 'error', error: text });
    }
    return null;
  } finally {
    if (mine()) current = null;
  }
}

/**
 * Traces the rate-distortion frontier: 10 values of λ from 0.02 to 20 (log-spaced), each run
 * warm-started from its neighbour's mask; the points are joined in order.
 */
export async function sweepLambda(): Promise<void> {
  const id = nextSweepId++;
  const lambdas = sweepLambdas(0.02, 20, 10);
  setRde({ sweep: { id, done: 0, total: lambdas.length } });
  for (let k = 0; k < lambdas.length; k++) {
    if (get().rde.sweep?.id !== id) return;
    const point = await runRde({ lambda: lambdas[k] }, id);
    if (!point || get().rde.sweep?.id !== id) return;
    setRde({ sweep: { id, done: k + 1, total: lambdas.length } });
  }
  setRde({ sweep: null });
}

/** Shows a finished point's mask again and takes its settings (without running). */
export async function restorePoint(pointId: number): Promise<void> {
  const point = get().rde.points.find((p) => p.id === pointId);
  if (!point) return;
  await cancelRde();
  setRde({
    mask: point.mask, maskTarget: point.target, status: 'done', trace: point.trace,
    settings: { ...get().rde.settings, lambda: point.lambda, rank: point.rank, mode: point.mode },
  });
  void drawObfuscations();
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
