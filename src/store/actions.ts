// Actions outside components: each talks to the worker and writes the store.
import { studioWorker, onWorkerLost, replaceWorker } from '../worker/client';
import type { BackendPreference, RunEstimate } from '../worker/protocol';
import { WorkerLostError, type LostReason } from '../worker/supervisor';
import type { RawImage } from '../core/image/rawImage';
import { useStudio, selectTarget, type InputImage } from './studioStore';
import { runs } from './runs';
import { errorText } from './runIds';
import { resetRde, runRde, stopRde } from './rdeActions';
import { refreshCompare, refreshCompareKeepingFinished } from './compareActions';

const set = useStudio.setState;
const get = useStudio.getState;
/** The last image that classified, kept so a new model can classify it again. */
interface SubmittedImage { raw: RawImage; meta: Omit<InputImage, 'width' | 'height'> }
let lastImage: SubmittedImage | null = null;
/** The files of the user's model in use, kept so a restarted worker can load it again. */
let userModelFiles: Array<{ name: string; bytes: ArrayBuffer }> | null = null;
let studioBaseUrl = '';
/** When the worker was lost lately (ms): more than MAX_RESTARTS in a minute and the studio gives up. */
let losses: number[] = [];
const MAX_RESTARTS = 3;
/** Rebuilds of the worker (recoveries, backend switches), one after another. */
let recovery: Promise<void> = Promise.resolve();

/** An image whose classification the lost worker never finished: tried once after the restart. */
let interruptedImage: SubmittedImage | null = null;

/**
 * Images given before the first model has loaded wait for it; of several, only the latest is
 * classified. Settled once startStudio is done, loaded or not (if not, the image is refused
 * with the reason).
 */
let markModelSettled: () => void = () => {};
const modelSettled = new Promise<void>((resolve) => { markModelSettled = resolve; });
/** Counts images given, so a waiting image knows whether a newer one came. */
let imagesGiven = 0;


export function showMessage(kind: 'error' | 'info', text: string, opts: { persistent?: boolean } = {}): void {
  set({ message: { kind, text, ...(opts.persistent ? { persistent: true } : {}) } });
}

export function dismissMessage(): void {
  set({ message: null });
}

export async function startStudio(preference: BackendPreference, baseUrl: string): Promise<void> {
  studioBaseUrl = baseUrl;
  try {
    const backend = await studioWorker().init(preference);
    set({ backend, backendStatus: 'ready' });
    const model = await studioWorker().loadBuiltinModel(baseUrl, 'mnist');
    set({ model });
  } catch (err) {
    set({ backendStatus: 'failed' });
    showMessage('error', `The studio could not start: ${errorText(err)}`);
  } finally {
    markModelSettled();
  }
}

/**
 * Switches the backend on a fresh worker: tfjs would otherwise move every tensor to the new
 * backend with synchronous reads, which lose the device of a WebGPU adapter and come back as
 * zeros (a silently blank map). The model and image are loaded again and the maps recomputed;
 * if the backend does not come up, the previous one is restored.
 */
export function chooseBackend(preference: BackendPreference): Promise<void> {
  set({ backendStatus: 'switching' });
  recovery = recovery.then(async () => {
    await stopRde();
    const previous = get().backend?.preference ?? 'auto';
    try {
      await rebuildWorker(preference);
    } catch (err) {
      showMessage('error', errorText(err));
      try {
        await rebuildWorker(previous);
      } catch (again) {
        set({ backendStatus: 'failed' });
        showMessage('error', `${errorText(err)} Going back to the previous backend failed too: ${errorText(again)} Reload the page.`);
        return;
      }
    }
    await recomputeAfterRebuild();
  });
  return recovery;
}

