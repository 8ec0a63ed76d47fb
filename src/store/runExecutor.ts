// The one way the page runs an explanation method: the relevance panel, the RDE panel and the
// comparison grid all start their runs here. A run lives in a slot (e.g. "compare:occlusion",
// "rde"); starting a new run in a slot cancels the one there, and only the slot's current run
// may write its state (the stale-result guard). Runs of a lane go to the worker one after
// another (the worker is single-threaded: runs sent together only interleave and all finish
// late); the 'now' lane sends at once (the panels' own runs, which the user is waiting for).
import type { AxiomCheck, PassCount } from '../core/methods/types';
import type { ExplainRequest, ExplainResult, RunUpdate } from '../worker/protocol';
import { SerialLane } from './compareQueue';
import { errorText } from './runIds';

export type RunStatus = 'queued' | 'running' | 'done' | 'error' | 'cancelled';
export type RunLane = 'now' | 'cheap' | 'expensive';

/** One explanation run, as every part of the store keeps it: plain data only (DESIGN.md). */
export interface Run {
  runId: number;
  methodId: string;
  target: number;
  /** The parameters the run was asked with (what was edited; defaults fill the rest). */
  requested: Record<string, unknown>;
  status: RunStatus;
  progress: number;
  /**
   * Cancel was pressed and sent; the worker stops at the method's next check, which is only
   * read between steps that yield to the event loop.
   */
  cancelling?: boolean;
  /** The full parameters the worker used, defaults included (once done). */
  params?: Record<string, unknown>;
  relevance?: Float32Array;
  shape?: number[];
  milliseconds?: number;
  backend?: string;
  check?: AxiomCheck;
  passes?: PassCount;
  extras?: Record<string, unknown>;
  error?: string;
  /** Where the map came from when it was not computed for this slot (e.g. "the RDE panel"). */
  reusedFrom?: string;
}

export interface RunRequest {
  methodId: string;
  params: Record<string, unknown>;
  target: number;
  lane: RunLane;
  seed?: number;
  warmStart?: Float32Array;
  /** Streamed updates of an iterative method (RDE's trace and mask). */
  onUpdate?: (update: RunUpdate) => void;
}

/**
 * Work other than one explanation that lives in a slot like a run (the evaluation of curves):
 * `execute` calls the worker with the executor's run id (which the worker's cancel knows) and a
 * progress callback, and gives the fields the finished run records.
 */
export interface RunTask {
  methodId: string;
  target: number;
  params: Record<string, unknown>;
  lane: RunLane;
  execute(runId: number, onProgress: (runId: number, fraction: number) => void): Promise<Partial<Run>>;
}

/** The parts of the worker's API the executor needs (tests pass a stand-in). */
export interface RunWorker {
  explain(request: ExplainRequest, onProgress?: (runId: number, fraction: number) => void, onUpdate?: (u: RunUpdate) => void): Promise<ExplainResult>;
  cancel(runId: number): void | Promise<void>;
}

/**
 * Whether an error means the run was cancelled rather than failed: core throws AbortedError
 * (its name survives the worker boundary), and a run whose worker was replaced on purpose
 * (a backend switch) ends with a WorkerLostError of kind 'replaced'.
 */
export function isCancellation(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'AbortedError') return true;
  const reason = (err as { reason?: { kind?: string } }).reason;
  return err.name === 'WorkerLostError' && reason?.kind === 'replaced';
}

interface Slot {
  runId: number;
  status: RunStatus;
  settled: Promise<void>;
  update(patch: Partial<Run>): void;
  finish(run: Run | null): void;
}

export class RunExecutor {
  private slots = new Map<string, Slot>();
  private lanes = { cheap: new SerialLane(), expensive: new SerialLane() };
  private nextId = 1;

  constructor(private readonly deps: { worker: () => RunWorker; proxy: <T extends object>(f: T) => T; newRunId?: () => number }) {}

  /** The run id the slot holds now (null if none): only its updates are written. */
  current(slot: string): number | null {
    return this.slots.get(slot)?.runId ?? null;
  }

