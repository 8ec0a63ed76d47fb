import * as tf from '@tensorflow/tfjs';
import { registerConv2dBackpropFilter } from './conv2dBackpropFilter';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BACKEND_LABELS: Record<BackendName, string> = {
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'WASM',
  cpu: 'CPU',
};

/** Fills the gaps of tfjs 4.22 that the studio's methods need (DESIGN.md, Backends). */
export function registerProjectKernels(): void {
  registerConv2dBackpropFilter('wasm');
}

/** Switches the backend and checks that it really came up; throws a readable error if not. */
export async function useBackend(name: BackendName): Promise<void> {
  registerProjectKernels();
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) {
    throw new Error(`The ${BACKEND_LABELS[name]} backend is not available here.`);
  }
}
