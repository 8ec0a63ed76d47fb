import * as tf from '@tensorflow/tfjs';
import { fourStep, type Term } from './fourStep';
import type { LinearLayer } from './linearLayer';

/**
 * An LRP rule as a small object (as in Zennit): how a weighted layer hands the relevance R of
 * its output z to its input a (METHODS.md 4). `label` is how composites, overrides and the UI
 * write the rule, e.g. "gamma(0.25)".
 */
export interface LrpRule {
  readonly label: string;
  propagate(layer: LinearLayer, a: tf.Tensor, relevance: tf.Tensor): tf.Tensor;
}

/**
 * The stabiliser of every rule without its own ε. It only keeps s = R/z finite where z = 0
 * (then all contributions vanish too, or R does); float32 leaves any |z| above ~1e-2 unchanged.
 */
export const STABILISER = 1e-9;

const positive = (t: tf.Tensor) => tf.relu(t);
const negative = (t: tf.Tensor) => tf.minimum(t, 0);

/** The layer's own map with kernel ρ(W) applied to `input`. */
function term(layer: LinearLayer, input: tf.Tensor, kernel: tf.Tensor): Term {
  return { input, map: (a) => layer.linear(a, kernel) };
}

/** Rules that keep the input and modify weights and bias alike, ρ(W), ρ(b) (z includes ρ(b)). */
function weightRule(label: string, rho: (w: tf.Tensor) => tf.Tensor, epsilon: number): LrpRule {
  return {
    label,
    propagate: (layer, a, relevance) => tf.tidy(() =>
      fourStep([term(layer, a, rho(layer.kernel))], layer.bias && rho(layer.bias), relevance, epsilon)),
  };
}

/** LRP-0: R_j = Σ_k a_j w_jk / z_k · R_k. */
export const zeroRule: LrpRule = weightRule('zero', (w) => w, STABILISER);

/** LRP-ε: R_j = Σ_k a_j w_jk / (z_k + ε·sign z_k) · R_k. */
export function epsilonRule(epsilon: number): LrpRule {
  return weightRule(`epsilon(${epsilon})`, (w) => w, epsilon);
}

/** LRP-γ: w → w + γ·w⁺ (and b → b + γ·b⁺) in numerator and denominator. */
export function gammaRule(gamma: number): LrpRule {
  return weightRule(`gamma(${gamma})`, (w) => tf.add(w, tf.mul(gamma, positive(w))), STABILISER);
}

/**
 * z⁺: only positive weights (and b⁺), R_j = Σ_k a_j w⁺_jk / Σ_j a_j w⁺_jk · R_k; for a ≥ 0 this
 * is α1β0 (METHODS.md 4).
 */
export const zPlusRule: LrpRule = weightRule('zplus', positive, STABILISER);

/**
 * LRP-αβ (α − β = 1): positive and negative contributions (a_j w_jk)^± = a⁺w^± + a⁻w^∓ are
 * normalised separately, each with its share of the bias (b^±):
 *   R_j = Σ_k (α (a_j w_jk)⁺ / z⁺_k − β (a_j w_jk)⁻ / z⁻_k) R_k.
 * Does not conserve where a neuron has no positive (or, for β > 0, no negative) contributions.
 */
export function alphaBetaRule(alpha: number, beta: number): LrpRule {
  const label = alpha === 1 && beta === 0 ? 'alpha1beta0' : alpha === 2 && beta === 1 ? 'alpha2beta1' : `alphabeta(${alpha},${beta})`;
  // (a w)⁺ = a⁺w⁺ + a⁻w⁻ and (a w)⁻ = a⁺w⁻ + a⁻w⁺: two terms of the recipe per part.
  const part = (layer: LinearLayer, a: tf.Tensor, relevance: tf.Tensor, wForPositive: tf.Tensor, wForNegative: tf.Tensor, bias: tf.Tensor | null) =>
    fourStep([term(layer, positive(a), wForPositive), term(layer, negative(a), wForNegative)], bias, relevance, STABILISER);
  return {
    label,
    propagate: (layer, a, relevance) => tf.tidy(() => {
      const [wPlus, wMinus] = [positive(layer.kernel), negative(layer.kernel)];
      const kept = tf.mul(alpha, part(layer, a, relevance, wPlus, wMinus, layer.bias && positive(layer.bias)));
      if (beta === 0) return kept;
      return tf.sub(kept, tf.mul(beta, part(layer, a, relevance, wMinus, wPlus, layer.bias && negative(layer.bias))));
    }),
  };
}

/**
 * Input-independent rules (first layer): R_j = Σ_k ρ(w_jk) / Σ_j ρ(w_jk) · R_k, evaluated as
 * the four-step recipe with input 1 and bias 0 (the bias takes no share, so they conserve).
 */
function inputFreeRule(label: string, rho: (w: tf.Tensor) => tf.Tensor): LrpRule {
  return {
    label,
    propagate: (layer, a, relevance) => tf.tidy(() =>
      fourStep([term(layer, tf.onesLike(a), rho(layer.kernel))], null, relevance, STABILISER)),
  };
}

/** w²: ρ(w) = w². */
export const wSquareRule: LrpRule = inputFreeRule('wsquare', tf.square);

/** flat: ρ(w) = 1 on every connection the layer has (zero padding contributes nothing). */
export const flatRule: LrpRule = inputFreeRule('flat', tf.onesLike);

/**
 * zᴮ for inputs bounded in [low, high] (METHODS.md 4):
 *   R_i = Σ_k (x_i w_ik − l w⁺_ik − h w⁻_ik) / Σ_i (…) · R_k,
 * three terms of the recipe (x with W, l with −W⁺, h with −W⁻). No bias: as in the formula,
 * so the layer conserves relevance whatever its bias.
 */
export function zBoxRule(low: number, high: number): LrpRule {
  return {
    label: `zbox(${low},${high})`,
    propagate: (layer, x, relevance) => tf.tidy(() => fourStep([
      term(layer, x, layer.kernel),
      term(layer, tf.fill(x.shape, low), tf.neg(positive(layer.kernel))),
      term(layer, tf.fill(x.shape, high), tf.neg(negative(layer.kernel))),
    ], null, relevance, STABILISER)),
  };
}
