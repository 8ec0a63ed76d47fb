// Cascading model randomisation (Adebayo et al. 2018, "Sanity Checks for Saliency Maps"): a copy
// of a network whose top weight layers have fresh weights, drawn with each layer's own
// initialiser, seeded. The original net and its tensors are never touched.
import * as tf from '@tensorflow/tfjs';
import type { Conv2dLayer, DenseLayer, IRLayer, Net } from '../net/ir';
import type { InitializerSpec, LayerInitialisers } from '../net/initialisers';
import { tfSeed } from '../util/tfSeed';

export type WeightLayer = DenseLayer | Conv2dLayer;

export type { InitializerSpec, LayerInitialisers };

/** Keras's defaults for Dense and Conv2D, which the built-in MNIST model was trained from. */
export const DEFAULT_INITIALISERS = { kernel: 'glorotUniform', bias: 'zeros' } as const;

/** The initialiser names understood (normalised: lower case, no underscores). */
export const SUPPORTED_INITIALISERS = [
  'glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'lecunUniform', 'lecunNormal',
  'varianceScaling', 'truncatedNormal', 'randomNormal', 'randomUniform', 'zeros', 'ones', 'constant',
] as const;

/** A network with some weight layers re-drawn; its `owned` holds exactly the tensors it created. */
export interface RandomisedNet extends Net {
  /** Names of the re-drawn layers, top-down. */
  randomised: string[];
  /** Frees the tensors this copy created (its `owned`), nothing of the original. */
  dispose(): void;
}

export function isWeightLayer(layer: IRLayer): layer is WeightLayer {
  return layer.kind === 'dense' || layer.kind === 'conv2d';
}

/** The net's dense and conv2d layers, from the output down (the cascade's order). */
export function weightLayers(net: Net): WeightLayer[] {
  return net.layers.filter(isWeightLayer).reverse();
}

/** Names of the dense and conv2d layers, from the output down. */
export function weightLayerNames(net: Net): string[] {
  return weightLayers(net).map((l) => l.name);
}

/**
 * Keras's fans: a 2-D kernel [in, out]; a conv kernel [kh, kw, in, out] multiplies both by the
 * receptive field kh·kw; a 1-D tensor (a bias) has fan_in = fan_out = its length.
 */
export function fans(shape: number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  if (shape.length === 2) return { fanIn: shape[0], fanOut: shape[1] };
  const receptive = shape.slice(0, -2).reduce((p, d) => p * d, 1);
  return { fanIn: shape[shape.length - 2] * receptive, fanOut: shape[shape.length - 1] * receptive };
}

const normaliseName = (name: string) => name.replace(/_/g, '').toLowerCase();

type Mode = 'fanIn' | 'fanOut' | 'fanAvg';
type Distribution = 'uniform' | 'truncatedNormal' | 'untruncatedNormal';

interface Resolved {
  kind: 'varianceScaling'; scale: number; mode: Mode; distribution: Distribution;
}
type Plain =
  | Resolved
  | { kind: 'truncatedNormal' | 'randomNormal'; mean: number; stddev: number }
  | { kind: 'randomUniform'; minval: number; maxval: number }
  | { kind: 'constant'; value: number };

