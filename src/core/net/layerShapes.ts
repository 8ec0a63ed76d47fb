import { formatCount, MODEL_LIMITS } from './modelLimits';

export type Config = Record<string, unknown>;
export type Dims = number[];
/** A weight shape; null where the topology alone does not say (the input of a layer after one we cannot follow). */
export type WeightShape = Array<number | null>;

export interface LayerEntry {
  index: number;
  name: string;
  className: string;
  config: Config;
  /** Indices of the layers feeding this one; null when the topology does not say in a form we read. */
  inbound: number[] | null;
}

export const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);
const dimsText = (dims: ReadonlyArray<number | null>): string => dims.map((d) => d ?? '?').join(' x ');

/** A config field, read in the file's snake_case or in tfjs's camelCase. */
export function field(cfg: Config, key: string): unknown {
  if (key in cfg) return cfg[key];
  return cfg[key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())];
}

export function where(layer: LayerEntry): string {
  return `layer "${layer.name}" (${layer.className})`;
}

export function count(layer: LayerEntry, key: string, value: unknown, fallback?: number): number {
  const v = value ?? fallback;
  if (v === undefined) throw new Error(`model.json: ${where(layer)} has no ${key}.`);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new Error(`model.json: ${where(layer)} has ${key} ${JSON.stringify(value)}; it must be a whole number of at least 1.`);
  }
  if (v > MODEL_LIMITS.units) {
    throw new Error(`model.json: ${where(layer)} has ${key} ${formatCount(v)}; the studio accepts at most ${formatCount(MODEL_LIMITS.units)}.`);
  }
  return v;
}

function pairOf(layer: LayerEntry, key: string, fallback?: number): [number, number] {
  const v = field(layer.config, key) ?? fallback;
  const [a, b] = Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v, v];
  return [count(layer, key, a), count(layer, key, b)];
}

function padding(layer: LayerEntry): 'same' | 'valid' {
  const p = field(layer.config, 'padding') ?? 'valid';
  if (p !== 'same' && p !== 'valid') throw new Error(`model.json: ${where(layer)} has padding ${JSON.stringify(p)}; 2-D layers take "same" or "valid".`);
  return p;
}

/** Output length of a convolution or pooling window along one axis (as tfjs computes it). */
function windowOutput(layer: LayerEntry, n: number, kernel: number, stride: number, dilation: number, pad: 'same' | 'valid'): number {
  if (pad === 'same') return Math.ceil(n / stride);
  const span = (kernel - 1) * dilation + 1;
  if (span > n) throw new Error(`model.json: ${where(layer)} has a window of ${span} pixels on an input ${n} pixels wide; its output would be empty.`);
  return Math.floor((n - span) / stride) + 1;
}

const channelsLast = (layer: LayerEntry): boolean => !['channels_first', 'channelsFirst'].includes(String(field(layer.config, 'data_format')));

export interface LayerShapes {
  /** Output without the batch axis; null when it cannot be followed. */
  output: Dims | null;
  /** The weights tfjs will create, in order; null when this layer's weights do not follow from its config. */
  weights: Array<[string, WeightShape]> | null;
}

type ShapeRule = (layer: LayerEntry, input: Dims | null) => LayerShapes;

const identity: ShapeRule = (_l, input) => ({ output: input, weights: [] });

function spatial(layer: LayerEntry, input: Dims | null, kernel: [number, number], strides: [number, number], dilation: [number, number], channels: number | null): Dims | null {
  if (!input || input.length !== 3 || !channelsLast(layer) || channels == null) return null;
  const pad = padding(layer);
  return [
    windowOutput(layer, input[0], kernel[0], strides[0], dilation[0], pad),
    windowOutput(layer, input[1], kernel[1], strides[1], dilation[1], pad),
    channels,
  ];
}

const inputChannels = (layer: LayerEntry, input: Dims | null): number | null =>
  input && input.length === 3 ? (channelsLast(layer) ? input[2] : input[0]) : null;

const withBias = (layer: LayerEntry, units: number | null): Array<[string, WeightShape]> =>
  field(layer.config, 'use_bias') === false ? [] : [['bias', [units]]];

/**
 * The weights each layer kind creates and the shape it outputs, from its config and input shape
 * (the Keras conventions tfjs follows). A kind not listed here is built by tfjs unchecked.
 */
