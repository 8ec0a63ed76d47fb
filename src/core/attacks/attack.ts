// Attacks on an explanation (METHODS.md 6; Ghorbani et al. 2019, Dombrowski et al. 2019): find
// δ with ‖δ‖∞ ≤ ε, x + δ inside the input range and the predicted class unchanged, that moves the
// map as far as possible. Gradient attack: signed-gradient steps on a loss of the map h(x + δ) of
// the softplus stand-in (core/attacks/smoothMaps.ts). Black-box attack: a random search that
// calls the method's own explain. Either way the map reported at x + δ is the real network's,
// through the method's own explain. Streams one record per iteration; cancellable; frees every
// tensor it makes, also on cancel and on error.
import * as tf from '@tensorflow/tfjs';
import { classify, forwardLogits } from '../net/forward';
import type { Net } from '../net/ir';
import { getMethod, methodAvailability, parseMethodParams } from '../methods/registry';
import type { Method } from '../methods/types';
import { throwIfAborted } from '../methods/types';
import type { ReferenceDistribution } from '../reference/distribution';
import { mulberry32 } from '../util/random';
import { yieldToEventLoop } from '../util/yieldToEventLoop';
import { centreOfMass, compareMaps, defaultTopK, pixelMagnitude, topKIndices, type MapComparison, type MapShape } from './metrics';
import { attackStep, checkEpsilon, clipTargetRegion, gradientAttackProblem, parseAttackParams, type AttackKind, type AttackParams, type PixelBox } from './params';
import { isDifferentiableMethod, smoothMap, smoothNetProblem, type SmoothMap } from './smoothMaps';

export interface AttackOptions {
  /** A method id from the registry (or the method itself). */
  method: string | Method;
  /** The method's raw parameter values (checked by its schema; absent ones take its defaults). */
  methodParams?: Record<string, unknown>;
  /** Raw attack parameters (core/attacks/params.ts; absent ones take their defaults). */
  params?: Record<string, unknown>;
  /** The model's input range [min, max] (meta.json inputRange): x + δ is projected into it and ε must not exceed its width. */
  inputRange: [number, number];
  /** Targeted attack: the target map hᵗ (flat NHWC like the input; its pixel magnitudes are used) … */
  targetMap?: Float32Array;
  /** … or a box of pixels the relevance should move into (uniform inside, zero outside). */
  targetRegion?: PixelBox;
  reference?: ReferenceDistribution;
  /** Run the random-perturbation baseline at the same ε too (default true); it runs before the attack's iterations. */
  randomBaseline?: boolean;
  /** The class kept and the map at x, once measured (before the baseline and the iterations). */
  onStart?: (start: { label: number; mapBefore: Float32Array; probabilitiesBefore: Float32Array; k: number; searchKind: AttackKind }) => void;
  /** The random baseline's outcome, as soon as it is measured (before the first iteration). */
  onBaseline?: (random: PerturbedOutcome) => void;
  signal?: AbortSignal;
  /** One record per iteration, as it happens; `current()` copies the iterate and its real map (call it only when you will draw them). */
  onIteration?: (record: AttackIteration, current: () => { attacked: Float32Array; map: Float32Array }) => void;
}

export interface AttackIteration extends MapComparison {
  iteration: number;
  /** The attack's loss on the real network's map at the iterate (lower is a stronger attack). */
  loss: number;
  /** The loss on the softplus network where the gradient was taken (gradient attack), else null. */
  smoothLoss: number | null;
  /** Whether the iterate is still classified as the original class (the attack only accepts steps that keep it). */
  labelKept: boolean;
  /** Whether this iteration's step was taken (false: every halving changed the label, or the black-box proposal did not help). */
  accepted: boolean;
  /** The step size taken (or last tried). */
  step: number;
}

/** An input near x with its real map and classification, compared with the original map. */
export interface PerturbedOutcome {
  attacked: Float32Array;
  map: Float32Array;
  logits: Float32Array;
  probabilities: Float32Array;
  predicted: number;
  labelKept: boolean;
  metrics: MapComparison;
  /** ‖attacked − input‖∞ as measured. */
  linf: number;
}

