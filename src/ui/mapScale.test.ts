import { describe, expect, it } from 'vitest';
import {
  LOGIT_DROP, LOGIT_PER_INPUT, LOGIT_PER_INPUT_MAGNITUDE, LOGIT_PER_INPUT_SQUARED, LOGIT_SHARE, MASK_UNIT, type RelevanceUnit,
} from '../core/methods/units';
import type { CompareSign } from '../store/compareSlice';
import { colourScale, rgbaOf } from './colour';
import { intensity, mapScale, type MapScale } from './mapScale';

const SIGNS: CompareSign[] = ['all', 'positive', 'negative', 'absolute'];
const SIGNED: RelevanceUnit[] = [LOGIT_PER_INPUT, LOGIT_SHARE, LOGIT_DROP];
const UNSIGNED: RelevanceUnit[] = [LOGIT_PER_INPUT_MAGNITUDE, LOGIT_PER_INPUT_SQUARED];
const L = 2.5;

function scale(unit: RelevanceUnit, sign: CompareSign, extra: Partial<Parameters<typeof mapScale>[0]> = {}): MapScale {
  return mapScale({ unit, sign, normalisation: 'per-map', limit: L, ...extra });
}

/** What a legend and caption promise, in one line per case. */
function summary(s: MapScale): string {
  const { low, mid, high } = s.labels;
  return `${s.palette} [${s.domain.join(', ')}] ${low}${mid !== null ? ` | ${mid} |` : ' …'} ${high} (${s.colours.low} → ${s.colours.high})${s.empty ? ' empty' : ''}`;
}

/** Whether a colour reads as blue: its blue channel well above its red one. */
const isBlue = ([r, , b]: [number, number, number]) => b > r + 20;

