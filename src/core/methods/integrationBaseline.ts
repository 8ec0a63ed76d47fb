import { gaussianBlur } from '../image/gaussianBlur';
import type { ReferenceDistribution } from '../reference/distribution';

export type BaselineKind = 'zeros' | 'min' | 'reference-mean' | 'blurred';

/**
 * The baseline b of a path method (METHODS.md 3): all zeros, the input's smallest value
 * everywhere, the mean of the model's reference distribution, or the input blurred with a
 * Gaussian of σ = blurSigma pixels (Sturmfels et al. 2020, "Visualizing the impact of feature
 * attribution baselines"). Returned as an [h, w, c] row-major array like the input.
 */
export function integrationBaseline(
  kind: BaselineKind,
  x: Float32Array,
  shape: [number, number, number],
  options: { reference?: ReferenceDistribution; blurSigma: number },
): Float32Array {
  switch (kind) {
    case 'zeros':
      return new Float32Array(x.length);
    case 'min':
      return new Float32Array(x.length).fill(x.reduce((a, b) => Math.min(a, b), Infinity));
    case 'reference-mean': {
      const mean = options.reference?.mean;
      if (!mean) throw new Error('The reference-mean baseline needs the model\'s reference distribution, and none is loaded.');
      if (mean.length !== x.length) {
        throw new Error(`The reference mean has ${mean.length} values; the input has ${x.length}.`);
      }
      return Float32Array.from(mean);
    }
    case 'blurred':
      return gaussianBlur(x, shape, options.blurSigma);
  }
}
