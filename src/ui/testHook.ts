// A typed window hook for end-to-end tests: read numbers instead of guessing pixels.
//
// Tests act as a user does (through the page), and read what the store holds through
// snapshot(): every number there comes from useStudio's state, derived with the store's own
// selectors (selectTarget, rdeStatus, the comparison's displayMaps), never from a second copy.
// What the hook runs goes through the store too: timeMethod and runMethod (benchmarks, the
// backend matrix) start their runs on the store's one run executor (store/runs.ts) in a slot of
// their own, "test:probe", for the store's current input and class, with the test's seed; the
// page's own runs (the maps the user sees) stay as they are. The tensor count is asked through
// the store's workerMemory action. Only what a test genuinely needs below the store goes lower,
// each for its reason:
// - faults (simulateFault, terminateWorker, workerStarts): the worker's supervisor. The store
//   learns of a lost worker only after the fact, which is what these tests check; no action may
//   kill a worker on purpose.
// - injectRenderFault: writes a state no action produces (a class name that is not text); that
//   is the fault.
// e2e/studio.ts wraps this hook in typed fixtures; specs never cast window.__studio.
import { selectTarget, useStudio } from '../store/studioStore';
import { estimateRun, workerMemory } from '../store/actions';
import { symmetricLimit } from '../core/image/display';
import { rdeStatus, type RdeState } from '../store/rdeSlice';
import { compareSnapshot, type CompareSnapshot } from './compare/compareSnapshot';
import { evaluateSnapshot, type EvaluateSnapshot } from './evaluate/evaluateSnapshot';
import { attackSnapshot, type AttackSnapshot } from './attack/attackSnapshot';
import { runs } from '../store/runs';
import type { Run } from '../store/runExecutor';
import { studioWorker, terminateWorkerSilently, workerStarts } from '../worker/client';
import type { RunEstimate, WorkerFault } from '../worker/protocol';
import type { PassCount } from '../core/methods/types';

export interface StudioTestHook {
  /** The store's state as plain numbers and strings (useStudio.getState()). */
  snapshot(): {
    backend: string | null;
    /** 'ready' once the worker holds the backend, the model and the image (after a switch or restart too). */
    backendStatus: string;
    autoChoice: string | null;
    modelLoaded: boolean;
    source: string | null;
    predicted: number | null;
    logits: number[] | null;
    probabilities: number[] | null;
    modelInput: number[] | null;
    message: { kind: string; text: string } | null;
    runs: Record<string, { status: string; target: number; min: number | null; max: number | null; length: number | null }>;
    rde: {
      status: string;
      settings: { lambda: number; rank: number; mode: string; iterations: number; refine: number };
      iterations: number;
      distortion: number | null;
      rate: number | null;
      /** Mean of the current mask, and a checksum that changes whenever the mask does. */
      maskMean: number | null;
      maskChecksum: number | null;
      points: number;
      frontierPoints: number;
      obfuscationScores: number[] | null;
      /** A Monte-Carlo check of a finished mask is queued or sampling (it holds tensors meanwhile). */
      verifying: boolean;
      timing: { firstMask: number | null; done: number | null };
      error: string | null;
    };
    compare: CompareSnapshot;
    /** The evaluate view: its run, curves and ranking (ui/evaluate/evaluateSnapshot.ts). */
    evaluate: EvaluateSnapshot;
    /** The attack panel: its run, trace, best iterate and random baseline (ui/attack/attackSnapshot.ts). */
    attack: AttackSnapshot;
  };
  /** Tensors the worker holds now (the store's workerMemory action). */
  tensorCount(): Promise<number>;
  /** Fault injection (reliability tests): the worker hangs, crashes, runs out of memory or loses its GPU. */
  simulateFault(kind: WorkerFault): Promise<string | null>;
  /** Kills the worker without a word, as the browser may; only the heartbeat notices. */
  terminateWorker(): void;
  /** Fault injection: a class name that is not text reaches the panels, which cannot draw it. */
  injectRenderFault(): void;
  /** Compute workers started since the page loaded (1 until one is lost). */
  workerStarts(): number;
  /** Benchmarks: one run of a method on the current input and class, timed inside the worker. */
  timeMethod(methodId: string, params: Record<string, unknown>): Promise<{ milliseconds: number; passes: PassCount | null; backend: string }>;
  /** The time estimate a run of the method would show before it starts (the store's estimateRun). */
  estimateMethod(methodId: string, params: Record<string, unknown>): Promise<RunEstimate | null>;
  /** Backend matrix: one run of a method on the current input and class with a given seed, and its relevance. */
  runMethod(methodId: string, params: Record<string, unknown>, seed: number): Promise<{ relevance: number[]; milliseconds: number; backend: string }>;
}

