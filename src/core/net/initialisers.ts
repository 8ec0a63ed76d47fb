/** Initialisers as model.json states them, per layer (the sanity check's cascade re-draws with them). */

/**
 * An initialiser: a class name (`glorotUniform`, `GlorotUniform` and `glorot_uniform` alike) with
 * its default arguments, or a Keras-serialised one as model.json stores it
 * (`{ class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'uniform' } }`,
 * `className` accepted too). A `seed` in the config is ignored: the cascade's seed decides.
 */
export type InitializerSpec =
  | string
  | { className?: string; class_name?: string; config?: Record<string, unknown> };

/** Per layer name, the kernel's and bias's initialisers (absent: the Keras defaults). */
export type LayerInitialisers = Record<string, { kernel?: InitializerSpec; bias?: InitializerSpec }>;

/**
 * Each layer's own initialisers as model.json's topology states them (Keras's
 * `kernel_initializer` / `bias_initializer`, or tfjs's camel-case keys; serialised
 * `{ class_name, config }`), by layer name, nested models included: what the file says the model
 * was initialised with, for the cascade to re-draw it the same way. Layers that state none are
 * left out (the Keras defaults apply).
 *
 * Read from the topology, not from a built LayersModel: the loader builds every layer with zero
 * initialisers (the weight files overwrite them; loadNetFromArtifacts), so a built model's
 * config says "Zeros" for every layer, and re-drawing with that would leave an all-zero network.
 */
export function initialisersOf(topology: unknown): LayerInitialisers {
  const out: LayerInitialisers = {};
  const pick = (v: unknown): InitializerSpec | undefined => {
    if (typeof v === 'string') return v;
    if (!v || typeof v !== 'object') return undefined;
    const o = v as { className?: unknown; class_name?: unknown };
    return typeof o.className === 'string' || typeof o.class_name === 'string' ? v as InitializerSpec : undefined;
  };
  const visit = (value: unknown, depth: number): void => {
    if (depth > 64 || value == null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const v of value) visit(v, depth + 1);
      return;
    }
    const node = value as Record<string, unknown>;
    const config = node.config as Record<string, unknown> | undefined;
    if (typeof node.class_name === 'string' && config && typeof config === 'object' && typeof config.name === 'string') {
      const kernel = pick(config.kernel_initializer ?? config.kernelInitializer);
      const bias = pick(config.bias_initializer ?? config.biasInitializer);
      if (kernel || bias) out[config.name] = { ...(kernel ? { kernel } : {}), ...(bias ? { bias } : {}) };
    }
    for (const [key, v] of Object.entries(node)) {
      if (!/(_i|I)nitializer$/.test(key)) visit(v, depth + 1);
    }
  };
  visit(topology, 0);
  return out;
}
