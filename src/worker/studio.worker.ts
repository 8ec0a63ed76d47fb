/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { useBackend, type BackendName } from '../core/tf/backends';
import { openModelBundle, type ModelBundle, type ReadBundleFile } from '../core/net/modelBundle';
import { classify, forwardLogits } from '../core/net/forward';
import { disposeNet } from '../core/net/fromLayersModel';
import type { Net } from '../core/net/ir';
import { preprocessForModel, type PreprocessingKind } from '../core/image/preprocess';
import type { ReferenceDistribution } from '../core/reference/distribution';
import { METHODS, getMethod, methodAvailability, parseMethodParams } from '../core/methods/registry';
import { paramDescriptors } from '../core/methods/params';
import type { Method } from '../core/methods/types';
import { sampleObfuscations } from '../core/rde/obfuscationSamples';
import { autoBackend, probeBackends } from './backendProbe';
import { loseDevice, watchDeviceLoss } from './deviceLoss';
import { evaluateCurves, mapPasses, parseCurveSettings, passesPerCurve, sanityCheck, type EvaluationContext } from './evaluation';
import type { AttackAnswer, AttackEvent, BackendOption, BackendPreference, BackendReport, ClassifyResult, EvaluateResult, EvaluationEstimate, ExplainRequest, SanityAnswer, ExplainResult, ModelInfo, RawImage, RunEstimate, StudioWorkerApi } from './protocol';
import type { LayerInitialisers } from '../core/net/initialisers';
import { verifyDistortion, VERIFY_DEFAULTS } from '../core/rde/verify';
import { runAttack } from '../core/attacks/attack';
import { smoothNetProblem } from '../core/attacks/smoothMaps';
import { attackRange, parseAttackParams } from '../core/attacks/params';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

interface LoadedModel {
  info: ModelInfo;
  model: tf.LayersModel;
  net: Net;
  preprocessing: PreprocessingKind;
  reference?: ReferenceDistribution;
  initialisers: LayerInitialisers;
}

let options: BackendOption[] = [];
let preference: BackendPreference = 'auto';
let loaded: LoadedModel | null = null;
let input: tf.Tensor4D | null = null;
const runs = new Map<number, AbortController>();
/** Milliseconds per single-input pass in a batch, measured once per model, input size and backend. */
let passTime: { key: string; forward: number; backward: number } | null = null;

/**
 * Times a forward pass and a gradient of the logits on a batch of 8 copies of the input (after
 * one warm-up of each, which compiles the kernels), per input: what one pass costs inside the
 * batches the methods use. Backward is what the gradient adds to the forward pass. Kept small:
 * on a software GPU every pass counts, and this runs once per model, input size and backend.
 */
async function timePerPass(net: Net, x: tf.Tensor4D, key: string): Promise<{ forward: number; backward: number }> {
  if (passTime?.key === key) return passTime;
  const size = 8;
  const batch = tf.tile(x, [size, 1, 1, 1]) as tf.Tensor4D;
  const gradient = tf.grad((b: tf.Tensor) => tf.sum(forwardLogits(net, b as tf.Tensor4D)));
  const time = async (f: () => tf.Tensor) => {
    const t0 = performance.now();
    const out = f();
    await out.data();
    out.dispose();
    return performance.now() - t0;
  };
  try {
    await time(() => forwardLogits(net, batch));
    await time(() => gradient(batch));
    const forward = await time(() => forwardLogits(net, batch)) / size;
    const both = await time(() => gradient(batch)) / size;
    passTime = { key, forward, backward: Math.max(both - forward, forward) };
    return passTime;
  } finally {
    batch.dispose();
  }
}

/**
 * Stops every run in flight before its tensors' world changes (new input, model or backend).
 * Iterative runs check their signal right after each yield, so they end before touching
 * the replaced tensors; the caller's request then fails with "cancelled".
 */
function abortRuns(): void {
  for (const controller of runs.values()) controller.abort();
}

