// The typed requests and answers between the UI thread and the compute worker.
import type { BackendName } from '../core/tf/backendNames';
import type { RawImage } from '../core/image/rawImage';
import type { AxiomCheck, MethodCost, PassCount } from '../core/methods/types';
import type { MethodUnit } from '../core/methods/units';
import type { RelevanceCurve } from '../core/evaluate/types';
import type { MonteCarloCheck } from '../core/rde/verify';
import type { AttackIteration, PerturbedOutcome } from '../core/attacks/attack';
import type { AttackKind } from '../core/attacks/params';
import type { PixelBox } from '../core/attacks/params';

export type BackendPreference = 'auto' | BackendName;

export interface BackendOption {
  name: BackendName;
  /** Usable in this browser at all. */
  available: boolean;
  /** A software implementation (SwiftShader, fallback adapter): available but slow. */
  software: boolean;
  detail: string;
}

export interface BackendReport {
  active: BackendName;
  preference: BackendPreference;
  /** What "auto" picks here. */
  autoChoice: BackendName;
  options: BackendOption[];
}

export interface ModelInfo {
  id: string;
  name: string;
  classes: string[];
  inputShape: [number, number, number];
  heldOutAccuracy: number | null;
  unsupported: Array<{ name: string; className: string }>;
  /** The rank of the reference distribution's covariance factor; null when the model has none. */
  referenceRank: number | null;
  /** Why the network has no softplus stand-in for the gradient attack (core/attacks/smoothMaps.ts), or null. */
  smoothProblem: string | null;
  /** The range the model's inputs live in (meta.json inputRange); null: not stated, the input's own min and max are used. */
  inputRange: [number, number] | null;
  /** What was loaded, in one sentence: input shape, classes, layers, parameters and size. */
  report: string;
  methods: MethodInfo[];
}

/** A method parameter as forms need it, derived from the method's zod schema (core/methods/params.ts). */
export type { ParamDescriptor } from '../core/methods/params';
import type { ParamDescriptor } from '../core/methods/params';

export interface MethodInfo {
  id: string;
  label: string;
  formula: string;
  description: string;
  available: boolean;
  reason?: string;
  params: ParamDescriptor[];
  /** Cheap methods may run unasked; expensive ones run when asked (core/methods/types.ts). */
  cost: MethodCost;
  /** What the relevance is measured in (core/methods/units.ts). */
  unit: MethodUnit;
}

export interface ClassifyResult {
  /** What the model sees, NHWC without the batch axis. */
  pixels: Float32Array;
  shape: [number, number, number];
  polarity?: string;
  notes: string[];
  logits: Float32Array;
  probabilities: Float32Array;
  predicted: number;
  /** The backend that computed the logits (shown beside them: a backend switch recomputes them). */
  backend: BackendName;
}

export interface ExplainRequest {
  runId: number;
  methodId: string;
  params: Record<string, unknown>;
  target: number;
  /** Start an iterative method (RDE) from this relevance instead of its default. */
  warmStart?: Float32Array;
  seed?: number;
}

/** What a running iterative method has done since the last update (sent at most every 100 ms). */
export interface RunUpdate {
  runId: number;
  progress: number;
  records: Array<Record<string, number>>;
  /** The relevance reached so far. */
  relevance: Float32Array;
}

export interface ExplainResult {
  runId: number;
  methodId: string;
  params: Record<string, unknown>;
  target: number;
  relevance: Float32Array;
  shape: number[];
  milliseconds: number;
  backend: BackendName;
  extras?: Record<string, unknown>;
  check?: AxiomCheck;
  passes?: PassCount;
}

/** A method the evaluation ranks: its parameters, and its map when the page already has it (the grid's). */
export interface EvaluateMethod {
  id: string;
  params: Record<string, unknown>;
  relevance?: Float32Array;
}

