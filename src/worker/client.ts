import * as Comlink from 'comlink';
import type { StudioWorkerApi } from './protocol';
import { WorkerSupervisor, type LostReason } from './supervisor';

const lostListeners = new Set<(reason: LostReason) => void>();

const supervisor = new WorkerSupervisor({
  create: () => new Worker(new URL('./studio.worker.ts', import.meta.url), { type: 'module', name: 'studio-compute' }),
  onLost: (reason) => {
    for (const listener of lostListeners) listener(reason);
  },
});

/** The one compute worker of the page, supervised (worker/supervisor.ts). */
export function studioWorker(): Comlink.Remote<StudioWorkerApi> {
  return supervisor.api;
}

/** Starts the next call on a fresh worker; calls in flight fail as cancelled. */
export function replaceWorker(): void {
  supervisor.replace();
}

/** Called whenever the worker is lost; the next call starts a fresh one. */
export function onWorkerLost(listener: (reason: LostReason) => void): () => void {
  lostListeners.add(listener);
  return () => lostListeners.delete(listener);
}

/**
 * Test hook: terminates the worker from outside without telling the supervisor, as the browser
 * does to a worker it kills; only the heartbeat can notice.
 */
export function terminateWorkerSilently(): void {
  supervisor.terminateSilently();
}

export function workerStarts(): number {
  return supervisor.starts;
}

export const proxyCallback = Comlink.proxy;