export const SHAPE_RULES: Record<string, ShapeRule> = {
  Dense: (l, input) => {
    const units = count(l, 'units', field(l.config, 'units'));
    const cin = input?.at(-1) ?? null;
    return { output: input ? [...input.slice(0, -1), units] : null, weights: [['kernel', [cin, units]], ...withBias(l, units)] };
  },
  Conv2D: (l, input) => {
    const filters = count(l, 'filters', field(l.config, 'filters'));
    const k = pairOf(l, 'kernel_size');
    const output = spatial(l, input, k, pairOf(l, 'strides', 1), pairOf(l, 'dilation_rate', 1), filters);
    return { output, weights: [['kernel', [k[0], k[1], inputChannels(l, input), filters]], ...withBias(l, filters)] };
  },
  DepthwiseConv2D: (l, input) => {
    const multiplier = count(l, 'depth_multiplier', field(l.config, 'depth_multiplier'), 1);
    const k = pairOf(l, 'kernel_size');
    const cin = inputChannels(l, input);
    const cout = cin == null ? null : cin * multiplier;
    const output = spatial(l, input, k, pairOf(l, 'strides', 1), pairOf(l, 'dilation_rate', 1), cout);
    return { output, weights: [['depthwise_kernel', [k[0], k[1], cin, multiplier]], ...withBias(l, cout)] };
  },
  SeparableConv2D: (l, input) => {
    const filters = count(l, 'filters', field(l.config, 'filters'));
    const multiplier = count(l, 'depth_multiplier', field(l.config, 'depth_multiplier'), 1);
    const k = pairOf(l, 'kernel_size');
    const cin = inputChannels(l, input);
    const output = spatial(l, input, k, pairOf(l, 'strides', 1), pairOf(l, 'dilation_rate', 1), filters);
    return {
      output,
      weights: [['depthwise_kernel', [k[0], k[1], cin, multiplier]], ['pointwise_kernel', [1, 1, cin == null ? null : cin * multiplier, filters]], ...withBias(l, filters)],
    };
  },
  Conv2DTranspose: (l, input) => {
    const filters = count(l, 'filters', field(l.config, 'filters'));
    const k = pairOf(l, 'kernel_size');
    const s = pairOf(l, 'strides', 1);
    const pad = padding(l);
    const grow = (n: number, i: 0 | 1) => (pad === 'same' ? n * s[i] : n * s[i] + Math.max(k[i] - s[i], 0));
    const output = input && input.length === 3 && channelsLast(l) ? [grow(input[0], 0), grow(input[1], 1), filters] : null;
    return { output, weights: [['kernel', [k[0], k[1], filters, inputChannels(l, input)]], ...withBias(l, filters)] };
  },
  AveragePooling2D: (l, input) => {
    const size = pairOf(l, 'pool_size', 2);
    const strides = field(l.config, 'strides') == null ? size : pairOf(l, 'strides');
    return { output: spatial(l, input, size, strides, [1, 1], inputChannels(l, input)), weights: [] };
  },
  GlobalAveragePooling2D: (l, input) => {
    const c = inputChannels(l, input);
    const keep = field(l.config, 'keepdims') === true;
    return { output: c == null ? null : keep ? [1, 1, c] : [c], weights: [] };
  },
  Flatten: (_l, input) => ({ output: input ? [product(input)] : null, weights: [] }),
  Reshape: (l, input) => {
    const target = field(l.config, 'target_shape');
    if (!Array.isArray(target)) throw new Error(`model.json: ${where(l)} has no target_shape.`);
    const known = target.filter((d) => d !== -1).map((d) => count(l, 'target_shape', d));
    const free = target.length - known.length;
    if (free > 1) throw new Error(`model.json: ${where(l)} has more than one -1 in its target_shape.`);
    if (!input) return { output: free ? null : known, weights: [] };
    const size = product(input);
    const rest = size / product(known);
    if (free ? !Number.isInteger(rest) : rest !== 1) {
      throw new Error(`model.json: ${where(l)} cannot reshape ${dimsText(input)} to ${target.join(' x ')}.`);
    }
    return { output: target.map((d) => (d === -1 ? rest : d)), weights: [] };
  },
  BatchNormalization: (l, input) => {
    const axis = Number(field(l.config, 'axis') ?? -1);
    const c = input ? input.at(axis < 0 ? axis : axis - 1) ?? null : null;
    const weights: Array<[string, WeightShape]> = [];
    if (field(l.config, 'scale') !== false) weights.push(['gamma', [c]]);
    if (field(l.config, 'center') !== false) weights.push(['beta', [c]]);
    weights.push(['moving_mean', [c]], ['moving_variance', [c]]);
    return { output: input, weights };
  },
  ZeroPadding2D: (l, input) => {
    const [[t, b], [left, r]] = margins(l, 'padding');
    return { output: input && input.length === 3 && channelsLast(l) ? [input[0] + t + b, input[1] + left + r, input[2]] : null, weights: [] };
  },
  Cropping2D: (l, input) => {
    const [[t, b], [left, r]] = margins(l, 'cropping');
    if (!input || input.length !== 3 || !channelsLast(l)) return { output: null, weights: [] };
    const out = [input[0] - t - b, input[1] - left - r, input[2]];
    if (out[0] < 1 || out[1] < 1) throw new Error(`model.json: ${where(l)} crops its ${dimsText(input)} input to nothing.`);
    return { output: out, weights: [] };
  },
  UpSampling2D: (l, input) => {
    const size = pairOf(l, 'size', 2);
    return { output: input && input.length === 3 && channelsLast(l) ? [input[0] * size[0], input[1] * size[1], input[2]] : null, weights: [] };
  },
  PReLU: (l, input) => {
    const shared = field(l.config, 'shared_axes');
    const axes = Array.isArray(shared) ? shared.map(Number) : shared == null ? [] : [Number(shared)];
    const alpha = input ? input.map((d, i) => (axes.includes(i + 1) ? 1 : d)) : null;
    return { output: input, weights: alpha ? [['alpha', alpha]] : null };
  },
};
SHAPE_RULES.MaxPooling2D = SHAPE_RULES.AveragePooling2D;
SHAPE_RULES.GlobalMaxPooling2D = SHAPE_RULES.GlobalAveragePooling2D;
for (const cls of ['Activation', 'ReLU', 'LeakyReLU', 'ELU', 'ThresholdedReLU', 'Softmax', 'Dropout', 'SpatialDropout2D',
  'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'InputLayer']) {
  SHAPE_RULES[cls] = identity;
}

function margins(layer: LayerEntry, key: string): [[number, number], [number, number]] {
  const v = field(layer.config, key) ?? (key === 'padding' ? 1 : 0);
  const whole = (x: unknown): number => {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > MODEL_LIMITS.units) {
      throw new Error(`model.json: ${where(layer)} has ${key} ${JSON.stringify(v)}; it must hold whole numbers from 0 to ${formatCount(MODEL_LIMITS.units)}.`);
    }
    return x;
  };
  const side = (x: unknown): [number, number] => (Array.isArray(x) ? [whole(x[0]), whole(x[1] ?? x[0])] : [whole(x), whole(x)]);
  return Array.isArray(v) ? [side(v[0]), side(v[1] ?? v[0])] : [side(v), side(v)];
}

/** Config keys that size what tfjs allocates, in layers of any kind, nested ones included. */
const COUNT_KEYS = new Set(['units', 'filters', 'output_dim', 'input_dim', 'depth_multiplier', 'kernel_size']);
const SHAPE_KEYS = new Set(['batch_input_shape', 'batch_shape', 'input_shape', 'target_shape']);

/** Bounds every count and declared shape anywhere in a layer's config (recurrent cells, wrapped and nested layers too). */
export function boundConfig(layer: LayerEntry, value: unknown, depth = 0): void {
  if (depth > 64) throw new Error(`model.json: ${where(layer)} nests its config more than 64 levels deep.`);
  if (Array.isArray(value)) {
    for (const v of value) boundConfig(layer, v, depth + 1);
    return;
  }
  if (value == null || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    const key = k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    if (COUNT_KEYS.has(key) && v != null) for (const n of [v].flat()) count(layer, key, n);
    else if (SHAPE_KEYS.has(key) && Array.isArray(v)) for (const d of v) if (d != null && d !== -1) count(layer, key, d);
    else boundConfig(layer, v, depth + 1);
  }
}
