// The rate term of RDE's objective F(s) = D(s) + rate term (METHODS.md 1, Objective), stated
// once: its weight in the optimiser and its formula on screen come from here, so what is shown
// is what is minimised.

export const RATE_TERMS = ['reference', 'mean', 'paper'] as const;
export type RateTerm = typeof RATE_TERMS[number];

/** Each rate term as written on screen. */
export const RATE_TERM_FORMULAS: Record<RateTerm, string> = {
  reference: 'λ·Φ(x)²·‖s‖₁/d',
  mean: 'λ·‖s‖₁/d',
  paper: 'λ·‖s‖₁',
};

export const RATE_TERM_LABELS: Record<RateTerm, string> = {
  reference: `${RATE_TERM_FORMULAS.reference} (reference code)`,
  mean: `${RATE_TERM_FORMULAS.mean} (mean of s)`,
  paper: `${RATE_TERM_FORMULAS.paper} (paper)`,
};

/**
 * The weight w of ‖s‖₁ in F = D + w·‖s‖₁. Reference code (default): λ Φ(x)²/d, so λ means the
 * same on every image size and logit scale; mean: λ/d (λ times the mean of s); paper: λ.
 * The paper's λ = 0.5 for MNIST belongs to the normalised form (D is in logit² here, and the
 * paper's score lies in [0, 1]): plain λ‖s‖₁ with λ = 0.5 weighs the mask 1.7–2.2 times the
 * reference default on the bundled 6s and stops at a larger D (docs/rde-rate-terms.md);
 * equivalentLambda gives the λ that matches another term on one image.
 */
export function rateWeight(term: RateTerm, lambda: number, phiX: number, d: number): number {
  if (term === 'reference') return (lambda * phiX * phiX) / d;
  if (term === 'mean') return lambda / d;
  return lambda;
}

/**
 * The λ under which rate term `to` weighs ‖s‖₁ exactly as λ does under `from` on an image with
 * score Φ(x) and d components: the same F, so the same mask. E.g. the reference default λ = 0.5
 * is the paper term at λ = 0.5·Φ(x)²/d (0.287 on digit 6-0, Φ(x) = 21.2, d = 784).
 */
export function equivalentLambda(from: RateTerm, to: RateTerm, lambda: number, phiX: number, d: number): number {
  const unit = rateWeight(to, 1, phiX, d);
  if (!(unit > 0) || !Number.isFinite(unit)) throw new Error(`The ${to} rate term has no weight at Φ(x) = ${phiX}, d = ${d}: no λ matches.`);
  return rateWeight(from, lambda, phiX, d) / unit;
}

/** The objective minimised with this rate term, as shown in the panel and on the card. */
export function rdeFormula(term: RateTerm): string {
  return `min_s F(s) = D(s) + ${RATE_TERM_FORMULAS[term]},  D(s) = ½(Φ(x) − E Φ(y))² + ½ Var Φ(y),  y = s⊙x + (1−s)⊙n`;
}

/**
 * F from the parts the panel shows: D, the rate ‖s‖₁/d, λ and Φ(x). The same arithmetic as the
 * optimiser's (core/rde/rde.ts: D + w·d·rate).
 */
export function objectiveFromParts(term: RateTerm, parts: { distortion: number; rate: number; lambda: number; phiX: number; d: number }): number {
  return parts.distortion + rateWeight(term, parts.lambda, parts.phiX, parts.d) * parts.d * parts.rate;
}
