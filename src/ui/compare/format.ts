// Numbers as the comparison cards print them: short, and the same on every card.
import type { AxiomCheck, PassCount } from '../../core/methods/types';

/** Two decimals in the usual range (17.54), three significant digits or an exponent outside it. */
export function formatValue(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(2);
  return a >= 0.1 ? v.toFixed(2) : v.toPrecision(3);
}

/** "completeness: Σ 17.38 vs 17.30, gap 0.08 (0.44%)": the axiom, Σ R against what it should be. */
export function checkText(check: AxiomCheck): string {
  const gap = check.sum - check.expected;
  const relative = check.expected !== 0 ? ` (${Math.abs((100 * gap) / check.expected).toPrecision(2)}%)` : '';
  return `${check.axiom}: Σ ${formatValue(check.sum)} vs ${formatValue(check.expected)}, gap ${formatValue(gap)}${relative}`;
}

/** What an axiom compares the sum with, for the card's explanation of its check line. */
export const CHECK_MEANING: Record<AxiomCheck['axiom'], string> = {
  completeness: 'Σ R should equal Φ(x) − Φ(baseline)',
  conservation: 'Σ R should equal the logit Φₖ(x) handed back; biases and ε absorb some',
  efficiency: 'Σ φ should equal v(N) − v(∅)',
};

export function passesText(passes: PassCount): string {
  return `${passes.forward} forward, ${passes.backward} backward passes`;
}
