import { scaleDiverging, scaleSequential } from 'd3-scale';
import { interpolateRdBu, interpolateReds } from 'd3-scale-chromatic';
import { rgb } from 'd3-color';

/** Diverging map centred at 0: red positive, blue negative, white at zero (as in the paper's figures). */
export function divergingScale(limit: number): (v: number) => string {
  const m = limit > 0 ? limit : 1;
  return scaleDiverging<string>(interpolateRdBu).domain([m, 0, -m]).clamp(true);
}

/** RGBA bytes for a value under a diverging scale. */
export function rgbaOf(scale: (v: number) => string, v: number): [number, number, number] {
  const c = rgb(scale(v));
  return [c.r, c.g, c.b];
}

/** A mask s in [0,1]: white (0, obfuscated) to dark red (1, kept), the positive half of the relevance colours. */
export const maskScale: (v: number) => string = scaleSequential<string>(interpolateReds).domain([0, 1]).clamp(true);