function num(config: Record<string, unknown>, key: string, fallback: number): number {
  const v = config[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

function resolve(spec: InitializerSpec, where: string): Plain {
  const className = typeof spec === 'string' ? spec : spec.className ?? spec.class_name ?? '';
  const config = typeof spec === 'string' ? {} : spec.config ?? {};
  const vs = (scale: number, mode: Mode, distribution: Distribution): Resolved => ({ kind: 'varianceScaling', scale, mode, distribution });
  switch (normaliseName(className)) {
    case 'glorotuniform': return vs(1, 'fanAvg', 'uniform');
    case 'glorotnormal': return vs(1, 'fanAvg', 'truncatedNormal');
    case 'heuniform': return vs(2, 'fanIn', 'uniform');
    case 'henormal': return vs(2, 'fanIn', 'truncatedNormal');
    case 'lecununiform': return vs(1, 'fanIn', 'uniform');
    case 'lecunnormal': return vs(1, 'fanIn', 'truncatedNormal');
    case 'variancescaling': {
      const mode = normaliseName(String(config.mode ?? 'fan_in'));
      const dist = normaliseName(String(config.distribution ?? 'truncated_normal'));
      const modes: Record<string, Mode> = { fanin: 'fanIn', fanout: 'fanOut', fanavg: 'fanAvg' };
      // Keras's legacy 'normal' means a truncated normal; tfjs's 'truncatedNormal' likewise.
      const dists: Record<string, Distribution> = {
        uniform: 'uniform', normal: 'truncatedNormal', truncatednormal: 'truncatedNormal', untruncatednormal: 'untruncatedNormal',
      };
      if (!(mode in modes)) throw new Error(`${where}: VarianceScaling mode "${String(config.mode)}" is not fan_in, fan_out or fan_avg.`);
      if (!(dist in dists)) throw new Error(`${where}: VarianceScaling distribution "${String(config.distribution)}" is not uniform, truncated_normal, untruncated_normal or normal.`);
      const scale = num(config, 'scale', 1);
      if (!(scale > 0)) throw new Error(`${where}: VarianceScaling scale must be positive (got ${scale}).`);
      return vs(scale, modes[mode], dists[dist]);
    }
    case 'truncatednormal': return { kind: 'truncatedNormal', mean: num(config, 'mean', 0), stddev: num(config, 'stddev', 0.05) };
    case 'randomnormal': return { kind: 'randomNormal', mean: num(config, 'mean', 0), stddev: num(config, 'stddev', 0.05) };
    case 'randomuniform': return { kind: 'randomUniform', minval: num(config, 'minval', -0.05), maxval: num(config, 'maxval', 0.05) };
    case 'zeros': return { kind: 'constant', value: 0 };
    case 'ones': return { kind: 'constant', value: 1 };
    case 'constant': return { kind: 'constant', value: num(config, 'value', 0) };
    default:
      throw new Error(`${where}: cannot re-draw with initialiser "${className}"; supported: ${SUPPORTED_INITIALISERS.join(', ')}.`);
  }
}

/**
 * Keras's truncated normal draws from N(0, σ²) cut at ±2σ, which has variance 0.7737·σ²; it
 * divides σ by this constant (√0.7737) so the drawn weights have the variance asked for.
 */
const TRUNCATION_CORRECTION = 0.87962566103423978;

/**
 * A tensor of the given shape drawn from the initialiser, seeded (tfjs's seeded random ops run
 * in JavaScript, so the same seed gives the same values on every backend). Keras semantics: a
 * variance-scaling initialiser has variance scale / n with n = fan_in, fan_out or their mean;
 * uniform on ±√(3·scale/n), a truncated normal with the correction above, or an untruncated one.
 * (tfjs's own VarianceScaling omits the correction, giving 23 % less variance.)
 */
export function drawInitialiser(spec: InitializerSpec, shape: number[], seed: number, where = 'Initialiser'): tf.Tensor {
  const init = resolve(spec, where);
  switch (init.kind) {
    case 'varianceScaling': {
      const { fanIn, fanOut } = fans(shape);
      const n = Math.max(1, init.mode === 'fanIn' ? fanIn : init.mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2);
      const variance = init.scale / n;
      if (init.distribution === 'uniform') {
        const limit = Math.sqrt(3 * variance);
        return tf.randomUniform(shape, -limit, limit, 'float32', tfSeed(seed));
      }
      if (init.distribution === 'truncatedNormal') {
        return tf.truncatedNormal(shape, 0, Math.sqrt(variance) / TRUNCATION_CORRECTION, 'float32', tfSeed(seed));
      }
      return tf.randomNormal(shape, 0, Math.sqrt(variance), 'float32', tfSeed(seed));
    }
    case 'truncatedNormal': return tf.truncatedNormal(shape, init.mean, init.stddev, 'float32', tfSeed(seed));
    case 'randomNormal': return tf.randomNormal(shape, init.mean, init.stddev, 'float32', tfSeed(seed));
    case 'randomUniform': return tf.randomUniform(shape, init.minval, init.maxval, 'float32', tfSeed(seed));
    case 'constant': return tf.fill(shape, init.value, 'float32');
  }
}

/**
 * The seed of one tensor of the cascade: a function of the cascade's seed, the layer's position
 * from the top and kernel (0) or bias (1) only, so a layer gets the same weights whatever the
 * number of layers randomised with it (randomisedNet(net, 2, s) and (net, 3, s) agree on the top
 * two). An integer in [0, 2³¹).
 */
export function tensorSeed(seed: number, topIndex: number, part: 0 | 1): number {
  let h = Math.imul((seed | 0) ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(2 * topIndex + part + 1, 0x85ebca6b);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 1;
}

/** Fresh kernel and bias for a weight layer (the bias only if the layer has one). */
export function freshWeights(
  layer: WeightLayer, topIndex: number, seed: number, initialisers: LayerInitialisers = {},
): { kernel: tf.Tensor; bias: tf.Tensor | null } {
  const specs = initialisers[layer.name] ?? {};
  const kernel = drawInitialiser(specs.kernel ?? DEFAULT_INITIALISERS.kernel, layer.kernel.shape, tensorSeed(seed, topIndex, 0), `Layer "${layer.name}" kernel`);
  let bias: tf.Tensor | null = null;
  try {
    if (layer.bias) bias = drawInitialiser(specs.bias ?? DEFAULT_INITIALISERS.bias, layer.bias.shape, tensorSeed(seed, topIndex, 1), `Layer "${layer.name}" bias`);
  } catch (err) {
    kernel.dispose();
    throw err;
  }
  return { kernel, bias };
}

/** New weights per weight layer (the layer object of the original net as key). */
export type Replacements = Map<WeightLayer, { kernel: tf.Tensor; bias: tf.Tensor | null }>;

/** The net with the given weight layers' kernels and biases replaced; every other layer shared. */
export function withWeights(net: Net, replaced: Replacements): Net {
  return {
    ...net,
    layers: net.layers.map((layer): IRLayer => {
      if (!isWeightLayer(layer)) return layer;
      const w = replaced.get(layer);
      if (!w) return layer;
      return layer.kind === 'dense'
        ? { ...layer, kernel: w.kernel as tf.Tensor2D, bias: w.bias as tf.Tensor1D | null }
        : { ...layer, kernel: w.kernel as tf.Tensor4D, bias: w.bias as tf.Tensor1D | null };
    }),
    unsupported: [...net.unsupported],
    owned: [],
  };
}

/**
 * A NEW net whose top `count` weight layers (dense and conv2d, counted from the output down) have
 * fresh weights from the layer's own initialiser (`initialisers[name]`, else glorotUniform
 * kernel and zeros bias: Keras's defaults), seeded by `seed` and the layer's position (tensorSeed).
 * Every other layer, and the layer objects' other fields, are the original's, sharing its
 * tensors, which are never modified. Its `owned` and `dispose()` cover only the new tensors; the
 * original's folded-batch-norm tensors stay the original's to free. `count` is clamped to
 * [0, number of weight layers].
 */
export function randomisedNet(net: Net, count: number, seed: number, initialisers: LayerInitialisers = {}): RandomisedNet {
  if (!Number.isInteger(count) || count < 0) throw new Error(`The number of layers to randomise must be a whole number ≥ 0 (got ${count}).`);
  const top = weightLayers(net).slice(0, count);
  const replaced: Replacements = new Map();
  const owned: tf.Tensor[] = [];
  try {
    top.forEach((layer, i) => {
      const w = freshWeights(layer, i, seed, initialisers);
      owned.push(w.kernel, ...(w.bias ? [w.bias] : []));
      replaced.set(layer, w);
    });
  } catch (err) {
    for (const t of owned) t.dispose();
    throw err;
  }
  const copy = withWeights(net, replaced);
  copy.owned = owned;
  const result: RandomisedNet = {
    ...copy,
    randomised: top.map((l) => l.name),
    dispose: () => {
      for (const t of owned) if (!t.isDisposed) t.dispose();
      owned.length = 0;
    },
  };
  return result;
}