/** A fresh worker with the backend, the current model and the current image (its scores updated). */
async function rebuildWorker(preference: BackendPreference): Promise<void> {
  replaceWorker();
  const backend = await studioWorker().init(preference);
  const model = userModelFiles ? await studioWorker().loadUserModel(userModelFiles) : await studioWorker().loadBuiltinModel(studioBaseUrl, 'mnist');
  set({ backend, model });
  if (lastImage) set({ classification: await studioWorker().setImage(lastImage.raw) });
  set({ backendStatus: 'ready' });
}

/** After a rebuild: an image that was interrupted is classified now, else the maps run again. */
async function recomputeAfterRebuild(): Promise<void> {
  const retry = interruptedImage;
  interruptedImage = null;
  if (retry && (await submitImage(retry.raw, retry.meta, { duringRecovery: true }))) return;
  refreshCompareKeepingFinished();
  if (get().classification) {
    await explainCurrent('gradient');
    void runRde();
  }
}

/**
 * Classifies a decoded image. If preprocessing or the model fails, the message says why and
 * the previous input, its scores and its maps stay on screen. While a lost worker is being
 * replaced the image waits for the new one (the recovery itself passes duringRecovery).
 */
export async function submitImage(raw: RawImage, meta: Omit<InputImage, 'width' | 'height'>, opts: { duringRecovery?: boolean; unlessOther?: boolean } = {}): Promise<boolean> {
  // The opening image (restored or bundled) gives way to any image the user gave first.
  if (opts.unlessOther && imagesGiven > 0) {
    URL.revokeObjectURL(meta.previewUrl);
    return false;
  }
  const mine = ++imagesGiven;
  if (!get().model) {
    set({ busy: 'Waiting for the model to load…' });
    await modelSettled;
    if (mine !== imagesGiven) {
      URL.revokeObjectURL(meta.previewUrl);
      return false;
    }
  }
  set({ busy: 'Classifying…' });
  try {
    await stopRde();
    // A worker lost meanwhile (even under stopRde) is being replaced: classify on the new one.
    if (!opts.duringRecovery) await recovery;
    const classification = await studioWorker().setImage(raw);
    const previous = get().input;
    if (previous && previous.previewUrl !== meta.previewUrl) URL.revokeObjectURL(previous.previewUrl);
    lastImage = { raw, meta };
    const notes = meta.notes.concat(classification.notes);
    const kept = get().message?.persistent ? get().message : null;
    set({
      input: { ...meta, width: raw.width, height: raw.height },
      classification, runs: {}, targetOverride: null, busy: null, rde: resetRde(get().rde),
      message: notes.length ? { kind: 'info', text: notes.join(' ') } : kept,
    });
    refreshCompare();
    await explainCurrent('gradient');
    void runRde();
    return true;
  } catch (err) {
    set({ busy: null });
    if (err instanceof WorkerLostError) {
      // The worker died under this image; the recovery classifies it once more.
      interruptedImage = { raw, meta };
      return false;
    }
    if (get().input?.previewUrl !== meta.previewUrl) URL.revokeObjectURL(meta.previewUrl);
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
    await recovery;
    const model = await studioWorker().loadUserModel(payload);
    userModelFiles = payload;
    set({ model, classification: null, runs: {}, targetOverride: null, busy: null, input: null, rde: resetRde(get().rde) });
    refreshCompare();
    const unsupported = model.unsupported.map((u) => `${u.name} (${u.className})`).join(', ');
    const report = `Loaded ${model.report}.${unsupported ? ` Layers outside the IR: ${unsupported}; gradient methods still work.` : ''}`;
    // The image is classified again first, so its notes do not replace the load report.
    const classified = lastImage ? await submitImage(lastImage.raw, lastImage.meta) : true;
    if (classified) showMessage('info', report);
    else showMessage('error', `${report} ${get().message?.text ?? ''}`.trim());
  } catch (err) {
    set({ busy: null });
    showMessage('error', `The model was not loaded: ${errorText(err)} The current model is kept.`);
  }
}

