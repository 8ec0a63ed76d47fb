import * as tf from '@tensorflow/tfjs';
import { forwardLogits } from '../../net/forward';
import type { Net } from '../../net/ir';
import type { CoalitionValues } from './coalitions';
import type { PlayerMap } from './players';

export interface MaskedScoreOptions {
  /** Network inputs per forward call. */
  maxInputs: number;
  /** Counts the single-input forward passes used. */
  passes: { forward: number };
}

/**
 * Φ_target of composed inputs, for pixel masks (length h*w; 1 = the pixel keeps x, 0 = it takes the
 * fill): each mask is composed with every fill and the scores are averaged over the fills
 * (one fill for a fixed baseline; K samples from V for the interventional form). All channels of
 * a pixel go together. Inputs are composed in plain arrays and sent `maxInputs` per forward call.
 */
export function maskedScores(
  net: Net, x: Float32Array, target: number, fills: Float32Array[], options: MaskedScoreOptions,
): CoalitionValues {
  const [h, w, c] = net.inputShape;
  const d = h * w * c;
  if (x.length !== d) throw new Error(`The input has ${x.length} components; the network takes ${h} x ${w} x ${c}.`);
  if (!Number.isInteger(target) || target < 0 || target >= net.outputs) throw new Error(`Class ${target} is not one of the network's ${net.outputs} outputs.`);
  const k = fills.length;
  return async (masks) => {
    const inputs = masks.length * k;
    const scores = new Float64Array(masks.length);
    for (let start = 0; start < inputs; start += options.maxInputs) {
      const end = Math.min(inputs, start + options.maxInputs);
      const batch = new Float32Array((end - start) * d);
      for (let q = start; q < end; q++) {
        const mask = masks[Math.floor(q / k)];
        const fill = fills[q % k];
        const out = batch.subarray((q - start) * d, (q - start + 1) * d);
        out.set(fill);
        for (let p = 0; p < h * w; p++) {
          if (mask[p]) for (let ch = 0; ch < c; ch++) out[p * c + ch] = x[p * c + ch];
        }
      }
      const logits = tf.tidy(() => tf.slice(forwardLogits(net, tf.tensor4d(batch, [end - start, h, w, c])), [0, target], [-1, 1]));
      const values = await logits.data();
      logits.dispose();
      for (let q = start; q < end; q++) scores[Math.floor(q / k)] += values[q - start] / k;
      options.passes.forward += end - start;
    }
    return scores;
  };
}

/** The game whose players are groups of pixels: a coalition keeps its players' pixels of x. */
export function playerGame(players: PlayerMap, scores: CoalitionValues): CoalitionValues {
  return (coalitions) => scores(coalitions.map((z) => {
    if (z.length !== players.count) throw new Error(`A coalition has ${z.length} entries for ${players.count} players.`);
    return Uint8Array.from(players.ids, (id) => z[id]);
  }));
}
