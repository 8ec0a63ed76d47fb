import * as Comlink from 'comlink';
import type { StudioWorkerApi } from './protocol';

let remote: Comlink.Remote<StudioWorkerApi> | null = null;

/** The one compute worker of the page. */
export function studioWorker(): Comlink.Remote<StudioWorkerApi> {
  if (!remote) {
    const worker = new Worker(new URL('./studio.worker.ts', import.meta.url), { type: 'module', name: 'studio-compute' });
    remote = Comlink.wrap<StudioWorkerApi>(worker);
  }
  return remote;
}

export const proxyCallback = Comlink.proxy;
