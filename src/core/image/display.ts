/**
 * Reduces a relevance map [1, H, W, C] to one value per pixel (DESIGN.md, data conventions): the
 * sum over channels, the channel of largest |value|, or the mean (for a mask, which stays in 0…1).
 */
export function reduceChannels(relevance: Float32Array, shape: number[], mode: 'sum' | 'maxAbs' | 'mean' = 'sum'): { values: Float32Array; height: number; width: number } {
  const [, height, width, channels] = shape.length === 4 ? shape : [1, ...shape];
  const values = new Float32Array(height * width);
  for (let i = 0; i < height * width; i++) {
    let acc = 0;
    for (let c = 0; c < channels; c++) {
      const v = relevance[i * channels + c];
      if (mode !== 'maxAbs') acc += v;
      else if (Math.abs(v) > Math.abs(acc)) acc = v;
    }
    values[i] = mode === 'mean' ? acc / channels : acc;
  }
  return { values, height, width };
}

/** The symmetric range [−m, m] a diverging colour map is centred in: m = max |value|. */
export function symmetricLimit(values: ArrayLike<number>): { min: number; max: number; limit: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < min) min = values[i];
    if (values[i] > max) max = values[i];
  }
  if (!Number.isFinite(min)) return { min: 0, max: 0, limit: 0 };
  return { min, max, limit: Math.max(Math.abs(min), Math.abs(max)) };
}
