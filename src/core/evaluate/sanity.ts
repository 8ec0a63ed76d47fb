// The sanity check by cascading model randomisation (Adebayo et al. 2018, "Sanity Checks for
// Saliency Maps", §3.1): re-draw the weight layers from the output down, one more at a time,
// recompute the map on each damaged model and measure how much of the original map survives.
// A map that survives the destruction of the model does not explain the model.
import type * as tf from '@tensorflow/tfjs';
import type { Net } from '../net/ir';
import { throwIfAborted } from '../methods/types';
import { freshWeights, weightLayers, withWeights, type LayerInitialisers, type Replacements } from './randomise';
import { isConstant, spearman, ssim } from './similarity';

/** A map on a given net; the caller binds the method, its parameters and its seed. */
export type MapOnNet = (net: Net, x: tf.Tensor4D, target: number) => Promise<Float32Array>;

export interface SanityStep {
  /** The layers re-drawn for this map, top-down (the first L weight layers). */
  randomised: string[];
  relevance: Float32Array;
  /** Spearman's rank correlation between the original map R and this one. */
  spearman: number;
  /** The same between |R| and |this map|: the measure the verdict uses. */
  spearmanAbs: number;
  /** SSIM between |R| and |this map|, each rescaled to [0, 1] by its min and max (similarity.ts). */
  ssim: number;
  /** This map is constant (correlations are then 0 by convention, not measured). */
  constant: boolean;
}

export interface SanityResult {
  /** The weight layers (dense, conv2d) in the order they are randomised, top-down. */
  layers: string[];
  /** The map on the trained model. */
  original: Float32Array;
  /** One per L = 1..layers.length. */
  steps: SanityStep[];
  seed: number;
}

export interface SanityOptions {
  /** Seeds the re-drawn weights (default 0): the same seed gives the same damaged models. */
  seed?: number;
  /** Per layer name, its initialisers as model.json states them (default Keras's: glorotUniform, zeros). */
  initialisers?: LayerInitialisers;
  signal?: AbortSignal;
  /** The original map, once computed. */
  onOriginal?: (relevance: Float32Array) => void;
  /** Each step as it finishes: index 0..total−1. */
  onStep?: (step: SanityStep, index: number, total: number) => void;
}

const absolute = (a: Float32Array) => Float32Array.from(a, Math.abs);

/** Compares a map with the original one (both of the net's input shape). */
export function compareMaps(original: Float32Array, relevance: Float32Array, inputShape: [number, number, number]): Omit<SanityStep, 'randomised' | 'relevance'> {
  const [height, width, channels] = inputShape;
  const absOriginal = absolute(original);
  const absMap = absolute(relevance);
  return {
    spearman: spearman(original, relevance),
    spearmanAbs: spearman(absOriginal, absMap),
    ssim: ssim(absOriginal, absMap, height, width, channels),
    constant: isConstant(relevance),
  };
}

/**
 * The original map, then for L = 1..(number of dense and conv2d layers) the map on the net with
 * its top L weight layers re-drawn (the same weights `randomisedNet(net, L, seed, initialisers)`
 * gives: the cascade draws each layer once and keeps it for the following steps). Each step is
 * compared with the original (`compareMaps`) and streamed through `onStep`. The signal is checked
 * before every map; on abort it throws AbortedError. Every tensor it drew is freed, on success,
 * error or abort; the original net is never modified. `x` must hold one input.
 */
