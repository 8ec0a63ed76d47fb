// Actions outside components: each talks to the worker and writes the store.
import { studioWorker, proxyCallback } from '../worker/client';
import type { BackendPreference } from '../worker/protocol';
import type { RawImage } from '../core/image/rawImage';
import { useStudio, selectTarget, type InputImage, type Run } from './studioStore';
import { errorText, newRunId } from './runIds';
import { resetRde, runRde, stopRde } from './rdeActions';
import { refreshCompare } from './compareActions';

const set = useStudio.setState;
const get = useStudio.getState;
/** The last image that classified, kept so a new model can classify it again. */
let lastImage: { raw: RawImage; meta: Omit<InputImage, 'width' | 'height'> } | null = null;

export function showMessage(kind: 'error' | 'info', text: string): void {
  set({ message: { kind, text } });
}

export function dismissMessage(): void {
  set({ message: null });
}

export async function startStudio(preference: BackendPreference, baseUrl: string): Promise<void> {
  try {
    const backend = await studioWorker().init(preference);
    set({ backend, backendStatus: 'ready' });
    const model = await studioWorker().loadBuiltinModel(baseUrl, 'mnist');
    set({ model });
  } catch (err) {
    set({ backendStatus: 'failed' });
    showMessage('error', `The studio could not start: ${errorText(err)}`);
  }
}

export async function chooseBackend(preference: BackendPreference): Promise<void> {
  set({ backendStatus: 'switching' });
  await stopRde();
  try {
    const backend = await studioWorker().setBackend(preference);
    set({ backend, backendStatus: 'ready' });
    refreshCompare();
    if (get().classification) {
      await explainCurrent('gradient');
      void runRde();
    }
  } catch (err) {
    set({ backendStatus: 'ready' });
    showMessage('error', errorText(err));
  }
}

/**
 * Classifies a decoded image. If preprocessing or the model fails, the message says why and
 * the previous input, its scores and its maps stay on screen.
 */
export async function submitImage(raw: RawImage, meta: Omit<InputImage, 'width' | 'height'>): Promise<boolean> {
  set({ busy: 'Classifying…' });
  try {
    await stopRde();
    const classification = await studioWorker().setImage(raw);
    const previous = get().input;
    if (previous && previous.previewUrl !== meta.previewUrl) URL.revokeObjectURL(previous.previewUrl);
    lastImage = { raw, meta };
    set({
      input: { ...meta, width: raw.width, height: raw.height },
      classification, runs: {}, targetOverride: null, busy: null, rde: resetRde(get().rde),
      message: meta.notes.length ? { kind: 'info', text: meta.notes.concat(classification.notes).join(' ') }
        : classification.notes.length ? { kind: 'info', text: classification.notes.join(' ') } : null,
    });
    refreshCompare();
    await explainCurrent('gradient');
    void runRde();
    return true;
  } catch (err) {
    if (get().input?.previewUrl !== meta.previewUrl) URL.revokeObjectURL(meta.previewUrl);
    set({ busy: null });
    showMessage('error', `${meta.source}: ${errorText(err)}${get().input ? ' The previous image is kept.' : ''}`);
    return false;
  }
}

/** Loads a user's model from chosen files; on failure the current model stays. */
export async function loadUserModel(files: File[]): Promise<void> {
  if (!files.length) return;
  set({ busy: 'Loading the model…' });
  try {
    const payload = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: await f.arrayBuffer() })));
    await stopRde();
    const model = await studioWorker().loadUserModel(payload);
    set({ model, classification: null, runs: {}, targetOverride: null, busy: null, input: null, rde: resetRde(get().rde) });
    refreshCompare();
    const unsupported = model.unsupported.map((u) => `${u.name} (${u.className})`).join(', ');
    showMessage('info', `Loaded ${model.name}: input ${model.inputShape.join(' x ')}, ${model.classes.length} classes.${unsupported ? ` Layers outside the IR: ${unsupported}; gradient methods still work.` : ''}`);
    if (lastImage) await submitImage(lastImage.raw, lastImage.meta);
  } catch (err) {
    set({ busy: null });
    showMessage('error', `The model was not loaded: ${errorText(err)} The current model is kept.`);
  }
}

export function setTarget(target: number | null): void {
  set({ targetOverride: target });
  refreshCompare();
  void explainCurrent('gradient');
  void runRde();
}

export function setOverlay(overlay: boolean): void {
  set({ overlay });
}

export async function explainCurrent(methodId: string, params: Record<string, unknown> = {}): Promise<void> {
  const target = selectTarget(get());
  if (target === null) return;
  const runId = newRunId();
  const run: Run = { runId, methodId, params, target, status: 'running', progress: 0 };
  set((s) => ({ runs: { ...s.runs, [methodId]: run } }));
  const patch = (p: Partial<Run>) => set((s) => {
    const current = s.runs[methodId];
    if (!current || current.runId !== runId) return s;
    return { runs: { ...s.runs, [methodId]: { ...current, ...p } } };
  });
  try {
    const result = await studioWorker().explain({ runId, methodId, params, target },
      proxyCallback((_id: number, fraction: number) => patch({ progress: fraction })));
    patch({
      status: 'done', progress: 1, relevance: result.relevance, shape: result.shape,
      milliseconds: result.milliseconds, backend: result.backend, params: result.params,
    });
  } catch (err) {
    const text = errorText(err);
    patch({ status: text.includes('cancelled') ? 'cancelled' : 'error', error: text });
  }
}

export function cancelRun(methodId: string): void {
  const run = get().runs[methodId];
  if (run?.status === 'running') void studioWorker().cancel(run.runId);
}

export async function workerMemory(): Promise<{ numTensors: number; numBytes: number }> {
  return studioWorker().memory();
}
