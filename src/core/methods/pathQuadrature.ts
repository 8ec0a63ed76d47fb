export type QuadratureRule = 'left' | 'right' | 'middle' | 'trapezoid';

/**
 * Nodes α and weights w with Σ w f(α) ≈ ∫₀¹ f(α) dα on n equal steps (METHODS.md 3, Integrated
 * Gradients): left α = k/n (k = 0…n−1), right k = 1…n, middle (k + ½)/n, each weight 1/n;
 * trapezoid α = k/n (k = 0…n) with weights 1/n and 1/(2n) at both ends, so n + 1 nodes.
 * Left and right are first-order accurate in n, middle and trapezoid second-order on smooth paths.
 */
export function pathQuadrature(rule: QuadratureRule, steps: number): { alphas: Float64Array; weights: Float64Array } {
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`The number of steps must be a whole number ≥ 1; got ${steps}.`);
  const n = steps;
  if (rule === 'trapezoid') {
    const alphas = Float64Array.from({ length: n + 1 }, (_, k) => k / n);
    const weights = Float64Array.from({ length: n + 1 }, (_, k) => (k === 0 || k === n ? 0.5 : 1) / n);
    return { alphas, weights };
  }
  const shift = rule === 'left' ? 0 : rule === 'right' ? 1 : 0.5;
  return {
    alphas: Float64Array.from({ length: n }, (_, k) => (k + shift) / n),
    weights: new Float64Array(n).fill(1 / n),
  };
}
