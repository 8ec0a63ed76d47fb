/**
 * Separable resampling weights from a source span [start, start + length) onto `out` samples:
 * area averaging when shrinking (each output sample integrates the source it covers), linear
 * interpolation when enlarging. Each output index gets a list of (source index, weight).
 */
export function resampleWeights(start: number, length: number, sourceSize: number, out: number): Array<Array<[number, number]>> {
  const step = length / out;
  const taps: Array<Array<[number, number]>> = [];
  for (let o = 0; o < out; o++) {
    const list: Array<[number, number]> = [];
    if (step > 1) {
      const a = start + o * step;
      const b = a + step;
      for (let s = Math.floor(a); s < Math.ceil(b); s++) {
        const w = Math.min(b, s + 1) - Math.max(a, s);
        if (w > 0 && s >= 0 && s < sourceSize) list.push([s, w / step]);
      }
    } else {
      const centre = start + (o + 0.5) * step - 0.5;
      const lo = Math.floor(centre);
      const t = centre - lo;
      const clamp = (s: number) => Math.min(sourceSize - 1, Math.max(0, s));
      list.push([clamp(lo), 1 - t], [clamp(lo + 1), t]);
    }
    taps.push(list);
  }
  return taps;
}

/** Resamples a single-channel region of `src` (width srcW) into outW x outH. */
export function resampleRegion(
  src: Float32Array, srcW: number, srcH: number,
  region: { x: number; y: number; width: number; height: number },
  outW: number, outH: number,
): Float32Array {
  const wx = resampleWeights(region.x, region.width, srcW, outW);
  const wy = resampleWeights(region.y, region.height, srcH, outH);
  // Rows first (only the rows the vertical taps touch), then columns.
  const rows = new Map<number, Float32Array>();
  const rowOf = (sy: number) => {
    let r = rows.get(sy);
    if (!r) {
      r = new Float32Array(outW);
      const base = sy * srcW;
      for (let ox = 0; ox < outW; ox++) {
        let acc = 0;
        for (const [sx, w] of wx[ox]) acc += w * src[base + sx];
        r[ox] = acc;
      }
      rows.set(sy, r);
    }
    return r;
  };
  const out = new Float32Array(outW * outH);
  for (let oy = 0; oy < outH; oy++) {
    for (const [sy, w] of wy[oy]) {
      const r = rowOf(sy);
      for (let ox = 0; ox < outW; ox++) out[oy * outW + ox] += w * r[ox];
    }
  }
  return out;
}