  /**
   * Starts a run in `slot`, cancelling the slot's run first. `onChange` hears every state of
   * the run (queued, running, progress, done / error / cancelled) while it is the slot's run;
   * the promise gives the final state, or null if the run was superseded.
   */
  start(slot: string, request: RunRequest, onChange: (run: Run) => void): Promise<Run | null> {
    return this.startTask(slot, {
      methodId: request.methodId, target: request.target, params: request.params, lane: request.lane,
      execute: async (runId, onProgress) => {
        const result = await this.deps.worker().explain(
          { runId, methodId: request.methodId, params: request.params, target: request.target, seed: request.seed, warmStart: request.warmStart },
          onProgress,
          request.onUpdate ? this.deps.proxy((u: RunUpdate) => { if (this.current(slot) === runId) request.onUpdate?.(u); }) : undefined,
        );
        return {
          params: result.params, relevance: result.relevance, shape: result.shape, milliseconds: result.milliseconds,
          backend: result.backend, check: result.check, passes: result.passes, extras: result.extras,
        };
      },
    }, onChange);
  }

  /** Starts a task in `slot` with the rules of `start` (one per slot, lanes, cancel, stale-result guard). */
  startTask(slot: string, request: RunTask, onChange: (run: Run) => void): Promise<Run | null> {
    void this.cancel(slot);
    const runId = this.deps.newRunId ? this.deps.newRunId() : this.nextId++;
    let run: Run = {
      runId, methodId: request.methodId, target: request.target, requested: { ...request.params },
      status: request.lane === 'now' ? 'running' : 'queued', progress: 0,
    };
    const mine = () => this.slots.get(slot)?.runId === runId;
    let finish: (r: Run | null) => void = () => {};
    const done = new Promise<Run | null>((resolve) => { finish = resolve; });
    const entry: Slot = {
      runId, status: run.status, settled: done.then(() => undefined), finish: (r) => finish(r),
      update: (patch) => {
        if (!mine()) return;
        run = { ...run, ...patch };
        entry.status = run.status;
        onChange(run);
      },
    };
    const execute = async () => {
      if (!mine()) return finish(null);
      entry.update({ status: 'running' });
      try {
        const result = await request.execute(runId, this.deps.proxy((_id: number, fraction: number) => entry.update({ progress: fraction })));
        entry.update({ ...result, status: 'done', progress: 1, cancelling: false, error: undefined });
      } catch (err) {
        entry.update({ status: isCancellation(err) ? 'cancelled' : 'error', cancelling: false, error: errorText(err) });
      }
      finish(mine() ? run : null);
    };
    this.slots.set(slot, entry);
    onChange(run);
    if (request.lane === 'now') void execute();
    else this.lanes[request.lane].enqueue(slot, execute);
    return done;
  }

  /**
   * Supersedes the slot's run: a running one is told to stop, a queued one is dropped, and
   * neither writes its state again. Resolves once the worker has let go of it.
   */
  cancel(slot: string): Promise<void> {
    const s = this.slots.get(slot);
    if (!s) return Promise.resolve();
    this.slots.delete(slot);
    if (s.status === 'queued') {
      for (const lane of Object.values(this.lanes)) lane.drop(slot);
      s.finish(null);
      return Promise.resolve();
    }
    if (s.status === 'running') void this.deps.worker().cancel(s.runId);
    return s.settled;
  }

  /**
   * The user's Cancel: a queued run becomes 'cancelled' at once; a running one is marked
   * `cancelling` and told to stop, and records 'cancelled' (with its progress) when the worker
   * lets go. Resolves then.
   */
  requestCancel(slot: string): Promise<void> {
    const s = this.slots.get(slot);
    if (!s) return Promise.resolve();
    if (s.status === 'queued') {
      for (const lane of Object.values(this.lanes)) lane.drop(slot);
      s.update({ status: 'cancelled', error: 'The run was cancelled.' });
      s.finish(null);
      return Promise.resolve();
    }
    if (s.status === 'running') {
      s.update({ cancelling: true });
      void this.deps.worker().cancel(s.runId);
    }
    return s.settled;
  }

  /** Supersedes every run whose slot starts with `prefix` (all runs when empty). */
  cancelAll(prefix = ''): void {
    for (const slot of [...this.slots.keys()]) if (slot.startsWith(prefix)) void this.cancel(slot);
  }
}
