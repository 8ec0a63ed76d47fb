// How one relevance map is coloured and explained: decided once, from the map's unit (stated by its
// method, core/methods/units.ts), the sign mode and the normalisation, and drawn by the heatmap,
// its legend and its caption alike, so the relevance panel, the RDE panel and the comparison grid
// cannot disagree about what a colour means.
import type { RelevanceUnit } from '../core/methods/units';
import type { CompareNormalisation as Normalisation, CompareSign as SignMode } from '../store/compareSlice';
import { formatValue } from './compare/format';

/**
 * - 'diverging': blue (domain[0] = −L) through white (0) to red (domain[1] = L), for signed values;
 * - 'reds': white (domain[0]) to red (domain[1]), for values ≥ 0 (|R|, the positive part, an
 *   unsigned unit, the mask);
 * - 'blues': blue (domain[0] = −L) to white (domain[1] = 0), for the negative part.
 */
export type Palette = 'diverging' | 'reds' | 'blues';

export interface MapScale {
  palette: Palette;
  /** The values at the two ends of the colour bar; values beyond them saturate. */
  domain: [number, number];
  /** The legend's labels at its two ends and, for a diverging bar, its centre. */
  labels: { low: string; mid: string | null; high: string };
  /** The colours at the ends of the bar in words, for the legend's accessible name. */
  colours: { low: string; high: string };
  /** What the colours mean for this map (follows the caller's "Class k: "). */
  caption: string;
  unit: RelevanceUnit;
  /** How the range was set, in words (the legend states it). */
  range: string;
  /** True where the drawn part of the map is empty by definition (the negative part of a mask). */
  empty: boolean;
}

export interface MapScaleInput {
  unit: RelevanceUnit;
  sign: SignMode;
  normalisation: Normalisation;
  /**
   * The magnitude the colours saturate at (> 0; 0 means an all-zero map and is drawn on ±1):
   * max |R| of the drawn values, their 99th percentile, or the largest of the maps sharing the unit.
   * Ignored for a unit with a fixed range.
   */
  limit: number;
  /** With 'shared': how many maps (this one included) share the range. */
  sharedBy?: number;
  /** With 'percentile': which percentile of |R| it clips at. */
  percentile?: number;
  format?: (v: number) => string;
}

const SIGN_WORDS: Record<SignMode, string> = {
  all: 'both signs',
  positive: 'the positive part',
  negative: 'the negative part',
  absolute: '|R|',
};

function rangeText({ unit, normalisation, sharedBy = 1, percentile = 99, sign }: MapScaleInput): string {
  if (unit.fixedRange) return `fixed range ${unit.fixedRange[0]}…${unit.fixedRange[1]}: a mask is never rescaled`;
  const what = sign === 'all' && unit.signed ? '±max |R|' : 'max |R|';
  if (normalisation === 'percentile') return `clipped at the ${percentile}th percentile of |R| of this map`;
  if (normalisation === 'shared') {
    return sharedBy > 1
      ? `${what} shared by the ${sharedBy} maps in this unit`
      : `${what} of this map: no other map in this unit to share with`;
  }
  return `${what} of this map`;
}

/** Colour scale, legend labels and caption of one map. Pure; see mapScale.test.ts for every case. */
export function mapScale(input: MapScaleInput): MapScale {
  const { unit, sign } = input;
  const format = input.format ?? formatValue;
  const range = rangeText(input);
  const L = input.limit > 0 ? input.limit : 1;
  const reds = (lo: number, hi: number, caption: string, empty = false, label = format): MapScale => ({
    palette: 'reds', domain: [lo, hi], labels: { low: label(lo), mid: null, high: label(hi) },
    colours: { low: 'white', high: 'red' }, caption, unit, range, empty,
  });

  if (unit.fixedRange) {
    // A fixed range is exact (0 and 1), so its ends are written as such.
    const [lo, hi] = unit.fixedRange;
    if (sign === 'negative') return reds(lo, hi, 'a mask has no negative values, so nothing is drawn in this sign mode.', true, String);
    return reds(lo, hi, `the mask keeps (red, s = ${hi}) what the score needs and replaces (white, s = ${lo}) the rest with noise.`, false, String);
  }
  if (!unit.signed) {
    if (sign === 'negative') return reds(0, L, `this map has no negative values (${unit.label} ≥ 0), so nothing is drawn in this sign mode.`, true);
    return reds(0, L, `darker red is a larger ${unit.label}; the values are ≥ 0 and carry no direction.`);
  }
  switch (sign) {
    case 'all':
      return {
        palette: 'diverging', domain: [-L, L], labels: { low: format(-L), mid: '0', high: format(L) },
        colours: { low: 'blue', high: 'red' }, caption: 'red raises the score, blue lowers it.', unit, range, empty: false,
      };
    case 'positive':
      return reds(0, L, `only ${SIGN_WORDS.positive} is drawn: red raises the score; what lowers it is left white.`);
    case 'absolute':
      return reds(0, L, `${SIGN_WORDS.absolute}: darker red moves the score more, either way; the direction is not shown.`);
    case 'negative':
      return {
        palette: 'blues', domain: [-L, 0], labels: { low: format(-L), mid: null, high: '0' },
        colours: { low: 'blue', high: 'white' }, caption: `only ${SIGN_WORDS.negative} is drawn: blue lowers the score; what raises it is left white.`,
        unit, range, empty: false,
      };
  }
}

/** How strongly a value is coloured, 0 (white) … 1 (the end colour): the overlay's opacity. */
export function intensity(scale: MapScale, v: number): number {
  const [lo, hi] = scale.domain;
  const t = scale.palette === 'diverging' ? Math.abs(v) / hi
    : scale.palette === 'reds' ? (v - lo) / (hi - lo)
      : (hi - v) / (hi - lo);
  return Math.min(1, Math.max(0, t));
}
