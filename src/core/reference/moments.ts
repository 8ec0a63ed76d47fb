/**
 * Per-component mean and variance over batches with the pairwise update of Chan, Golub &
 * LeVeque (METHODS.md 1.4): M2 += M2_b + δ² n_a n_b / (n_a + n_b); var = M2 / (N − 1).
 */
export class RunningMoments {
  count = 0;
  readonly mean: Float64Array;
  readonly m2: Float64Array;

  constructor(readonly dim: number) {
    this.mean = new Float64Array(dim);
    this.m2 = new Float64Array(dim);
  }

  /** Adds a batch of `rows` samples stored row-major in `data`. */
  addBatch(data: ArrayLike<number>, rows: number): void {
    if (rows === 0) return;
    const d = this.dim;
    const bMean = new Float64Array(d);
    const bM2 = new Float64Array(d);
    for (let r = 0; r < rows; r++) for (let j = 0; j < d; j++) bMean[j] += data[r * d + j];
    for (let j = 0; j < d; j++) bMean[j] /= rows;
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < d; j++) {
        const dev = data[r * d + j] - bMean[j];
        bM2[j] += dev * dev;
      }
    }
    const na = this.count;
    const n = na + rows;
    for (let j = 0; j < d; j++) {
      const delta = bMean[j] - this.mean[j];
      this.mean[j] += (delta * rows) / n;
      this.m2[j] += bM2[j] + (delta * delta * na * rows) / n;
    }
    this.count = n;
  }

  /** Unbiased variance. */
  variance(): Float64Array {
    if (this.count < 2) throw new Error('Variance needs at least two samples.');
    return this.m2.map((v) => v / (this.count - 1));
  }
}