async function applyBackend(pref: BackendPreference): Promise<BackendReport> {
  abortRuns();
  if (!options.length) options = await probeBackends();
  const choice: BackendName = pref === 'auto' ? autoBackend(options) : pref;
  const option = options.find((o) => o.name === choice);
  if (!option?.available) throw new Error(`${choice} is not available in this browser: ${option?.detail ?? 'unknown backend'}.`);
  const previous = tf.getBackend() as BackendName | undefined;
  try {
    await useBackend(choice);
  } catch (err) {
    if (previous) await useBackend(previous);
    throw err;
  }
  watchDeviceLoss(choice);
  preference = pref;
  return { active: choice, preference, autoChoice: autoBackend(options), options };
}

/**
 * A run's cost from its pass count (Method.estimate) and the measured time per pass. Methods
 * made of many small sequential steps (RDE's iterations) cost more than their passes in batches
 * suggest; the ratio of a finished run's time to this figure is learned per backend, model,
 * method and mode, and scales later estimates (learnedRatio).
 */
async function passEstimate(method: Method, params: Record<string, unknown>, net: Net, x: tf.Tensor4D, modelId: string) {
  const shape = x.shape.slice(1) as [number, number, number];
  const { mayStopEarly, ...passes } = method.estimate ? method.estimate(params as never, { shape }) : { forward: 1, backward: 1, mayStopEarly: false };
  const per = await timePerPass(net, x, `${tf.getBackend()}:${modelId}:${shape.join('x')}`);
  return { passes, milliseconds: passes.forward * per.forward + passes.backward * per.backward, atMost: mayStopEarly === true };
}

/** Measured time ÷ pass-based estimate of the last finished run, per backend, model, method and mode. */
const learnedRatio = new Map<string, number>();
/** Iterations the last finished run took, for methods that stop early (same keys). */
const learnedIterations = new Map<string, number>();

function ratioKey(method: Method, params: Record<string, unknown>, modelId: string): string {
  return `${tf.getBackend()}:${modelId}:${method.id}:${String(params.mode ?? '')}:${String(params.rank ?? '')}`;
}

/** After a run: how its time compares with the pass-based estimate of the work it did (its iterations, if it stopped early). */
async function learnFromRun(method: Method, params: Record<string, unknown>, extras: Record<string, unknown> | undefined, milliseconds: number): Promise<void> {
  if (!method.estimate || !loaded || !input) return;
  const done = typeof extras?.iterations === 'number' && typeof params.iterations === 'number' ? { ...params, iterations: extras.iterations } : params;
  const { milliseconds: predicted } = await passEstimate(method, done, loaded.net, input, loaded.info.id);
  const key = ratioKey(method, params, loaded.info.id);
  if (predicted > 0 && Number.isFinite(milliseconds)) learnedRatio.set(key, milliseconds / predicted);
  if (typeof extras?.iterations === 'number') learnedIterations.set(key, extras.iterations);
}

function evaluationContext(): EvaluationContext {
  if (!loaded || !input) throw new Error('Load an image first.');
  return { net: loaded.net, input, reference: loaded.reference, modelName: loaded.info.name, initialisers: loaded.initialisers };
}

function evaluationKey(): string {
  return `${tf.getBackend()}:${loaded?.info.id}:evaluate`;
}

/**
 * An evaluation's passes (its curves' forward passes and the maps it computes) times the measured
 * time per pass, scaled by what the last evaluation here took against the same figure (`learned`).
 */
async function evaluationEstimate(
  ctx: EvaluationContext, settings: Parameters<typeof passesPerCurve>[0],
  methods: Array<{ id: string; params: Record<string, unknown>; hasMap: boolean }>, learned: boolean,
): Promise<EvaluationEstimate> {
  const shape = ctx.input.shape.slice(1) as [number, number, number];
  const perCurve = passesPerCurve(settings, ctx.input.size);
  const maps = mapPasses(methods, shape);
  const passes = { forward: maps.forward + perCurve * methods.length, backward: maps.backward };
  const per = await timePerPass(ctx.net, ctx.input, `${tf.getBackend()}:${loaded!.info.id}:${shape.join('x')}`);
  const milliseconds = (passes.forward * per.forward + passes.backward * per.backward) * (learned ? learnedRatio.get(evaluationKey()) ?? 1 : 1);
  return { curves: methods.length, passesPerCurve: perCurve, passes, milliseconds };
}

