import * as tf from '@tensorflow/tfjs';
import { boundConfig, field, product, SHAPE_RULES, where, type Config, type Dims, type LayerEntry, type WeightShape } from './layerShapes';
import { formatBytes, formatCount, MODEL_LIMITS } from './modelLimits';
import { decodedBytes, weightValues } from './weightBytes';

export interface TopologySummary {
  inputShape: [number, number, number];
  layers: number;
  weightTensors: number;
  /** Weight values, all tensors together. */
  parameters: number;
  /** Bytes the weights take once decoded. */
  weightBytes: number;
  /** The layer whose input and output together take the most memory at batch 1 (null if none could be followed). */
  largestLayer: { name: string; bytes: number } | null;
}

function layerConfigs(topology: Config): { entries: LayerEntry[]; inputLayers: number[] } {
  const inner = (topology.model_config ?? topology) as Config;
  const cfg = inner.config;
  const functional = inner.class_name === 'Model' || inner.class_name === 'Functional';
  const raw = Array.isArray(cfg) ? cfg : Array.isArray((cfg as Config | undefined)?.layers) ? (cfg as Config).layers as unknown[] : null;
  if (!raw || (inner.class_name !== 'Sequential' && !functional)) {
    throw new Error('model.json: modelTopology must be a Sequential or functional model with a list of layers.');
  }
  if (raw.length > MODEL_LIMITS.layers) {
    throw new Error(`model.json has ${formatCount(raw.length)} layers; the studio accepts at most ${formatCount(MODEL_LIMITS.layers)}.`);
  }
  const entries: LayerEntry[] = raw.map((item, index) => {
    const l = (item ?? {}) as Config;
    const config = (l.config ?? {}) as Config;
    const className = typeof l.class_name === 'string' ? l.class_name : '';
    const name = typeof l.name === 'string' ? l.name : typeof config.name === 'string' ? config.name : `#${index}`;
    return { index, name, className, config, inbound: functional ? null : index > 0 ? [index - 1] : [] };
  });
  if (!functional) return { entries, inputLayers: [0] };
  const byName = new Map(entries.map((e) => [e.name, e.index]));
  raw.forEach((item, index) => {
    const nodes = (item as Config).inbound_nodes;
    if (!Array.isArray(nodes) || nodes.length > 1) return;
    const sources = Array.isArray(nodes[0]) ? (nodes[0] as unknown[]).map((t) => (Array.isArray(t) ? byName.get(String(t[0])) : undefined)) : [];
    if (sources.every((s): s is number => s != null && s < index)) entries[index].inbound = sources;
  });
  const declared = (cfg as Config).input_layers;
  const inputLayers = Array.isArray(declared) ? declared.map((t) => byName.get(String(Array.isArray(t) ? t[0] : t))) : [];
  if (inputLayers.length !== 1 || inputLayers[0] == null) {
    throw new Error(`model.json declares ${inputLayers.length} model inputs; the studio explains models with one image input.`);
  }
  return { entries, inputLayers: [inputLayers[0]] };
}

/** The fixed [height, width, channels] of an image input, or a sentence saying why the shape is not one. */
export function imageInputShape(shape: ReadonlyArray<number | null | undefined>): [number, number, number] {
  if (shape.length !== 3 || shape.some((d) => d == null)) {
    throw new Error(`The model's input must be an image of fixed size [height, width, channels]; it is [${shape.map((d) => d ?? 'null').join(', ')}].`);
  }
  return shape as [number, number, number];
}

function declaredInput(layer: LayerEntry): [number, number, number] {
  const batched = field(layer.config, 'batch_input_shape') ?? field(layer.config, 'batch_shape');
  const plain = field(layer.config, 'input_shape');
  const dims = Array.isArray(batched) ? batched.slice(1) : Array.isArray(plain) ? plain : null;
  if (!dims) throw new Error(`model.json does not declare the input shape (batch_input_shape of ${where(layer)}).`);
  if (dims.some((d) => d != null && (typeof d !== 'number' || !Number.isInteger(d) || d < 1))) {
    throw new Error(`model.json declares an input of shape [${dims.join(', ')}]; its sizes must be whole numbers of at least 1.`);
  }
  const [h, w, c] = imageInputShape(dims as Array<number | null>);
  const values = h * w * c;
  if (values > MODEL_LIMITS.inputValues || h > MODEL_LIMITS.inputSide || w > MODEL_LIMITS.inputSide) {
    throw new Error(`model.json declares an input of ${h} x ${w} x ${c} = ${formatCount(values)} values; the studio accepts at most `
      + `${formatCount(MODEL_LIMITS.inputValues)} values (1024 x 1024 x 3) and ${MODEL_LIMITS.inputSide} pixels a side.`);
  }
  return [h, w, c];
}