describe('mapScale: every sign mode × unit', () => {
  it.each(SIGNED.map((u) => [u.id, u] as const))('signed unit %s: diverging for both signs, one-sided otherwise', (_, unit) => {
    expect(SIGNS.map((sign) => summary(scale(unit, sign)))).toEqual([
      'diverging [-2.5, 2.5] -2.50 | 0 | 2.50 (blue → red)',
      'reds [0, 2.5] 0 … 2.50 (white → red)',
      'blues [-2.5, 0] -2.50 … 0 (blue → white)',
      'reds [0, 2.5] 0 … 2.50 (white → red)',
    ]);
    expect(SIGNS.map((sign) => scale(unit, sign).caption)).toEqual([
      'red raises the score, blue lowers it.',
      'only the positive part is drawn: red raises the score; what lowers it is left white.',
      'only the negative part is drawn: blue lowers the score; what raises it is left white.',
      '|R|: darker red moves the score more, either way; the direction is not shown.',
    ]);
  });

  it.each(UNSIGNED.map((u) => [u.label, u] as const))('unsigned unit %s: white → red in every mode; nothing negative to draw', (_, unit) => {
    expect(SIGNS.map((sign) => summary(scale(unit, sign)))).toEqual([
      'reds [0, 2.5] 0 … 2.50 (white → red)',
      'reds [0, 2.5] 0 … 2.50 (white → red)',
      'reds [0, 2.5] 0 … 2.50 (white → red) empty',
      'reds [0, 2.5] 0 … 2.50 (white → red)',
    ]);
    expect(scale(unit, 'all').caption).toBe(`darker red is a larger ${unit.label}; the values are ≥ 0 and carry no direction.`);
    expect(scale(unit, 'negative').caption).toBe(`this map has no negative values (${unit.label} ≥ 0), so nothing is drawn in this sign mode.`);
  });

  it('the mask: white 0 … red 1 in every mode and normalisation, whatever the limit', () => {
    for (const normalisation of ['per-map', 'shared', 'percentile'] as const) {
      expect(SIGNS.map((sign) => summary(scale(MASK_UNIT, sign, { normalisation, limit: 0.4 })))).toEqual([
        'reds [0, 1] 0 … 1 (white → red)',
        'reds [0, 1] 0 … 1 (white → red)',
        'reds [0, 1] 0 … 1 (white → red) empty',
        'reds [0, 1] 0 … 1 (white → red)',
      ]);
      expect(scale(MASK_UNIT, 'all', { normalisation }).range).toBe('fixed range 0…1: a mask is never rescaled');
    }
    expect(scale(MASK_UNIT, 'all').caption).toBe('the mask keeps (red, s = 1) what the score needs and replaces (white, s = 0) the rest with noise.');
  });

  it('"blue lowers it" only where both signs are drawn, and no blue in the colours of any other case', () => {
    for (const unit of [...SIGNED, ...UNSIGNED, MASK_UNIT]) {
      for (const sign of SIGNS) {
        const s = scale(unit, sign);
        const both = unit.signed && sign === 'all';
        expect(s.caption.includes('blue lowers it'), `${unit.id} ${sign}`).toBe(both);
        const colour = colourScale(s);
        const [lo, hi] = s.domain;
        const blues = Array.from({ length: 21 }, (_, k) => rgbaOf(colour, lo + ((hi - lo) * k) / 20)).filter(isBlue).length;
        // Of 21 samples evenly across the domain: diverging, the 9 from −L to −0.2 L are blue
        // (−0.1 L is still near white); the negative part, the 19 from −L to −0.1 L (−0.05 L and
        // 0 are near white); every other case none.
        const expected = both ? 9 : unit.signed && sign === 'negative' ? 19 : 0;
        expect(blues, `${unit.id} ${sign}`).toBe(expected);
      }
    }
  });

  it('the colour at each end is the one the legend names', () => {
    const hex = (s: MapScale, v: number) => rgbaOf(colourScale(s), v);
    const all = scale(LOGIT_SHARE, 'all');
    expect(isBlue(hex(all, -L))).toBe(true);
    // d3's RdBu is a spline through the ColorBrewer colours: its middle is a warm near-white.
    expect(hex(all, 0)).toEqual([242, 239, 238]);
    expect(hex(all, L)[0]).toBeGreaterThan(hex(all, L)[2] + 50);
    const mask = scale(MASK_UNIT, 'all');
    expect(hex(mask, 0)).toEqual([255, 245, 240]);
    expect(hex(mask, 1)).toEqual([103, 0, 13]);
    // Values beyond the domain saturate.
    expect(hex(mask, 3)).toEqual(hex(mask, 1));
  });

  it('states how the range was set: per map, percentile, shared within the unit or alone in it', () => {
    expect(scale(LOGIT_SHARE, 'all').range).toBe('±max |R| of this map');
    expect(scale(LOGIT_SHARE, 'absolute').range).toBe('max |R| of this map');
    expect(scale(LOGIT_SHARE, 'all', { normalisation: 'percentile', percentile: 99 }).range).toBe('clipped at the 99th percentile of |R| of this map');
    expect(scale(LOGIT_PER_INPUT, 'all', { normalisation: 'shared', sharedBy: 3 }).range).toBe('±max |R| shared by the 3 maps in this unit');
    expect(scale(LOGIT_DROP, 'all', { normalisation: 'shared', sharedBy: 1 }).range).toBe('±max |R| of this map: no other map in this unit to share with');
  });

  it('an all-zero map (limit 0) is drawn on ±1, never on an empty domain', () => {
    expect(scale(LOGIT_SHARE, 'all', { limit: 0 }).domain).toEqual([-1, 1]);
    expect(scale(LOGIT_SHARE, 'positive', { limit: 0 }).domain).toEqual([0, 1]);
  });

  it('uses the caller\'s number format for the end labels', () => {
    expect(scale(LOGIT_SHARE, 'all', { limit: 0.01234, format: (v) => v.toPrecision(3) }).labels).toEqual({ low: '-0.0123', mid: '0', high: '0.0123' });
  });
});

describe('intensity (the overlay\'s opacity)', () => {
  it('is 0 at white and 1 at the saturated end of each palette', () => {
    const all = scale(LOGIT_SHARE, 'all');
    expect([intensity(all, -L), intensity(all, 0), intensity(all, L / 2), intensity(all, 2 * L)]).toEqual([1, 0, 0.5, 1]);
    const negative = scale(LOGIT_SHARE, 'negative');
    expect([intensity(negative, -L), intensity(negative, 0), intensity(negative, -L / 4)]).toEqual([1, 0, 0.25]);
    const mask = scale(MASK_UNIT, 'all');
    expect([intensity(mask, 0), intensity(mask, 0.3), intensity(mask, 1)]).toEqual([0, 0.3, 1]);
  });
});
