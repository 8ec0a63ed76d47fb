import type * as tf from '@tensorflow/tfjs';
import type { Net } from '../../net/ir';
import type { ExplainContext, Explanation } from '../types';
import { throwIfAborted } from '../types';
import { lrpSweep } from './propagate';
import type { LrpRule } from './rules';

/** Per layer, the relevance arriving at the layer's input (summed over the batch). */
export interface LayerRelevance {
  layer: string;
  kind: string;
  /** The rule used, for weighted layers. */
  rule?: string;
  sum: number;
}

/**
 * Runs one LRP sweep with the given rules and reports what the studio shows: the map, the
 * conservation check (Σ R at the input against the target logit it started from), Σ R per
 * layer, and the rules used.
 *
 * Passes: the sweep is one forward pass plus one modified backward pass, counted per input.
 * The backward pass re-evaluates each layer's modified map z and takes its vector-Jacobian
 * product once (αβ twice, zᴮ three summands at once); we count that as one backward pass, as
 * it costs about what a gradient does (αβ: up to twice that).
 */
export async function explainWithRules(net: Net, x: tf.Tensor4D, target: number, rules: Map<string, LrpRule>, ctx: ExplainContext): Promise<Explanation> {
  throwIfAborted(ctx.signal);
  if (!Number.isInteger(target) || target < 0 || target >= net.outputs) {
    throw new Error(`Target class ${target} is outside 0..${net.outputs - 1}.`);
  }
  const sweep = lrpSweep(net, x, target, rules, ctx);
  const [relevance, sums] = await Promise.all([sweep.relevance.data(), sweep.sums.data()]);
  const shape = sweep.relevance.shape.slice();
  sweep.relevance.dispose();
  sweep.sums.dispose();
  const out = Float32Array.from(relevance);
  const total = out.reduce((acc, v) => acc + v, 0);
  // sums[0] is the output; sums[n − i] arrived at the input of layer i.
  const n = net.layers.length;
  const layerRelevance: LayerRelevance[] = net.layers.map((l, i) => {
    const rule = rules.get(l.name);
    return { layer: l.name, kind: l.kind, ...(rule ? { rule: rule.label } : {}), sum: sums[n - i] };
  });
  const inputs = x.shape[0];
  return {
    relevance: out, shape,
    check: { axiom: 'conservation', sum: total, expected: sums[0] },
    passes: { forward: inputs, backward: inputs },
    extras: { layerRelevance, rules: Object.fromEntries([...rules].map(([name, rule]) => [name, rule.label])) },
  };
}
