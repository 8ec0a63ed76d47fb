// A typed window hook for end-to-end tests: read numbers instead of guessing pixels.
import { selectTarget, useStudio } from '../store/studioStore';
import { workerMemory } from '../store/actions';
import { symmetricLimit } from '../core/image/display';
import type { RdeState } from '../store/rdeSlice';
import { compareSnapshot, type CompareSnapshot } from './compare/compareSnapshot';
import { newRunId } from '../store/runIds';
import { studioWorker, terminateWorkerSilently, workerStarts } from '../worker/client';
import type { WorkerFault } from '../worker/protocol';
import type { PassCount } from '../core/methods/types';

export interface StudioTestHook {
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
      settings: { lambda: number; rank: number; mode: string; iterations: number };
      iterations: number;
      distortion: number | null;
      rate: number | null;
      /** Mean of the current mask, and a checksum that changes whenever the mask does. */
      maskMean: number | null;
      maskChecksum: number | null;
      points: number;
      frontierPoints: number;
      obfuscationScores: number[] | null;
      timing: { firstMask: number | null; done: number | null };
      error: string | null;
    };
    compare: CompareSnapshot;
  };
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
  /** Backend matrix: one run of a method on the current input and class with a given seed, and its relevance. */
  runMethod(methodId: string, params: Record<string, unknown>, seed: number): Promise<{ relevance: number[]; milliseconds: number; backend: string }>;
}

function rdeSnapshot(rde: RdeState): ReturnType<StudioTestHook['snapshot']>['rde'] {
  const last = rde.trace[rde.trace.length - 1];
  let sum = 0;
  let checksum = 0;
  rde.mask?.forEach((v, i) => {
    sum += v;
    checksum += v * ((i % 97) + 1);
  });
  const { lambda, rank, mode, iterations } = rde.settings;
  return {
    status: rde.status,
    settings: { lambda, rank, mode, iterations },
    iterations: rde.trace.length,
    distortion: last?.distortion ?? null,
    rate: last?.rate ?? null,
    maskMean: rde.mask ? sum / rde.mask.length : null,
    maskChecksum: rde.mask ? checksum : null,
    points: rde.points.length,
    frontierPoints: rde.points.filter((p) => p.sweep !== null).length,
    obfuscationScores: rde.obfuscations ? Array.from(rde.obfuscations.scores) : null,
    timing: rde.timing,
    error: rde.error,
  };
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
      };
    },
    async tensorCount() {
      return (await workerMemory()).numTensors;
    },
    simulateFault(kind) {
      return studioWorker().simulateFault(kind).then(() => null, (err: unknown) => String(err));
    },
    terminateWorker: terminateWorkerSilently,
    injectRenderFault() {
      const { model } = useStudio.getState();
      if (model) useStudio.setState({ model: { ...model, classes: [{ not: 'text' } as unknown as string, ...model.classes.slice(1)] } });
    },
    workerStarts,
    async timeMethod(methodId, params) {
      const target = selectTarget(useStudio.getState());
      if (target === null) throw new Error('Load an image first.');
      const r = await studioWorker().explain({ runId: newRunId(), methodId, params, target, seed: 1 });
      return { milliseconds: r.milliseconds, passes: r.passes ?? null, backend: r.backend };
    },
    async runMethod(methodId, params, seed) {
      const target = selectTarget(useStudio.getState());
      if (target === null) throw new Error('Load an image first.');
      const r = await studioWorker().explain({ runId: newRunId(), methodId, params, target, seed });
      return { relevance: Array.from(r.relevance), milliseconds: r.milliseconds, backend: r.backend };
    },
  };
  (window as unknown as { __studio: StudioTestHook }).__studio = hook;
}
