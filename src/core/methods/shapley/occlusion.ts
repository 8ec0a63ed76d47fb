import { evaluateCoalitions, type CoalitionValues, type EvaluationOptions } from './coalitions';

/** Window starts 0, stride, 2·stride, … plus a last one flush with the far edge, so every pixel is covered. */
export function windowStarts(size: number, window: number, stride: number): number[] {
  const span = Math.min(window, size);
  const starts: number[] = [];
  for (let s = 0; s + span <= size; s += stride) starts.push(s);
  if (starts[starts.length - 1] + span < size) starts.push(size - span);
  return starts;
}

export interface OcclusionOptions extends EvaluationOptions {
  window: number;
  stride: number;
}

/**
 * Occlusion (Zeiler & Fergus 2014; METHODS.md 5): slide a window × window square of baseline values
 * over the image; each placement P scores Φ(x) − Φ(x with P occluded), and a pixel's relevance is
 * the mean of the scores of the placements that cover it (as Captum's Occlusion does).
 * `score` takes pixel masks (length h*w, 1 = keep x). Returns relevance per pixel.
 */
export async function occlusion(height: number, width: number, score: CoalitionValues, options: OcclusionOptions): Promise<{ relevance: Float64Array; full: number; evaluations: number }> {
  for (const [name, value] of [['window', options.window], ['stride', options.stride]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`The occlusion ${name} must be a whole number ≥ 1; got ${value}.`);
  }
  const rows = windowStarts(height, options.window, options.stride);
  const cols = windowStarts(width, options.window, options.stride);
  const spanY = Math.min(options.window, height);
  const spanX = Math.min(options.window, width);
  const placement = (j: number) => ({ y0: rows[Math.floor(j / cols.length)], x0: cols[j % cols.length] });
  // Mask 0 keeps the whole input (Φ(x)); mask j + 1 occludes placement j.
  const make = (j: number) => {
    const mask = new Uint8Array(height * width).fill(1);
    if (j === 0) return mask;
    const { y0, x0 } = placement(j - 1);
    for (let y = y0; y < y0 + spanY; y++) mask.fill(0, y * width + x0, y * width + x0 + spanX);
    return mask;
  };
  const placements = rows.length * cols.length;
  const values = await evaluateCoalitions(score, placements + 1, make, options);
  const total = new Float64Array(height * width);
  const covered = new Float64Array(height * width);
  for (let j = 0; j < placements; j++) {
    const { y0, x0 } = placement(j);
    const drop = values[0] - values[j + 1];
    for (let y = y0; y < y0 + spanY; y++) {
      for (let x = x0; x < x0 + spanX; x++) {
        total[y * width + x] += drop;
        covered[y * width + x] += 1;
      }
    }
  }
  return { relevance: total.map((t, p) => t / covered[p]), full: values[0], evaluations: placements + 1 };
}