/** Relevance-ordering curves (core/evaluate/curve.ts) of several maps of the current input, on shared fillings. */
export interface EvaluateRequest {
  runId: number;
  target: number;
  /** Raw curve settings, checked against curveSettings in the worker too. */
  settings: Record<string, unknown>;
  methods: EvaluateMethod[];
  /** Seed of the maps computed here (the grid's seed, so they are the grid's maps). */
  seed: number;
}

/** What an evaluation streams per method: a map it computed, the curve so far (done once whole), or why the method failed. */
export type EvaluateEvent =
  | { kind: 'map'; methodId: string; relevance: Float32Array; milliseconds: number }
  | { kind: 'curve'; methodId: string; curve: RelevanceCurve; done: boolean; milliseconds: number }
  | { kind: 'error'; methodId: string; error: string };

export interface EvaluateResult {
  runId: number;
  /** The full settings used (defaults filled in). */
  settings: Record<string, unknown>;
  passesPerCurve: number;
  /** Score of x the distortions are measured against: p(x) (paper) or Φ(x) (studio). */
  scoreOfX: number;
  milliseconds: number;
  backend: BackendName;
}

/** The sanity check by cascading model randomisation (core/evaluate/sanity.ts) of one method on the current input. */
export interface SanityRequest {
  runId: number;
  target: number;
  methodId: string;
  params: Record<string, unknown>;
  /** Seed of the method (the grid's) and of the re-drawn weights. */
  seed: number;
}

/** The original map (index −1, no layer randomised), then one map per step as it finishes. */
export interface SanityEvent {
  index: number;
  total: number;
  randomised: string[];
  relevance: Float32Array;
  spearman: number;
  spearmanAbs: number;
  ssim: number;
  constant: boolean;
}

export interface SanityAnswer {
  runId: number;
  layers: string[];
  verdict: { passes: boolean; reason: string; finalSpearmanAbs: number | null; meanSpearmanAbs: number | null; layersToChange: number | null };
  milliseconds: number;
}

/** Forward passes and time of an evaluation before it starts (curves, and the maps still to compute). */
export interface EvaluationEstimate {
  curves: number;
  passesPerCurve: number;
  passes: PassCount;
  milliseconds: number;
}

/** An attack on one method's map of the current input (core/attacks/attack.ts). */
export interface AttackRequest {
  runId: number;
  methodId: string;
  /** The method's parameters (its schema's defaults fill the rest). */
  methodParams: Record<string, unknown>;
  /** Raw attack parameters (core/attacks/params.ts), checked in the worker too. */
  params: Record<string, unknown>;
  /** Targeted attack: the box of pixels the relevance should move into. */
  targetRegion?: PixelBox;
}

export type { AttackIteration, PerturbedOutcome, PixelBox };

/**
 * What an attack streams: the map and class at x first, then the random baseline, then one record
 * per iteration; `current` (the iterate and its real map) comes with a record at most every
 * 250 ms and with the last one.
 */
export type AttackEvent =
  | { kind: 'start'; label: number; mapBefore: Float32Array; probabilitiesBefore: Float32Array; k: number; searchKind: AttackKind }
  | { kind: 'baseline'; random: PerturbedOutcome }
  | { kind: 'iteration'; record: AttackIteration; current?: { attacked: Float32Array; map: Float32Array } };

export interface AttackAnswer {
  runId: number;
  searchKind: AttackKind;
  /** The full attack parameters used (defaults filled in). */
  params: Record<string, unknown>;
  k: number;
  step: number;
  label: number;
  mapBefore: Float32Array;
  probabilitiesBefore: Float32Array;
  /** The strongest iterate and the iteration it came from (0: no step helped). */
  attacked: PerturbedOutcome & { iteration: number };
  random: PerturbedOutcome | null;
  milliseconds: number;
  backend: BackendName;
}

