// Node-only setup: tfjs with the WASM backend (the fastest Node has here) and the CPU fallback.
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs';
import { useBackend, type BackendName } from './backends';

export async function setupNodeBackend(name: BackendName = 'wasm'): Promise<void> {
  if (name !== 'wasm' && name !== 'cpu') {
    throw new Error(`In Node only the wasm and cpu backends exist (asked for ${name}).`);
  }
  // PROD silences tfjs's advice to install tfjs-node, which cannot be installed here.
  tf.env().set('PROD', true);
  await useBackend(name);
}