export interface AttackResult {
  kind: AttackKind;
  method: string;
  methodParams: Record<string, unknown>;
  params: AttackParams;
  k: number;
  step: number;
  inputRange: [number, number];
  /** The class predicted at x (kept by the attack) and explained by every map. */
  label: number;
  input: Float32Array;
  shape: MapShape;
  mapBefore: Float32Array;
  logitsBefore: Float32Array;
  probabilitiesBefore: Float32Array;
  /** The strongest iterate (by the attack's own measure on the real map) and the iteration it came from (0: the input itself). */
  attacked: PerturbedOutcome & { iteration: number };
  random: PerturbedOutcome | null;
  trace: AttackIteration[];
  milliseconds: number;
}

type Objective = (map: Float32Array, probabilities: Float32Array) => number;

function normalised(m: Float64Array): Float64Array {
  let s = 0;
  for (const v of m) s += v;
  return s > 0 ? m.map((v) => v / s) : m.map(() => 1 / m.length);
}

/** x + δ projected: |δ_i| ≤ ε and lo ≤ x_i + δ_i ≤ hi, in float32 (rounding can leave |δ_i| a float32 ulp of x_i above ε). */
function project(x: Float32Array, proposal: Float64Array | Float32Array, epsilon: number, [lo, hi]: [number, number]): Float32Array {
  return Float32Array.from(x, (v, i) => Math.min(Math.min(hi, v + epsilon), Math.max(Math.max(lo, v - epsilon), proposal[i])));
}

