import { z } from 'zod';

/**
 * The reference distribution V of a model (METHODS.md 1.4): a Gaussian with per-component
 * mean and variance, and a low-rank factor L (rank x d) of its covariance, LᵀL ≈ Cov[n].
 */
export interface ReferenceDistribution {
  shape: [number, number, number];
  count: number;
  mean: Float32Array;
  variance: Float32Array;
  /** rank x d, row-major. */
  factor: Float32Array;
  rank: number;
}

export const referenceJsonSchema = z.object({
  shape: z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]),
  count: z.number().int().positive(),
  rank: z.number().int().nonnegative(),
  file: z.string(),
  layout: z.literal('float32 mean[d] | variance[d] | factor[rank][d]'),
  eigenvalues: z.array(z.number()),
  totalVariance: z.number(),
  command: z.string(),
}).loose();

export type ReferenceJson = z.infer<typeof referenceJsonSchema>;

export function parseReference(json: unknown, buffer: ArrayBuffer): ReferenceDistribution {
  const meta = referenceJsonSchema.parse(json);
  const d = meta.shape[0] * meta.shape[1] * meta.shape[2];
  const expected = (2 + meta.rank) * d * 4;
  if (buffer.byteLength !== expected) {
    throw new Error(`${meta.file} holds ${buffer.byteLength} bytes; rank ${meta.rank} at ${d} components needs ${expected}.`);
  }
  const all = new Float32Array(buffer);
  return {
    shape: meta.shape, count: meta.count, rank: meta.rank,
    mean: all.slice(0, d), variance: all.slice(d, 2 * d), factor: all.slice(2 * d),
  };
}

export function serialiseReference(v: ReferenceDistribution): Uint8Array {
  const d = v.mean.length;
  const all = new Float32Array((2 + v.rank) * d);
  all.set(v.mean, 0);
  all.set(v.variance, d);
  all.set(v.factor, 2 * d);
  return new Uint8Array(all.buffer);
}
