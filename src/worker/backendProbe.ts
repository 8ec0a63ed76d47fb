// Which tfjs backends are real in this browser. A software adapter (SwiftShader WebGPU reports
// isFallbackAdapter; SwiftShader WebGL names itself in the renderer string) loses to WASM.
import type { BackendName } from '../core/tf/backendNames';
import type { BackendOption } from './protocol';

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { isFallbackAdapter?: boolean; vendor?: string; architecture?: string; description?: string };
}
interface GpuLike { requestAdapter(): Promise<GpuAdapterLike | null> }

async function probeWebGpu(): Promise<BackendOption> {
  const gpu = (navigator as unknown as { gpu?: GpuLike }).gpu;
  if (!gpu) return { name: 'webgpu', available: false, software: false, detail: 'no WebGPU in this browser' };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { name: 'webgpu', available: false, software: false, detail: 'no WebGPU adapter' };
    const software = Boolean(adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter);
    const name = [adapter.info?.vendor, adapter.info?.architecture, adapter.info?.description].filter(Boolean).join(' ');
    return { name: 'webgpu', available: true, software, detail: `${software ? 'software fallback adapter' : 'GPU adapter'}${name ? `: ${name}` : ''}` };
  } catch (err) {
    return { name: 'webgpu', available: false, software: false, detail: `WebGPU failed: ${String(err)}` };
  }
}

function probeWebGl(): BackendOption {
  try {
    const canvas = new OffscreenCanvas(1, 1);
    const gl = canvas.getContext('webgl2') as WebGL2RenderingContext | null;
    if (!gl) return { name: 'webgl', available: false, software: false, detail: 'no WebGL 2' };
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    const software = /swiftshader|llvmpipe|softpipe|software/i.test(renderer);
    return { name: 'webgl', available: true, software, detail: renderer };
  } catch (err) {
    return { name: 'webgl', available: false, software: false, detail: `WebGL failed: ${String(err)}` };
  }
}

export async function probeBackends(): Promise<BackendOption[]> {
  return [
    await probeWebGpu(),
    probeWebGl(),
    { name: 'wasm', available: typeof WebAssembly === 'object', software: false, detail: 'WebAssembly with SIMD (XNNPACK)' },
    { name: 'cpu', available: true, software: false, detail: 'plain JavaScript' },
  ];
}

/** The fastest real backend: a hardware GPU if there is one, else WASM, else CPU. */
export function autoBackend(options: BackendOption[]): BackendName {
  const real = (name: BackendName) => options.some((o) => o.name === name && o.available && !o.software);
  for (const name of ['webgpu', 'webgl', 'wasm'] as const) if (real(name)) return name;
  return 'cpu';
}