function linfDistance(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The target's normalised pixel magnitudes from a map or a box (exactly one must be given for the targeted attack). */
function targetDistribution(shape: MapShape, targetMap?: Float32Array, region?: PixelBox): Float64Array {
  const [h, w, c] = shape;
  if (targetMap && region) throw new Error('Give the targeted attack a target map or a target region, not both.');
  if (targetMap) {
    if (targetMap.length !== h * w * c) throw new Error(`The target map has ${targetMap.length} values; the input has ${h * w * c} (${h} × ${w} × ${c}).`);
    const m = pixelMagnitude(targetMap, shape);
    if (!m.some((v) => v > 0)) throw new Error('The target map is empty (all zeros): it puts relevance nowhere.');
    for (const v of m) if (!Number.isFinite(v)) throw new Error('The target map has a non-finite value.');
    return normalised(m);
  }
  if (!region) throw new Error('The targeted attack needs a target: a target map or a target region.');
  const box = clipTargetRegion(region, h, w);
  const m = new Float64Array(h * w);
  for (let r = box.y0; r < box.y1; r++) for (let col = box.x0; col < box.x1; col++) m[r * w + col] = 1;
  return normalised(m);
}

/**
 * The attack. Steps (METHODS.md 6): the original map and class at x; then per iteration a step
 * δ ← Π(δ − α·sign ∇L) (gradient) or δ ← Π(ε·s), s a vertex of the ε-ball (the random
 * baseline's first, then 10 % of the current signs re-drawn), kept only when L on the real map
 * falls (black-box); Π projects onto ‖δ‖∞ ≤ ε and the input range; a step whose
 * input the real network classifies differently is retried at half the size (`halvings` times),
 * then skipped. The result is the best iterate on the real map and a random-sign baseline at
 * the same ε.
 */
export async function runAttack(net: Net, input: Float32Array, shape: MapShape, options: AttackOptions): Promise<AttackResult> {
  const t0 = performance.now();
  const method = typeof options.method === 'string' ? getMethod(options.method) : options.method;
  const methodParams = parseMethodParams(method, options.methodParams ?? {}) as Record<string, unknown>;
  const params = parseAttackParams(options.params ?? {});
  const availability = methodAvailability(method, net);
  if (!availability.ok) throw new Error(availability.reason);
  const [h, w, c] = shape;
  if (input.length !== h * w * c) throw new Error(`The input has ${input.length} values, not ${h} × ${w} × ${c}.`);
  const range = options.inputRange;
  checkEpsilon(params.epsilon, range);
  for (let i = 0; i < input.length; i++) {
    if (!(input[i] >= range[0] - 1e-6 && input[i] <= range[1] + 1e-6)) {
      throw new Error(`Input component ${i} is ${input[i]}, outside the input range [${range[0]}, ${range[1]}].`);
    }
  }
  const k = params.k === 0 ? defaultTopK(h * w) : params.k;
  if (k > h * w) throw new Error(`k = ${k} is more than the ${h * w} pixels of the input.`);
  // Automatic: the gradient attack where the method is differentiable and the network has a
  // smooth stand-in (ReLU → softplus); otherwise the black-box search, which needs neither.
  const smoothProblem = smoothNetProblem(net);
  const kind: AttackKind = params.kind === 'auto' ? (isDifferentiableMethod(method.id) && !smoothProblem ? 'gradient' : 'black-box') : params.kind;
  if (kind === 'gradient') {
    const problem = gradientAttackProblem(method.id, method.label, smoothProblem);
    if (problem) throw new Error(problem);
  }
  const target = params.attack === 'targeted' ? targetDistribution(shape, options.targetMap, options.targetRegion) : null;
  const signal = options.signal;
  const step0 = attackStep(params);

  const explainAt = async (values: Float32Array): Promise<Float32Array> => {
    const t = tf.tensor4d(values, [1, h, w, c]);
    try {
      return (await method.explain(net, t, label, methodParams, { seed: params.seed, reference: options.reference, signal })).relevance;
    } finally {
      t.dispose();
    }
  };
  const classifyAt = async (values: Float32Array) => {
    const t = tf.tensor4d(values, [1, h, w, c]);
    try {
      return await classify(net, t);
    } finally {
      t.dispose();
    }
  };

  throwIfAborted(signal);
  const before = await classifyAt(input);
  const label = before.predicted;
  const mapBefore = await explainAt(input);
  const magnitudeBefore = pixelMagnitude(mapBefore, shape);
  const topSet = topKIndices(magnitudeBefore, k);
  const centreBefore = centreOfMass(magnitudeBefore, h, w);
  options.onStart?.({ label, mapBefore, probabilitiesBefore: before.probabilities, k, searchKind: kind });

  // The loss on a real map (and the class probabilities there): what the black-box search
  // lowers, what picks the best iterate, and what the trace reports for every attack.
  const realObjective: Objective = (() => {
    if (params.attack === 'topk') {
      return (map) => {
        const p = normalised(pixelMagnitude(map, shape));
        return topSet.reduce((s, i) => s + p[i], 0);
      };
    }
    if (params.attack === 'masscenter') {
      return (map) => {
        const centre = centreOfMass(pixelMagnitude(map, shape), h, w);
        return -Math.hypot(centre.row - centreBefore.row, centre.col - centreBefore.col);
      };
    }
    return (map, probabilities) => {
      const p = normalised(pixelMagnitude(map, shape));
      let mapTerm = 0;
      for (let i = 0; i < p.length; i++) mapTerm += (p[i] - target![i]) ** 2;
      let outputTerm = 0;
      for (let i = 0; i < probabilities.length; i++) outputTerm += (probabilities[i] - before.probabilities[i]) ** 2;
      return mapTerm + params.gamma * outputTerm;
    };
  })();

  const outcome = (attacked: Float32Array, map: Float32Array, cls: { logits: Float32Array; probabilities: Float32Array; predicted: number }): PerturbedOutcome => ({
    attacked, map, logits: cls.logits, probabilities: cls.probabilities, predicted: cls.predicted,
    labelKept: cls.predicted === label, metrics: compareMaps(mapBefore, map, shape, k), linf: linfDistance(attacked, input),
  });

  // The current iterate and its real map, classification and loss.
  let current = input;
  let currentMap = mapBefore;
  let currentCls = before;
  let currentLoss = realObjective(mapBefore, before.probabilities);
  let best = { ...outcome(input, mapBefore, before), iteration: 0 };
  let bestLoss = currentLoss;
  let currentIntersection = 1;
  /** Whether (intersection, loss) is a stronger attack than (i0, l0): top-k by the intersection first, then the loss; the others by the loss. */
  const improves = (intersection: number, loss: number, i0: number, l0: number) => (params.attack === 'topk'
    ? intersection < i0 || (intersection === i0 && loss < l0)
    : loss < l0);
  const trace: AttackIteration[] = [];
  const rand = mulberry32(params.seed);
  /** The random baseline's signs (stream seed + 1), shared with the black-box search's first proposal. */
  const baselineSigns = () => {
    const signs = mulberry32(params.seed + 1);
    return Float32Array.from(input, () => (signs() < 0.5 ? -1 : 1));
  };
  /** The black-box search's current vertex (signs of δ/ε), once a proposal was accepted. */
  let vertex: Float32Array | null = null;

  // The gradient attack's loss on the softplus network: built once, its randomness fixed.
  let smoothLossGradient: ((x: Float32Array) => Promise<{ value: number; gradient: Float32Array }>) | null = null;
  let massDirection: [number, number] = (() => {
    const angle = 2 * Math.PI * rand();
    return [Math.cos(angle), Math.sin(angle)];
  })();
  if (kind === 'gradient') {
    const hOf: SmoothMap = smoothMap(net, method.id, methodParams, label, params.beta, { x0: input, shape, seed: params.seed, reference: options.reference });
    const rows = Float32Array.from({ length: h * w }, (_, i) => Math.floor(i / w));
    const cols = Float32Array.from({ length: h * w }, (_, i) => i % w);
    const normalisedMap = (x: tf.Tensor4D) => {
      const m = tf.reshape(tf.sum(tf.abs(hOf(x)), -1), [h * w]);
      return tf.div(m, tf.add(tf.sum(m), 1e-30));
    };
    const centreOf = (p: tf.Tensor) => tf.stack([tf.sum(tf.mul(p, tf.tensor1d(rows))), tf.sum(tf.mul(p, tf.tensor1d(cols)))]);
    // Constants of the loss taken on the softplus network at x: its map's centre, its probabilities.
    const [smoothCentre, smoothProbabilities] = tf.tidy(() => {
      const x = tf.tensor4d(input, [1, h, w, c]);
      return [centreOf(normalisedMap(x)), tf.softmax(forwardLogits(net, x, { softplusBeta: params.beta }))];
    });
    // The top-k set the smooth loss lowers is the softplus map's own at x: at β ≈ 20 it shares
    // only 60–70 % of its top-k pixels with the real map on MNIST (measured), and a loss on the
    // real map's set would push on pixels the smooth map does not rank high.
    // Read asynchronously: a synchronous read stalls a GPU backend's worker (WebGPU warns of it).
    const smoothTopTensor = tf.tidy(() => normalisedMap(tf.tensor4d(input, [1, h, w, c])));
    let smoothTop: Float32Array | Int32Array | Uint8Array;
    try {
      smoothTop = await smoothTopTensor.data();
    } catch (err) {
      tf.dispose([smoothCentre, smoothProbabilities]);
      throw err;
    } finally {
      smoothTopTensor.dispose();
    }
    const topMask = new Float32Array(h * w);
    for (const i of topKIndices(smoothTop, k)) topMask[i] = 1;
    const loss = (x: tf.Tensor): tf.Scalar => {
      const p = normalisedMap(x as tf.Tensor4D);
      if (params.attack === 'topk') return tf.sum(tf.mul(p, tf.tensor1d(topMask)));
      if (params.attack === 'masscenter') {
        // −u·(C − C₀): the displacement along u, the direction the centre has moved so far (a seeded
        // random direction until it has moved), whose gradient is that of −‖C − C₀‖ once aligned.
        return tf.neg(tf.sum<tf.Scalar>(tf.mul(tf.sub(centreOf(p), smoothCentre), tf.tensor1d(massDirection))));
      }
      const mapTerm = tf.sum(tf.square(tf.sub(p, tf.tensor1d(Float32Array.from(target!)))));
      const probabilities = tf.softmax(forwardLogits(net, x as tf.Tensor4D, { softplusBeta: params.beta }));
      return tf.add(mapTerm, tf.mul(tf.sum(tf.square(tf.sub(probabilities, smoothProbabilities))), params.gamma));
    };
    smoothLossGradient = async (values) => {
      const [value, gradient] = tf.tidy(() => {
        const r = tf.valueAndGrad(loss)(tf.tensor4d(values, [1, h, w, c]));
        return [r.value, r.grad];
      });
      try {
        const [v, g] = await Promise.all([value.data(), gradient.data()]);
        return { value: v[0], gradient: Float32Array.from(g) };
      } finally {
        tf.dispose([value, gradient]);
      }
    };
    try {
      return await attackLoop();
    } finally {
      tf.dispose([smoothCentre, smoothProbabilities]);
    }
  }
  return attackLoop();

  async function attackLoop(): Promise<AttackResult> {
    // The baseline first (its draws are its own stream, so the order changes no number): a
    // panel shows it beside the attack while the attack runs.
    const random = options.randomBaseline === false ? null : await randomPerturbation();
    if (random) options.onBaseline?.(random);
    for (let iteration = 1; iteration <= params.iterations; iteration++) {
      await yieldToEventLoop();
      throwIfAborted(signal);
      let smoothLoss: number | null = null;
      let direction: Float32Array;
      if (smoothLossGradient) {
        const r = await smoothLossGradient(current);
        smoothLoss = r.value;
        // Minimise: step against the gradient's sign.
        direction = r.gradient.map((g) => -Math.sign(g));
      } else {
        // Random search over the vertices of the ε-ball: the first proposal is the random
        // baseline's own signs (so the search starts where the baseline ends), each later one
        // re-draws every sign of the current vertex with probability 0.1.
        direction = !vertex ? baselineSigns() : vertex.map((v) => (rand() < 0.1 ? (rand() < 0.5 ? -1 : 1) : v));
      }
      let step = smoothLossGradient ? step0 : params.epsilon;
      let accepted = false;
      for (let tries = 0; tries <= params.halvings; tries++, step /= 2) {
        throwIfAborted(signal);
        const from = smoothLossGradient ? current : input;
        const proposal = project(input, Float64Array.from(from, (v, i) => v + step * direction[i]), params.epsilon, range);
        const cls = await classifyAt(proposal);
        if (cls.predicted !== label) continue;
        const map = await explainAt(proposal);
        const loss = realObjective(map, cls.probabilities);
        // The gradient attack follows its gradient; the random search keeps only what helps (by the
        // same order that picks the best iterate).
        if (!smoothLossGradient && !improves(compareMaps(mapBefore, map, shape, k).topkIntersection, loss, currentIntersection, currentLoss)) break;
        current = proposal;
        currentIntersection = compareMaps(mapBefore, map, shape, k).topkIntersection;
        if (!smoothLossGradient) vertex = direction;
        currentMap = map;
        currentCls = cls;
        currentLoss = loss;
        accepted = true;
        break;
      }
      const metrics = compareMaps(mapBefore, currentMap, shape, k);
      if (params.attack === 'masscenter') {
        const centre = centreOfMass(pixelMagnitude(currentMap, shape), h, w);
        const moved = Math.hypot(centre.row - centreBefore.row, centre.col - centreBefore.col);
        if (moved > 0.1) massDirection = [(centre.row - centreBefore.row) / moved, (centre.col - centreBefore.col) / moved];
      }
      if (accepted && improves(metrics.topkIntersection, currentLoss, best.metrics.topkIntersection, bestLoss)) {
        best = { ...outcome(current, currentMap, currentCls), iteration };
        bestLoss = currentLoss;
      }
      const record: AttackIteration = {
        iteration, loss: currentLoss, smoothLoss, ...metrics, labelKept: currentCls.predicted === label, accepted, step,
      };
      trace.push(record);
      const snapshot = { attacked: current, map: currentMap };
      options.onIteration?.(record, () => ({ attacked: Float32Array.from(snapshot.attacked), map: Float32Array.from(snapshot.map) }));
    }
    return {
      kind, method: method.id, methodParams, params, k, step: step0, inputRange: range, label,
      input, shape, mapBefore, logitsBefore: before.logits, probabilitiesBefore: before.probabilities,
      attacked: best, random, trace, milliseconds: performance.now() - t0,
    };
  }

  /** The baseline: x + ε·s, s uniform random signs (seed + 1), projected into the range; its label is reported, not enforced. */
  async function randomPerturbation(): Promise<PerturbedOutcome> {
    throwIfAborted(signal);
    const signs = baselineSigns();
    const attacked = project(input, Float64Array.from(input, (v, i) => v + signs[i] * params.epsilon), params.epsilon, range);
    const cls = await classifyAt(attacked);
    return outcome(attacked, await explainAt(attacked), cls);
  }
}
