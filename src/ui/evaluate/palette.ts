// Colours of the evaluate view's curves: the Okabe–Ito palette (Okabe & Ito 2008, "Color
// Universal Design"), told apart with the common forms of colour blindness. Its yellow is left
// out (too faint on white for a line); the random baseline is black and dashed.
export const OKABE_ITO = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9'] as const;
export const BASELINE_COLOUR = '#000000';

/** The colour of the i-th method (in the evaluation's order); the baseline's own colour for it. */
export function curveColour(index: number, baseline: boolean): string {
  return baseline ? BASELINE_COLOUR : OKABE_ITO[index % OKABE_ITO.length];
}