/** A bundle's files fetched from its folder's URL; a file the server does not have reads as null. */
function urlReader(dir: URL): ReadBundleFile {
  return async (path) => {
    const url = new URL(path, dir);
    const res = await fetch(url);
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`Could not fetch ${url.href} (${res.status}).`);
    return res.arrayBuffer();
  };
}

/**
 * Makes a model opened by the bundle loader (core/net/modelBundle.ts) current. Until that
 * loader succeeds the previous model and input stay as they were, so a bad file loses nothing.
 */
function installModel({ model, net, meta, reference, report, initialisers }: ModelBundle): ModelInfo {
  abortRuns();
  if (loaded) {
    disposeNet(loaded.net);
    loaded.model.dispose();
  }
  input?.dispose();
  input = null;
  const info: ModelInfo = {
    id: meta.id, name: meta.name, classes: meta.classes, inputShape: net.inputShape,
    heldOutAccuracy: meta.heldOutAccuracy, unsupported: net.unsupported,
    referenceRank: reference?.rank ?? null, inputRange: meta.inputRange, smoothProblem: smoothNetProblem(net), report: report.text,
    methods: METHODS.map((m) => {
      const a = methodAvailability(m, net);
      return {
        id: m.id, label: m.label, formula: m.formula, description: m.description, available: a.ok, ...(a.ok ? {} : { reason: a.reason }),
        unit: m.unit,
        params: paramDescriptors(m.params), cost: m.cost ?? 'expensive',
      };
    }),
  };
  loaded = { info, model, net, preprocessing: meta.preprocessing, reference, initialisers };
  return info;
}

