// The unit a relevance map is measured in, stated once per method (Method.unit) and read by every
// surface that draws or compares maps: two maps share a colour range only when they share a unit.

/**
 * - `logit-per-input`: a derivative of the class logit Φ by one input component (logit per unit
 *   of input value): the gradient and its smoothed or rule-modified relatives.
 * - `logit-per-input-squared`: its square (SmoothGrad², VarGrad, the gradient's squared variant).
 * - `logit`: a share of the logit (or of Φ(x) − Φ(baseline)) per input component; the map sums to
 *   that score difference, exactly or approximately: Gradient × Input, Integrated Gradients, LRP,
 *   Deep Taylor, Shapley values, KernelSHAP, LIME (a region's value divided by its size).
 * - `logit-drop`: the logit lost when a window around the pixel is set to the baseline; every
 *   pixel of a window carries the whole window's drop, so these do not add up to the score and are
 *   larger than per-pixel shares by about the window's area (occlusion).
 * - `mask`: the RDE mask s ∈ [0, 1], the probability of keeping a component; no physical unit.
 * - `random`: the evaluation's random baseline map, uniform in [0, 1); no meaning at all.
 */
export type RelevanceUnitId = 'logit-per-input' | 'logit-per-input-squared' | 'logit' | 'logit-drop' | 'mask' | 'random';

export interface RelevanceUnit {
  id: RelevanceUnitId;
  /** How a legend names the unit. */
  label: string;
  /** Whether the values can be negative; an unsigned map is ≥ 0 everywhere. */
  signed: boolean;
  /** A range the values always lie in (the mask: 0…1); such a map is drawn on it, never rescaled. */
  fixedRange?: [number, number];
  /** Where the unit is only nominal, why, as a short phrase (the legend shows it). */
  nominal?: string;
}

/** A method's unit, and where a parameter's value changes it (the gradient's `squared` variant). */
export interface MethodUnit extends RelevanceUnit {
  byParam?: { name: string; units: Partial<Record<string, RelevanceUnit>> };
}

export const LOGIT_PER_INPUT: RelevanceUnit = { id: 'logit-per-input', label: '∂ logit / ∂ input', signed: true };
export const LOGIT_PER_INPUT_MAGNITUDE: RelevanceUnit = { ...LOGIT_PER_INPUT, label: '|∂ logit / ∂ input|', signed: false };
export const LOGIT_PER_INPUT_SQUARED: RelevanceUnit = { id: 'logit-per-input-squared', label: '(∂ logit / ∂ input)²', signed: false };
export const LOGIT_SHARE: RelevanceUnit = { id: 'logit', label: 'logit (share of the score)', signed: true };
export const LOGIT_DROP: RelevanceUnit = { id: 'logit-drop', label: 'logit lost when its window is occluded', signed: true };
/** The RDE mask: a probability of keeping each component, not an amount of score. */
export const MASK_UNIT: RelevanceUnit = { id: 'mask', label: 'mask s (keep-probability, no unit)', signed: false, fixedRange: [0, 1] };

/** The random baseline map of evaluation: uniform draws, in no unit. */
export const RANDOM_UNIT: RelevanceUnit = { id: 'random', label: 'random value (no unit)', signed: false, fixedRange: [0, 1] };

/** The gradient family's unit with its `variant` parameter: raw, |·| or squared (SmoothGrad: plain, squared, vargrad). */
export const GRADIENT_UNIT: MethodUnit = {
  ...LOGIT_PER_INPUT,
  byParam: { name: 'variant', units: { absolute: LOGIT_PER_INPUT_MAGNITUDE, squared: LOGIT_PER_INPUT_SQUARED, vargrad: LOGIT_PER_INPUT_SQUARED } },
};

/** Guided backprop and deconvnet: a modified backward pass, so ∂ logit / ∂ input in name only. */
export const MODIFIED_GRADIENT_UNIT: MethodUnit = {
  ...LOGIT_PER_INPUT,
  nominal: 'a modified backward pass, not a true derivative',
};

/** The unit of one run: the method's, or the one its parameters select. */
export function unitOfRun(unit: MethodUnit, params: Record<string, unknown> | undefined): RelevanceUnit {
  const { byParam, ...base } = unit;
  const value = byParam ? params?.[byParam.name] : undefined;
  return (typeof value === 'string' ? byParam?.units[value] : undefined) ?? base;
}
