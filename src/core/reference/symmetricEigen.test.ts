import { describe, expect, it } from 'vitest';
import { symmetricEigen } from './symmetricEigen';
import { mulberry32 } from '../util/random';

function randomSymmetric(n: number, seed: number): Float64Array {
  const rand = mulberry32(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rand() * 2 - 1;
  return a;
}

describe('symmetricEigen', () => {
  it('diagonalises a known 2x2 matrix', () => {
    const { values, vectors } = symmetricEigen([2, 1, 1, 2], 2);
    expect(values[0]).toBeCloseTo(3, 12);
    expect(values[1]).toBeCloseTo(1, 12);
    expect(Math.abs(vectors[0])).toBeCloseTo(Math.SQRT1_2, 12);
  });

  it('gives A v = lambda v and orthonormal vectors for a random 60x60 matrix (residual < 1e-10)', () => {
    const n = 60;
    const a = randomSymmetric(n, 11);
    const { values, vectors } = symmetricEigen(a, n);
    let worstResidual = 0;
    let worstOrtho = 0;
    for (let p = 0; p < n; p++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += a[i * n + j] * vectors[p * n + j];
        worstResidual = Math.max(worstResidual, Math.abs(av - values[p] * vectors[p * n + i]));
      }
      for (let q = 0; q < n; q++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += vectors[p * n + i] * vectors[q * n + i];
        worstOrtho = Math.max(worstOrtho, Math.abs(dot - (p === q ? 1 : 0)));
      }
    }
    expect(worstResidual).toBeLessThan(1e-10);
    expect(worstOrtho).toBeLessThan(1e-10);
    for (let p = 1; p < n; p++) expect(values[p]).toBeLessThanOrEqual(values[p - 1]);
    // The trace is preserved.
    let trace = 0;
    for (let i = 0; i < n; i++) trace += a[i * n + i];
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(trace, 9);
  });

  it('rejects a matrix of the wrong size', () => {
    expect(() => symmetricEigen([1, 2, 3], 2)).toThrow('expected 2x2 entries, got 3');
  });
});