export async function cascadingRandomisation(
  net: Net, x: tf.Tensor4D, target: number, explain: MapOnNet, options: SanityOptions = {},
): Promise<SanityResult> {
  const { seed = 0, initialisers = {}, signal, onOriginal, onStep } = options;
  if (x.shape[0] !== 1) throw new Error(`The sanity check explains one input at a time (got a batch of ${x.shape[0]}).`);
  const size = net.inputShape[0] * net.inputShape[1] * net.inputShape[2];
  const checkSize = (map: Float32Array, what: string) => {
    if (map.length !== size) throw new Error(`The ${what} has ${map.length} values; the input has ${size}.`);
  };
  const ordered = weightLayers(net);
  const layers = ordered.map((l) => l.name);
  throwIfAborted(signal);
  const original = await explain(net, x, target);
  checkSize(original, 'original map');
  onOriginal?.(original);
  const replaced: Replacements = new Map();
  const steps: SanityStep[] = [];
  try {
    for (let i = 0; i < ordered.length; i++) {
      throwIfAborted(signal);
      replaced.set(ordered[i], freshWeights(ordered[i], i, seed, initialisers));
      const relevance = await explain(withWeights(net, replaced), x, target);
      throwIfAborted(signal);
      checkSize(relevance, `map with ${i + 1} layers randomised`);
      const step: SanityStep = { randomised: layers.slice(0, i + 1), relevance, ...compareMaps(original, relevance, net.inputShape) };
      steps.push(step);
      onStep?.(step, i, ordered.length);
    }
  } finally {
    for (const { kernel, bias } of replaced.values()) {
      kernel.dispose();
      bias?.dispose();
    }
  }
  return { layers, original, steps, seed };
}

/** The verdict's threshold on Spearman's correlation of |R|, averaged over the cascade. */
export const SANITY_THRESHOLD = 0.5;

export interface SanityVerdict {
  passes: boolean;
  reason: string;
  /** Spearman of |R| with every weight layer re-drawn (null without steps). */
  finalSpearmanAbs: number | null;
  /** Spearman of |R| averaged over the cascade's steps (1 layer re-drawn, 2, …, all); null without steps. */
  meanSpearmanAbs: number | null;
  /** The fewest layers re-drawn (top-down) for which Spearman of |R| fell below the threshold, or null. */
  layersToChange: number | null;
}

/**
 * A method passes when its map changes as the model is destroyed: Spearman's rank correlation
 * between |R| on the trained model and on the partly or wholly random one, averaged over the
 * cascade's steps, is below `threshold` (0.5). The mean over the cascade, not its last step:
 * with every layer re-drawn the gradient's map partly returns to the ink's outline on MNIST
 * (zero biases give zero gradient far from the ink, as the trained map is small there), so its
 * last step scatters around 0.5 from digit to digit (0.34–0.56 measured) while the steps before
 * sit at 0.15–0.3; Guided Backprop stays at 0.7–0.98 at every step. Ranking |R| asks whether the
 * same pixels matter, not whether they keep their sign (a random layer flips signs at will); 0.5
 * is halfway between "the same ranking" (1) and "unrelated" (0). A constant original map, or a
 * net without weight layers, cannot be judged and does not pass.
 */
export function sanityVerdict(result: SanityResult, threshold = SANITY_THRESHOLD): SanityVerdict {
  const n = result.steps.length;
  if (n === 0) {
    return { passes: false, reason: 'The model has no dense or convolutional layer to randomise, so the check cannot run.', finalSpearmanAbs: null, meanSpearmanAbs: null, layersToChange: null };
  }
  const last = result.steps[n - 1];
  const mean = result.steps.reduce((a, s) => a + s.spearmanAbs, 0) / n;
  const firstBelow = result.steps.findIndex((s) => s.spearmanAbs < threshold);
  const layersToChange = firstBelow < 0 ? null : firstBelow + 1;
  const numbers = { finalSpearmanAbs: last.spearmanAbs, meanSpearmanAbs: mean, layersToChange };
  if (isConstant(result.original)) {
    return { passes: false, reason: 'The map on the trained model is constant, so there is nothing whose change could be measured.', ...numbers };
  }
  const rho = mean.toFixed(2);
  const span = `over the ${n} steps of the cascade (1 to ${n} weight layers re-drawn from the top)`;
  if (mean < threshold) {
    return {
      passes: true,
      reason: `The rank correlation of |R| with the original map averages ${rho} ${span}, below ${threshold}: the map depends on the learned weights (first below after ${layersToChange} layer${layersToChange === 1 ? '' : 's'}).`,
      ...numbers,
    };
  }
  return {
    passes: false,
    reason: `The rank correlation of |R| with the original map still averages ${rho} ${span} (not below ${threshold}): the map barely depends on the learned weights.`,
    ...numbers,
  };
}
