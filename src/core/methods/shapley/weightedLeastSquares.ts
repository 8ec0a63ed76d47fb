/**
 * Solves M β = r for a symmetric positive definite m x m matrix M (row-major) by Cholesky,
 * M = L Lᵀ. Returns null when M is not numerically positive definite (a pivot at or below
 * 1e-12 of the largest diagonal entry): the data do not determine β.
 */
export function solvePositiveDefinite(M: Float64Array, r: Float64Array): Float64Array | null {
  const m = r.length;
  if (M.length !== m * m) throw new Error(`The matrix holds ${M.length} entries, not ${m} x ${m}.`);
  let largest = 0;
  for (let i = 0; i < m; i++) largest = Math.max(largest, M[i * m + i]);
  const L = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let s = M[i * m + j];
      for (let k = 0; k < j; k++) s -= L[i * m + k] * L[j * m + k];
      if (i === j) {
        if (!(s > 1e-12 * largest)) return null;
        L[i * m + i] = Math.sqrt(s);
      } else {
        L[i * m + j] = s / L[j * m + j];
      }
    }
  }
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = r[i];
    for (let k = 0; k < i; k++) s -= L[i * m + k] * y[k];
    y[i] = s / L[i * m + i];
  }
  const beta = new Float64Array(m);
  for (let i = m - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < m; k++) s -= L[k * m + i] * beta[k];
    beta[i] = s / L[i * m + i];
  }
  return beta;
}

/**
 * The normal equations of a weighted least-squares problem min Σ_j w_j (b_j − a_jᵀβ)² + α‖β‖²:
 * M = Σ_j w_j a_j a_jᵀ + α I and r = Σ_j w_j b_j a_j, with the rows a_j given by `row(j, out)`.
 */
export function normalEquations(
  rows: number, m: number, row: (j: number, out: Float64Array) => void, b: ArrayLike<number>, w: ArrayLike<number>, alpha = 0,
): { M: Float64Array; r: Float64Array } {
  const M = new Float64Array(m * m);
  const r = new Float64Array(m);
  const a = new Float64Array(m);
  for (let j = 0; j < rows; j++) {
    row(j, a);
    for (let i = 0; i < m; i++) {
      if (a[i] === 0) continue;
      const wa = w[j] * a[i];
      r[i] += wa * b[j];
      for (let k = 0; k < m; k++) M[i * m + k] += wa * a[k];
    }
  }
  for (let i = 0; i < m; i++) M[i * m + i] += alpha;
  return { M, r };
}
