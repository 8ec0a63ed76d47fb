import * as tf from '@tensorflow/tfjs';
import { registerConv2dBackpropInput } from './conv2dBackpropInput';
import { registerConv2dBackpropFilter } from './conv2dBackpropFilter';

import { BACKEND_LABELS, type BackendName } from './backendNames';

export type { BackendName };

/** Fills the gaps of tfjs 4.22 that the studio's methods need (DESIGN.md, Backends). */
export function registerProjectKernels(): void {
  registerConv2dBackpropFilter('wasm');
  registerConv2dBackpropInput('wasm');
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
