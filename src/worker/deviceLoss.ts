// GPU context and device loss inside the worker. A lost WebGL context or WebGPU device leaves
// every pending kernel hanging, so the worker tells the supervisor at once (a message outside
// comlink's pairs) and the supervisor replaces the worker (worker/supervisor.ts).
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../core/tf/backendNames';
import type { WorkerEvent } from './supervisor';

interface GpuBackendLike {
  gpgpu?: { gl?: WebGL2RenderingContext };
  device?: GPUDeviceLike;
}
interface GPUDeviceLike {
  lost: Promise<{ reason?: string; message?: string }>;
  destroy(): void;
}

const watched = new WeakSet<object>();

function post(event: WorkerEvent): void {
  (self as unknown as { postMessage(m: unknown): void }).postMessage(event);
}

/** Listens for the loss of the active GPU backend's context or device (once per backend). */
export function watchDeviceLoss(name: BackendName): void {
  const backend = tf.backend() as unknown as GpuBackendLike;
  if (watched.has(backend)) return;
  if (name === 'webgl' && backend.gpgpu?.gl) {
    watched.add(backend);
    const canvas = backend.gpgpu.gl.canvas as OffscreenCanvas | HTMLCanvasElement;
    canvas.addEventListener('webglcontextlost', (e) => {
      e.preventDefault();
      post({ studioEvent: 'gpu-lost', backend: 'WebGL', detail: 'context lost' });
    });
  }
  if (name === 'webgpu' && backend.device) {
    watched.add(backend);
    void backend.device.lost.then((info) => {
      if (tf.getBackend() === 'webgpu') post({ studioEvent: 'gpu-lost', backend: 'WebGPU', detail: info.message || info.reason || 'device lost' });
    });
  }
}

/** Loses the active backend's GPU as a driver reset would (fault injection for tests). */
export function loseDevice(): void {
  const name = tf.getBackend();
  const backend = tf.backend() as unknown as GpuBackendLike;
  if (name === 'webgl' && backend.gpgpu?.gl) {
    const ext = backend.gpgpu.gl.getExtension('WEBGL_lose_context');
    if (!ext) throw new Error('WEBGL_lose_context is not available.');
    ext.loseContext();
    return;
  }
  if (name === 'webgpu' && backend.device) {
    backend.device.destroy();
    return;
  }
  throw new Error(`The ${name} backend has no GPU to lose.`);
}