const api: StudioWorkerApi = {
  init: (pref) => applyBackend(pref),

  async loadBuiltinModel(baseUrl, id) {
    return installModel(await openModelBundle(urlReader(new URL(`models/${id}/`, baseUrl)), { id }));
  },

  async loadUserModel(uploaded) {
    const jsonFile = uploaded.find((f) => /\.json$/i.test(f.name) && !/^(meta|reference)\.json$/i.test(f.name));
    if (!jsonFile) throw new Error('Choose the model.json of a TensorFlow.js layers model together with its weight files (.bin).');
    const byName = new Map(uploaded.map((f) => [f.name, f.bytes] as const));
    // Dropped files come without their folders: a path in the bundle is looked up by its last part.
    const read: ReadBundleFile = async (path) => byName.get(path.split('/').pop()!) ?? null;
    return installModel(await openModelBundle(read, { id: jsonFile.name.replace(/\.json$/i, ''), modelJson: jsonFile.name }));
  },

  async setImage(image: RawImage): Promise<ClassifyResult> {
    if (!loaded) throw new Error('No model is loaded yet.');
    const prepared = preprocessForModel(loaded.preprocessing, image, loaded.net.inputShape);
    const next = tf.tensor4d(prepared.pixels, [1, ...prepared.shape]);
    let result;
    try {
      result = await classify(loaded.net, next);
    } catch (err) {
      next.dispose();
      throw err;
    }
    abortRuns();
    input?.dispose();
    input = next;
    return Comlink.transfer({
      pixels: prepared.pixels, shape: prepared.shape, polarity: prepared.polarity, notes: prepared.notes, ...result,
      backend: tf.getBackend() as BackendName,
    }, [result.logits.buffer as ArrayBuffer, result.probabilities.buffer as ArrayBuffer]);
  },

  async explain(request: ExplainRequest, onProgress, onUpdate): Promise<ExplainResult> {
    if (!loaded || !input) throw new Error('Load an image first.');
    const method = getMethod(request.methodId);
    const availability = methodAvailability(method, loaded.net);
    if (!availability.ok) throw new Error(availability.reason);
    const params = parseMethodParams(method, request.params);
    const controller = new AbortController();
    runs.set(request.runId, controller);
    const t0 = performance.now();
    // Iteration records are batched and sent with the current relevance at most every 100 ms
    // so the page redraws while a run goes without flooding the UI thread.
    let pending: Array<Record<string, number>> = [];
    let lastFlush = -Infinity; // the first iteration is sent at once: the first redraw comes soonest
    let progress = 0;
    const onIteration = onUpdate ? (record: Record<string, number>, current: () => Float32Array) => {
      pending.push(record);
      const now = performance.now();
      if (now - lastFlush < 100) return;
      lastFlush = now;
      const relevance = current();
      onUpdate(Comlink.transfer({ runId: request.runId, progress, records: pending, relevance }, [relevance.buffer as ArrayBuffer]));
      pending = [];
    } : undefined;
    try {
      const out = await method.explain(loaded.net, input, request.target, params, {
        signal: controller.signal,
        reference: loaded.reference,
        seed: request.seed,
        warmStart: request.warmStart,
        onIteration,
        onProgress: (f) => {
          progress = f;
          onProgress?.(request.runId, f);
        },
      });
      const milliseconds = performance.now() - t0;
      await learnFromRun(method, params, out.extras, milliseconds);
      return Comlink.transfer({
        runId: request.runId, methodId: method.id, params, target: request.target,
        relevance: out.relevance, shape: out.shape, milliseconds,
        backend: tf.getBackend() as BackendName, ...(out.extras ? { extras: out.extras } : {}),
        ...(out.check ? { check: out.check } : {}), ...(out.passes ? { passes: out.passes } : {}),
      }, [out.relevance.buffer as ArrayBuffer]);
    } finally {
      runs.delete(request.runId);
    }
  },

  async estimate(methodId, raw): Promise<RunEstimate> {
    if (!loaded || !input) throw new Error('Load an image first.');
    const method = getMethod(methodId);
    const params = parseMethodParams(method, raw);
    const { passes, milliseconds, atMost } = await passEstimate(method, params, loaded.net, input, loaded.info.id);
    const key = ratioKey(method, params, loaded.info.id);
    const scaled = milliseconds * (learnedRatio.get(key) ?? 1);
    const budget = (params as { iterations?: unknown }).iterations;
    const stoppedAt = learnedIterations.get(key);
    // A run that stops once it settles: the last such run's iterations say what to expect.
    const typical = atMost && stoppedAt !== undefined && typeof budget === 'number' ? scaled * Math.min(1, stoppedAt / budget) : undefined;
    return { passes, milliseconds: scaled, atMost, ...(typical !== undefined ? { typicalMilliseconds: typical } : {}) };
  },

  async evaluate(request, onProgress, onEvent): Promise<EvaluateResult> {
    const ctx = evaluationContext();
    const controller = new AbortController();
    runs.set(request.runId, controller);
    const t0 = performance.now();
    try {
      const out = await evaluateCurves(ctx, request, controller.signal, (f) => onProgress?.(request.runId, f), (event) => {
        onEvent?.(event.kind === 'map' ? Comlink.transfer(event, [event.relevance.buffer as ArrayBuffer]) : event);
      });
      const milliseconds = performance.now() - t0;
      const missing = request.methods.map((m) => ({ id: m.id, params: m.params, hasMap: m.relevance !== undefined }));
      const predicted = await evaluationEstimate(ctx, out.settings, missing, false);
      if (predicted.milliseconds > 0) learnedRatio.set(evaluationKey(), milliseconds / predicted.milliseconds);
      return { runId: request.runId, settings: out.settings, passesPerCurve: out.passesPerCurve, scoreOfX: out.scoreOfX, milliseconds, backend: tf.getBackend() as BackendName };
    } finally {
      runs.delete(request.runId);
    }
  },

  async sanity(request, onProgress, onEvent): Promise<SanityAnswer> {
    const ctx = evaluationContext();
    const controller = new AbortController();
    runs.set(request.runId, controller);
    const t0 = performance.now();
    try {
      const out = await sanityCheck(ctx, request, controller.signal, (f) => onProgress?.(request.runId, f), (event) => {
        onEvent?.(Comlink.transfer(event, [event.relevance.buffer as ArrayBuffer]));
      });
      return { runId: request.runId, ...out, milliseconds: performance.now() - t0 };
    } finally {
      runs.delete(request.runId);
    }
  },

  async estimateEvaluation(raw, methods): Promise<EvaluationEstimate> {
    const ctx = evaluationContext();
    return evaluationEstimate(ctx, parseCurveSettings(raw, ctx), methods, true);
  },

  async verifyRde(request, onProgress, onEstimate) {
    if (!loaded || !input) throw new Error('Load an image first.');
    if (!loaded.reference) throw new Error('This model has no reference distribution to draw noise from.');
    const controller = new AbortController();
    runs.set(request.runId, controller);
    const s = tf.tensor(request.mask, input.shape);
    try {
      return await verifyDistortion(loaded.net, input, request.target, s, loaded.reference, {
        rank: request.rank, seed: request.seed, signal: controller.signal,
        onEstimate: (partial) => {
          // Samples needed grow as (s.e. / target s.e.)²: the fraction done of that, or of the cap.
          const need = partial.distortion > 0 ? partial.samples * (partial.standardError / (VERIFY_DEFAULTS.relativeError * partial.distortion)) ** 2 : VERIFY_DEFAULTS.minSamples;
          onProgress?.(request.runId, Math.min(1, partial.samples / Math.min(VERIFY_DEFAULTS.maxSamples, Math.max(need, VERIFY_DEFAULTS.minSamples))));
          onEstimate?.(partial);
        },
      });
    } finally {
      s.dispose();
      runs.delete(request.runId);
    }
  },

  async obfuscations(mask, target, opts) {
    if (!loaded || !input) throw new Error('Load an image first.');
    if (!loaded.reference) throw new Error('This model has no reference distribution to draw noise from.');
    const out = await sampleObfuscations(loaded.net, input, mask, target, loaded.reference, opts);
    return Comlink.transfer(out, [out.images.buffer as ArrayBuffer, out.scores.buffer as ArrayBuffer]);
  },

  async attack(request, onProgress, onEvent): Promise<AttackAnswer> {
    if (!loaded || !input) throw new Error('Load an image first.');
    const controller = new AbortController();
    runs.set(request.runId, controller);
    const pixels = Float32Array.from(await input.data());
    const shape = input.shape.slice(1) as [number, number, number];
    const range = attackRange(loaded.info.inputRange, pixels);
    const { iterations } = parseAttackParams(request.params);
    const send = (event: AttackEvent, buffers: ArrayBufferLike[]) => onEvent?.(Comlink.transfer(event, buffers as ArrayBuffer[]));
    let lastSent = 0;
    try {
      const result = await runAttack(loaded.net, pixels, shape, {
        method: request.methodId, methodParams: request.methodParams, params: request.params, inputRange: range,
        targetRegion: request.targetRegion, reference: loaded.reference, signal: controller.signal,
        onStart: (start) => send({ kind: 'start', ...start, mapBefore: start.mapBefore.slice(), probabilitiesBefore: start.probabilitiesBefore.slice() }, []),
        onBaseline: (random) => send({ kind: 'baseline', random }, []),
        onIteration: (record, current) => {
          onProgress?.(request.runId, record.iteration / iterations);
          const now = performance.now();
          if (now - lastSent < 250 && record.iteration < iterations) {
            send({ kind: 'iteration', record }, []);
            return;
          }
          lastSent = now;
          const snapshot = current();
          send({ kind: 'iteration', record, current: snapshot }, [snapshot.attacked.buffer, snapshot.map.buffer]);
        },
      });
      return {
        runId: request.runId, searchKind: result.kind, params: result.params, k: result.k, step: result.step, label: result.label,
        mapBefore: result.mapBefore, probabilitiesBefore: result.probabilitiesBefore, attacked: result.attacked, random: result.random,
        milliseconds: result.milliseconds, backend: tf.getBackend() as BackendName,
      };
    } finally {
      runs.delete(request.runId);
    }
  },

  cancel(runId) {
    runs.get(runId)?.abort();
  },

  memory() {
    const m = tf.memory();
    return { numTensors: m.numTensors, numBytes: m.numBytes };
  },

  ping: () => Date.now(),

  simulateFault(kind) {
    switch (kind) {
      case 'hang':
        for (;;) { /* blocks the worker's event loop for good */ }
      case 'crash':
        setTimeout(() => { throw new Error('Simulated crash of the compute worker.'); }, 0);
        return;
      case 'oom': {
        if (tf.getBackend() !== 'wasm') throw new Error('The out-of-memory fault is simulated on the WASM backend.');
        const kept: tf.Tensor[] = [];
        for (;;) kept.push(tf.fill([64 * 1024 * 1024], 1));
      }
      case 'gpu-loss':
        loseDevice();
        return;
    }
  },
};

Comlink.expose(api);
