// Supervision of the compute worker. Every call races the worker's death: a worker that
// throws an uncaught error, sends a message that cannot be read, loses its GPU context, reports
// a dead backend (WASM "Aborted()"), misses a call's deadline or stops answering the heartbeat
// is ended, every call in flight fails with a WorkerLostError at once, and `onLost` hears why.
// The next call starts a fresh worker; restoring what it held is the store's job (actions.ts).
import * as Comlink from 'comlink';
import type { StudioWorkerApi } from './protocol';

export type LostKind = 'crashed' | 'unresponsive' | 'deadline' | 'gpu-lost' | 'backend-failed' | 'replaced';

export interface LostReason {
  kind: LostKind;
  /** One sentence for the user: what happened. */
  text: string;
}

/** A call failed because its worker was lost; the store restarts the worker and restores. */
export class WorkerLostError extends Error {
  constructor(readonly reason: LostReason) {
    super(reason.text);
    this.name = 'WorkerLostError';
  }
}

/** Posted by the worker outside comlink's request/answer pairs (studio.worker.ts). */
export interface WorkerEvent {
  studioEvent: 'gpu-lost';
  backend: string;
  detail: string;
}

export function isWorkerEvent(data: unknown): data is WorkerEvent {
  return typeof data === 'object' && data !== null && (data as { studioEvent?: unknown }).studioEvent === 'gpu-lost';
}

/**
 * Deadlines (ms) of the calls whose cost is bounded: past one, the worker is stuck in a call
 * that will never settle (tfjs's loader can wait forever on a malformed model) although it may
 * still answer pings. Runs of methods (explain) have none: a run may take minutes, and the
 * heartbeat watches it instead, which every long loop answers because it yields between steps.
 * Instant calls (cancel, memory, ping) need no deadline: only a dead worker delays them.
 */
export const CALL_DEADLINES_MS: Partial<Record<keyof StudioWorkerApi, number>> = {
  init: 90_000,
  loadBuiltinModel: 60_000,
  loadUserModel: 60_000,
  setImage: 30_000,
  obfuscations: 60_000,
};

export interface SupervisorOptions {
  create(): Worker;
  onLost(reason: LostReason): void;
  /** How often a busy worker is pinged, and how long it may take to answer. */
  heartbeatMs?: number;
  heartbeatTimeoutMs?: number;
  deadlines?: Partial<Record<keyof StudioWorkerApi, number>>;
}

/**
 * Errors a call can return after which the worker cannot be trusted again: a WASM abort or trap,
 * a lost GPU, and running out of memory (WASM memory never shrinks, so a fresh worker is the only
 * way back to a clean heap).
 */