/** Manifest entries by layer (the first part of the name) and weight (the last part, or its index in Keras 3 files). */
function manifestByLayer(specs: tf.io.WeightsManifestEntry[]): Map<string, Map<string, tf.io.WeightsManifestEntry>> {
  const out = new Map<string, Map<string, tf.io.WeightsManifestEntry>>();
  for (const s of specs) {
    const parts = s.name.split('/');
    if (parts.length < 2) continue;
    const layer = out.get(parts[0]) ?? new Map<string, tf.io.WeightsManifestEntry>();
    layer.set(parts[parts.length - 1], s);
    out.set(parts[0], layer);
  }
  return out;
}

/** Compares the weights a layer's config implies with the manifest's entries for that layer. */
function checkWeights(layer: LayerEntry, expected: Array<[string, WeightShape]>, listed: Map<string, tf.io.WeightsManifestEntry> | undefined): void {
  const entries = listed ?? new Map<string, tf.io.WeightsManifestEntry>();
  const used = new Set<string>();
  expected.forEach(([weight, shape], i) => {
    const key = entries.has(weight) ? weight : String(i);
    const spec = entries.get(key);
    const full = `${layer.name}/${weight}`;
    if (!spec) {
      throw new Error(`model.json: ${where(layer)} needs a weight ${full} of shape [${shape.map((d) => d ?? '?').join(', ')}]; weightsManifest has none.`);
    }
    used.add(key);
    if (spec.shape.length !== shape.length || shape.some((d, k) => d != null && d !== spec.shape[k])) {
      throw new Error(`model.json: ${where(layer)} needs ${full} of shape [${shape.map((d) => d ?? '?').join(', ')}]; weightsManifest gives ${spec.name} the shape [${spec.shape.join(', ')}].`);
    }
  });
  const extra = [...entries.keys()].filter((k) => !used.has(k));
  if (extra.length) {
    throw new Error(`model.json: weightsManifest lists ${extra.map((k) => entries.get(k)!.name).join(', ')}, which ${where(layer)} does not have.`);
  }
}

/**
 * Checks a layers-model topology against its weights manifest and the studio's limits, before
 * tfjs builds anything: every layer class is one tfjs knows; every unit, filter and shape count
 * is bounded; the input is one image within MODEL_LIMITS; every weight a layer's config implies
 * is in the manifest with that shape (and no other weight of that layer is); weights plus the
 * largest layer at batch 1 fit MODEL_LIMITS.memoryBytes. Returns what the load report states.
 */
export function checkTopology(topology: unknown, specs: tf.io.WeightsManifestEntry[]): TopologySummary {
  if (topology == null || typeof topology !== 'object') throw new Error('model.json: modelTopology must be an object.');
  const { entries, inputLayers } = layerConfigs(topology as Config);
  const known = tf.serialization.SerializationMap.getMap().classNameMap;
  for (const layer of entries) {
    if (!Object.hasOwn(known, layer.className)) {
      throw new Error(`model.json: layer ${layer.index + 1} ("${layer.name}") is of class "${layer.className || '(none)'}", which TensorFlow.js does not know.`);
    }
  }
  const inputShape = declaredInput(entries[inputLayers[0]]);
  for (const layer of entries) boundConfig(layer, layer.config);
  const manifest = manifestByLayer(specs);
  const outputs: Array<Dims | null> = [];
  let largestLayer: TopologySummary['largestLayer'] = null;
  for (const layer of entries) {
    const input = layer.index === inputLayers[0] ? inputShape : layer.inbound?.length === 1 ? outputs[layer.inbound[0]] : null;
    const rule = SHAPE_RULES[layer.className];
    const shapes = rule ? rule(layer, input) : { output: null, weights: null };
    if (shapes.weights) checkWeights(layer, shapes.weights, manifest.get(layer.name));
    outputs[layer.index] = shapes.output;
    if (input && shapes.output) {
      const bytes = 4 * (product(input) + product(shapes.output));
      if (!largestLayer || bytes > largestLayer.bytes) largestLayer = { name: layer.name, bytes };
    }
  }
  const parameters = specs.reduce((n, s) => n + weightValues(s), 0);
  const weightBytes = specs.reduce((n, s) => n + decodedBytes(s), 0);
  const total = weightBytes + (largestLayer?.bytes ?? 0);
  if (total > MODEL_LIMITS.memoryBytes) {
    throw new Error(`model.json needs about ${formatBytes(total)} at batch 1 (weights ${formatBytes(weightBytes)}`
      + `${largestLayer ? `, layer "${largestLayer.name}" ${formatBytes(largestLayer.bytes)} for its input and output` : ''}); `
      + `the studio accepts at most ${formatBytes(MODEL_LIMITS.memoryBytes)}.`);
  }
  return { inputShape, layers: entries.length, weightTensors: specs.length, parameters, weightBytes, largestLayer };
}
