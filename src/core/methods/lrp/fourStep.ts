import * as tf from '@tensorflow/tfjs';

/**
 * z + ε·sign(z) with sign(0) = +1 (fixtures/lrp.json "about"): moves z away from zero so
 * s = R/z stays finite, and absorbs relevance in proportion to ε/|z|.
 */
export function stabilise(z: tf.Tensor, epsilon: number): tf.Tensor {
  return tf.where(tf.greaterEqual(z, 0), tf.add(z, epsilon), tf.sub(z, epsilon));
}

/** One summand of a modified layer output: a linear map applied to a (possibly modified) input. */
export interface Term {
  input: tf.Tensor;
  map: (a: tf.Tensor) => tf.Tensor;
}

/**
 * The four-step recipe of Montavon et al. (METHODS.md 4) for z = Σ_t map_t(input_t) + bias:
 *   z = ρ(W)·a + b;  s = R ⊘ (z + ε·sign z);  c_t = ∇_{input_t}(z·s);  R_in = Σ_t input_t ⊙ c_t.
 * c_t is the vector-Jacobian product of map_t with s, taken by tfjs autodiff, so every layer
 * type whose linear part tfjs can differentiate shares this one path. Rules with several
 * summands (αβ, zᴮ) pass one term per modified input/weight pair.
 */
export function fourStep(terms: Term[], bias: tf.Tensor | null, relevance: tf.Tensor, epsilon: number): tf.Tensor {
  return tf.tidy(() => {
    const linear = (...inputs: tf.Tensor[]) => inputs.map((a, t) => terms[t].map(a)).reduce((u, v) => tf.add(u, v));
    const inputs = terms.map((t) => t.input);
    const z = bias ? tf.add(linear(...inputs), bias) : linear(...inputs);
    const s = tf.div(relevance, stabilise(z, epsilon));
    const c = tf.grads(linear)(inputs, s);
    return inputs.map((a, t) => tf.mul(a, c[t])).reduce((u, v) => tf.add(u, v));
  });
}