/** Goes back to the built-in MNIST model (offered whenever another model is loaded). */
export async function loadBuiltinModel(): Promise<void> {
  set({ busy: 'Loading the built-in model…' });
  try {
    await stopRde();
    await recovery;
    const model = await studioWorker().loadBuiltinModel(studioBaseUrl, 'mnist');
    userModelFiles = null;
    set({ model, classification: null, runs: {}, targetOverride: null, busy: null, input: null, rde: resetRde(get().rde) });
    refreshCompare();
    const classified = lastImage ? await submitImage(lastImage.raw, lastImage.meta) : true;
    if (classified) showMessage('info', `Back to the built-in model ${model.name}.`);
  } catch (err) {
    set({ busy: null });
    showMessage('error', `The built-in model was not loaded: ${errorText(err)}`);
  }
}

/**
 * The worker was lost (crash, hang, lost GPU, dead backend): start a new one with the same
 * backend (WASM when the GPU or backend was the cause), the same model and the same image, and
 * run the maps again. The store kept everything else (settings, finished RDE points, the
 * comparison's choices), so nothing the user had is lost. Losses are handled one at a time.
 */
function recoverFromLoss(reason: LostReason): void {
  recovery = recovery.then(() => restoreWorker(reason));
}

async function restoreWorker(reason: LostReason): Promise<void> {
  const now = Date.now();
  losses = losses.filter((t) => now - t < 60_000).concat(now);
  if (losses.length > MAX_RESTARTS) {
    set({ busy: null, backendStatus: 'failed' });
    showMessage('error', `${reason.text} This happened ${losses.length} times within a minute, so the studio stopped restarting the compute worker. Reload the page to start again.`);
    return;
  }
  const state = get();
  const active = state.backend?.active;
  const fallBack = active !== undefined && active !== 'wasm' && active !== 'cpu' && (reason.kind === 'gpu-lost' || reason.kind === 'backend-failed');
  const preference: BackendPreference = fallBack ? 'wasm' : state.backend?.preference ?? 'auto';
  set({ busy: 'Restarting the compute worker…', backendStatus: 'switching' });
  try {
    await rebuildWorker(preference);
  } catch (err) {
    set({ busy: null, backendStatus: 'failed' });
    showMessage('error', `${reason.text} Restarting the compute worker failed: ${errorText(err)} Reload the page to start again.`);
    return;
  }
  set({ busy: null });
  const where = fallBack ? ` on WASM (choose ${active === 'webgpu' ? 'WebGPU' : 'WebGL'} in the backend list to try it again)` : '';
  const notice = `${reason.text} The studio restarted it${where}; your model, image and settings are kept.`;
  showMessage('error', notice, { persistent: true });
  await recomputeAfterRebuild();
  // A retried image's own notes must not hide what happened to the worker.
  if (get().message?.kind !== 'error') showMessage('error', notice, { persistent: true });
}

onWorkerLost(recoverFromLoss);

export function setTarget(target: number | null): void {
  set({ targetOverride: target });
  refreshCompare();
  void explainCurrent('gradient');
  void runRde();
}

export function setOverlay(overlay: boolean): void {
  set({ overlay });
}

/** Runs a method for the relevance panel (slot "main:<id>"), now, replacing its previous run. */
export async function explainCurrent(methodId: string, params: Record<string, unknown> = {}): Promise<void> {
  const target = selectTarget(get());
  if (target === null) return;
  await runs.start(`main:${methodId}`, { methodId, params, target, lane: 'now' },
    (run) => set((s) => ({ runs: { ...s.runs, [methodId]: run } })));
}

export function cancelRun(methodId: string): void {
  void runs.requestCancel(`main:${methodId}`);
}

export async function workerMemory(): Promise<{ numTensors: number; numBytes: number }> {
  return studioWorker().memory();
}

/** The worker's estimate of a run's time (null when it cannot say: no input, bad parameters, a lost worker). */
export async function estimateRun(methodId: string, params: Record<string, unknown>): Promise<RunEstimate | null> {
  try {
    return await studioWorker().estimate(methodId, params);
  } catch {
    return null;
  }
}