const FATAL_BACKEND_ERROR = /Aborted\(|memory access out of bounds|RuntimeError: unreachable|WebGL context lost|CONTEXT_LOST_WEBGL|GPUDevice.*(lost|destroyed)|out of memory|Array buffer allocation failed|Invalid typed array length|Cannot enlarge memory|Maximum memory size/i;

const OUT_OF_MEMORY = /out of memory|Array buffer allocation failed|Invalid typed array length|Cannot enlarge memory|Maximum memory size/i;

export function isFatalBackendError(text: string): boolean {
  return FATAL_BACKEND_ERROR.test(text);
}

interface Live {
  worker: Worker;
  remote: Comlink.Remote<StudioWorkerApi>;
  /** Rejects every pending call of this worker when it is lost. */
  lost: Promise<never>;
  lose(reason: LostReason, report?: boolean): void;
  pending: number;
  heartbeat: ReturnType<typeof setInterval> | null;
  pingInFlight: boolean;
}

export class WorkerSupervisor {
  private live: Live | null = null;
  private readonly heartbeatMs: number;
  private readonly heartbeatTimeoutMs: number;
  private readonly deadlines: Partial<Record<keyof StudioWorkerApi, number>>;
  /** Workers started so far (the first included). */
  starts = 0;

  constructor(private readonly options: SupervisorOptions) {
    this.heartbeatMs = options.heartbeatMs ?? 2_000;
    this.heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 20_000;
    this.deadlines = { ...CALL_DEADLINES_MS, ...options.deadlines };
  }

  /** The API of the current worker (started on first use); every call is supervised. */
  readonly api: Comlink.Remote<StudioWorkerApi> = new Proxy({} as Comlink.Remote<StudioWorkerApi>, {
    get: (_target, name) => (...args: unknown[]) => this.call(name as keyof StudioWorkerApi, args),
  });

  /**
   * Ends the current worker on purpose (a backend switch starts from a clean worker): calls in
   * flight fail as cancelled, and no loss is reported. The next call starts a new worker.
   */
  replace(): void {
    this.live?.lose({ kind: 'replaced', text: 'The run was cancelled: the compute worker was replaced.' }, false);
  }

  /** Ends the current worker without a word, as the browser may; the heartbeat notices. */
  terminateSilently(): void {
    this.live?.worker.terminate();
  }

  private start(): Live {
    const worker = this.options.create();
    this.starts += 1;
    let lose!: (reason: LostReason) => void;
    const lost = new Promise<never>((_, reject) => {
      lose = (reason) => reject(new WorkerLostError(reason));
    });
    lost.catch(() => undefined);
    const live: Live = {
      worker, remote: Comlink.wrap(worker), lost, pending: 0, heartbeat: null, pingInFlight: false,
      lose: (reason, report = true) => {
        if (this.live !== live) return;
        this.live = null;
        if (live.heartbeat) clearInterval(live.heartbeat);
        worker.terminate();
        lose(reason);
        if (report) this.options.onLost(reason);
      },
    };
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      live.lose({ kind: 'crashed', text: `The compute worker failed${e.message ? ` (${e.message})` : ''}.` });
    });
    worker.addEventListener('messageerror', () => {
      live.lose({ kind: 'crashed', text: 'The compute worker sent a message that could not be read.' });
    });
    worker.addEventListener('message', (e: MessageEvent) => {
      if (isWorkerEvent(e.data)) {
        live.lose({ kind: 'gpu-lost', text: `The ${e.data.backend} device was lost (${e.data.detail}).` });
      }
    });
    return live;
  }

  private async call(name: keyof StudioWorkerApi, args: unknown[]): Promise<unknown> {
    if (!this.live) this.live = this.start();
    const live = this.live;
    live.pending += 1;
    this.watch(live);
    const deadline = this.deadlines[name];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = deadline === undefined ? null : new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const reason: LostReason = { kind: 'deadline', text: `The compute worker did not finish "${name}" within ${deadline / 1000} s.` };
        live.lose(reason);
        reject(new WorkerLostError(reason));
      }, deadline);
    });
    try {
      const method = (live.remote as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name];
      return await Promise.race([method(...args), live.lost, ...(late ? [late] : [])]);
    } catch (err) {
      // A cancel sent to a lost worker has nothing left to cancel: the run died with it.
      if (name === 'cancel') return undefined;
      const text = err instanceof Error ? err.message : String(err);
      if (!(err instanceof WorkerLostError) && isFatalBackendError(text)) {
        const what = OUT_OF_MEMORY.test(text) ? 'The compute worker ran out of memory' : 'The compute backend failed';
        const reason: LostReason = { kind: 'backend-failed', text: `${what} (${text.slice(0, 160)}).` };
        live.lose(reason);
        throw new WorkerLostError(reason);
      }
      throw err;
    } finally {
      clearTimeout(timer);
      live.pending -= 1;
    }
  }

  /** While calls are pending, the worker must answer a ping within the heartbeat timeout. */
  private watch(live: Live): void {
    if (live.heartbeat) return;
    let lastAnswer = Date.now();
    live.heartbeat = setInterval(() => {
      if (live.pending === 0) {
        clearInterval(live.heartbeat!);
        live.heartbeat = null;
        return;
      }
      if (Date.now() - lastAnswer > this.heartbeatTimeoutMs) {
        live.lose({ kind: 'unresponsive', text: `The compute worker stopped answering for ${this.heartbeatTimeoutMs / 1000} s.` });
        return;
      }
      if (live.pingInFlight) return;
      live.pingInFlight = true;
      live.remote.ping().then(() => {
        lastAnswer = Date.now();
        live.pingInFlight = false;
      }, () => undefined);
    }, this.heartbeatMs);
  }
}