export interface StudioWorkerApi {
  init(preference: BackendPreference): Promise<BackendReport>;
  loadBuiltinModel(baseUrl: string, id: string): Promise<ModelInfo>;
  /** A user's model.json with its weight files (and optionally a meta.json with class names). */
  loadUserModel(files: Array<{ name: string; bytes: ArrayBuffer }>): Promise<ModelInfo>;
  /** Preprocesses and classifies; on failure the previous input stays in place. */
  setImage(image: RawImage): Promise<ClassifyResult>;
  explain(
    request: ExplainRequest,
    onProgress?: (runId: number, fraction: number) => void,
    onUpdate?: (update: RunUpdate) => void,
  ): Promise<ExplainResult>;
  /**
   * How long a run of a method with these parameters will take on this backend, at most: its
   * pass count (Method.estimate) times a time per pass measured here once per model and backend.
   */
  estimate(methodId: string, params: Record<string, unknown>): Promise<RunEstimate>;
  /**
   * Relevance-ordering curves for a list of methods on the current input: given maps are used,
   * missing ones computed; each method's curve streams as its batches finish, a method that
   * fails says why and the others go on. Cancelled by cancel(runId); every tensor is freed.
   */
  evaluate(
    request: EvaluateRequest,
    onProgress?: (runId: number, fraction: number) => void,
    onEvent?: (event: EvaluateEvent) => void,
  ): Promise<EvaluateResult>;
  /** The passes and time of such an evaluation (methods: their ids, parameters and whether their map is given). */
  estimateEvaluation(settings: Record<string, unknown>, methods: Array<{ id: string; params: Record<string, unknown>; hasMap: boolean }>): Promise<EvaluationEstimate>;
  /** Cascading randomisation of one method's map: each randomised layer's map streams as it is computed; cancel(runId) stops it. */
  sanity(request: SanityRequest, onProgress?: (runId: number, fraction: number) => void, onEvent?: (event: SanityEvent) => void): Promise<SanityAnswer>;
  /**
   * D(s) of a finished RDE mask by Monte Carlo (core/rde/verify.ts), the estimate so far after
   * every chunk of samples; cancel(runId) stops it and frees its tensors.
   */
  verifyRde(request: VerifyRequest, onProgress?: (runId: number, fraction: number) => void, onEstimate?: (partial: MonteCarloCheck) => void): Promise<MonteCarloCheck>;
  /** Random obfuscations y = s x + (1 − s) n of the current input for a mask s, with Φ(y). */
  obfuscations(mask: Float32Array, target: number, opts: { count: number; rank: number; seed: number }): Promise<{ images: Float32Array; scores: Float32Array }>;
  /**
   * Attacks the map of one method on the current input (METHODS.md §6): the random baseline, then
   * the iterations stream as they run; cancel(runId) stops it and frees its tensors.
   */
  attack(request: AttackRequest, onProgress?: (runId: number, fraction: number) => void, onEvent?: (event: AttackEvent) => void): Promise<AttackAnswer>;
  cancel(runId: number): void;
  memory(): { numTensors: number; numBytes: number };
  /** The supervisor's heartbeat (worker/supervisor.ts): answers at once when the worker is alive. */
  ping(): number;
  /**
   * Fault injection for the reliability tests: 'hang' blocks the worker forever, 'crash' throws
   * an uncaught error, 'oom' allocates until the backend runs out of memory, 'gpu-loss' loses
   * the WebGL context or destroys the WebGPU device as a driver reset would.
   */
  simulateFault(kind: WorkerFault): void;
}

export interface RunEstimate {
  passes: PassCount;
  milliseconds: number;
  /** The run may stop earlier (RDE stops once F settles): the figure is an upper bound. */
  atMost: boolean;
  /** For such a run, what the last one of its kind took here, scaled to these settings. */
  typicalMilliseconds?: number;
}

export type WorkerFault = 'hang' | 'crash' | 'oom' | 'gpu-loss';

export type { RawImage };

/** A finished RDE mask to verify by Monte Carlo on the current input. */
export interface VerifyRequest {
  runId: number;
  mask: Float32Array;
  target: number;
  /** The noise: V at this rank with its diagonal residual (the run's rank). */
  rank: number;
  seed: number;
}

export type { MonteCarloCheck } from '../core/rde/verify';
