import { scaleDiverging, scaleSequential } from 'd3-scale';
import { interpolateBlues, interpolateRdBu, interpolateReds } from 'd3-scale-chromatic';
import { rgb } from 'd3-color';
import type { MapScale } from './mapScale';

/**
 * The colour of a value under a map's scale (ui/mapScale.ts): diverging blue–white–red centred
 * at 0 (red positive, as in the paper's figures), white → red for values ≥ 0, blue → white for
 * the negative part. Values outside the domain saturate.
 */
export function colourScale(scale: MapScale): (v: number) => string {
  const [lo, hi] = scale.domain;
  switch (scale.palette) {
    case 'diverging': return scaleDiverging<string>(interpolateRdBu).domain([hi, 0, lo]).clamp(true);
    case 'reds': return scaleSequential<string>(interpolateReds).domain([lo, hi]).clamp(true);
    case 'blues': return scaleSequential<string>(interpolateBlues).domain([hi, lo]).clamp(true);
  }
}

/** RGB bytes of a value under a colour scale. */
export function rgbaOf(scale: (v: number) => string, v: number): [number, number, number] {
  const c = rgb(scale(v));
  return [c.r, c.g, c.b];
}