export type StudioSnapshot = ReturnType<StudioTestHook['snapshot']>;
export type RdeSnapshot = StudioSnapshot['rde'];
export type { CompareSnapshot, EvaluateSnapshot };

declare global {
  interface Window {
    /** The end-to-end tests' hook, set by installTestHook (main.tsx). */
    __studio?: StudioTestHook;
  }
}

function rdeSnapshot(rde: RdeState): RdeSnapshot {
  const last = rde.trace[rde.trace.length - 1];
  let sum = 0;
  let checksum = 0;
  rde.mask?.forEach((v, i) => {
    sum += v;
    checksum += v * ((i % 97) + 1);
  });
  const { lambda, rank, mode, iterations } = rde.settings;
  return {
    status: rdeStatus(rde),
    settings: { lambda, rank, mode, iterations, refine: rde.settings.refine },
    iterations: rde.trace.length,
    distortion: last?.distortion ?? null,
    rate: last?.rate ?? null,
    maskMean: rde.mask ? sum / rde.mask.length : null,
    maskChecksum: rde.mask ? checksum : null,
    points: rde.points.length,
    frontierPoints: rde.points.filter((p) => p.sweep !== null).length,
    obfuscationScores: rde.obfuscations ? Array.from(rde.obfuscations.scores) : null,
    verifying: Object.values(rde.verifications).some((v) => v.status === 'running' || v.status === 'queued'),
    timing: rde.timing,
    error: rde.run?.status === 'error' ? rde.run.error ?? null : rde.error,
  };
}

/**
 * One run of a method on the store's current input and class, on the store's run executor in
 * the hook's own slot (see the top of this file); its finished run, or an error saying why not.
 */
async function probe(methodId: string, params: Record<string, unknown>, seed: number): Promise<Run> {
  const target = selectTarget(useStudio.getState());
  if (target === null) throw new Error('Load an image first.');
  const run = await runs.start('test:probe', { methodId, params, target, lane: 'now', seed }, () => {});
  if (run === null) throw new Error(`The ${methodId} run was superseded (a new input, model or backend).`);
  if (run.status !== 'done' || !run.relevance) throw new Error(run.error ?? `The ${methodId} run ended ${run.status}.`);
  return run;
}

export function installTestHook(): void {
  const hook: StudioTestHook = {
    snapshot() {
      const s = useStudio.getState();
      return {
        backend: s.backend?.active ?? null,
        backendStatus: s.backendStatus,
        autoChoice: s.backend?.autoChoice ?? null,
        modelLoaded: s.model !== null,
        source: s.input?.source ?? null,
        predicted: s.classification?.predicted ?? null,
        logits: s.classification ? Array.from(s.classification.logits) : null,
        probabilities: s.classification ? Array.from(s.classification.probabilities) : null,
        modelInput: s.classification ? Array.from(s.classification.pixels) : null,
        message: s.message,
        runs: Object.fromEntries(Object.entries(s.runs).map(([id, r]) => {
          const range = r.relevance ? symmetricLimit(r.relevance) : null;
          return [id, { status: r.status, target: r.target, min: range?.min ?? null, max: range?.max ?? null, length: r.relevance?.length ?? null }];
        })),
        rde: rdeSnapshot(s.rde),
        compare: compareSnapshot(s.compare, s.model?.methods ?? []),
        evaluate: evaluateSnapshot(s.evaluate),
        attack: attackSnapshot(s.attack),
      };
    },
    async tensorCount() {
      return (await workerMemory()).numTensors;
    },
    // Below the store: the supervisor's worker (see the top of this file).
    simulateFault(kind) {
      return studioWorker().simulateFault(kind).then(() => null, (err: unknown) => String(err));
    },
    terminateWorker: terminateWorkerSilently,
    injectRenderFault() {
      // The fault is a state no action produces, so it is written directly.
      const { model } = useStudio.getState();
      if (model) useStudio.setState({ model: { ...model, classes: [{ not: 'text' } as unknown as string, ...model.classes.slice(1)] } });
    },
    workerStarts,
    async timeMethod(methodId, params) {
      const r = await probe(methodId, params, 1);
      return { milliseconds: r.milliseconds ?? 0, passes: r.passes ?? null, backend: r.backend ?? '' };
    },
    estimateMethod: (methodId, params) => estimateRun(methodId, params),
    async runMethod(methodId, params, seed) {
      const r = await probe(methodId, params, seed);
      return { relevance: Array.from(r.relevance!), milliseconds: r.milliseconds ?? 0, backend: r.backend ?? '' };
    },
  };
  window.__studio = hook;
}
