// Node-only setup: tfjs with the WASM backend (the fastest Node has here) and the CPU fallback.
import '@tensorflow/tfjs-backend-wasm';
import { useBackend, type BackendName } from './backends';

export async function setupNodeBackend(name: BackendName = 'wasm'): Promise<void> {
  if (name !== 'wasm' && name !== 'cpu') {
    throw new Error(`In Node only the wasm and cpu backends exist (asked for ${name}).`);
  }
  await useBackend(name);
}
