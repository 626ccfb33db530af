import { assertShape, type Matrix } from './matrix.js';

/*
 * Kernels that treat each column (one sample) as a unit: bias broadcast, softmax, reductions.
 * `addColumnVector` and `columnSoftmax` allow `out` to be the same matrix as their input.
 */

/** out = M + v repeated over the columns (Z = WA + B, with B = b repeated over N columns). */
export function addColumnVector(
  out: Matrix, // (m × n)
  M: Matrix, // (m × n)
  v: Float64Array, // (m)
): void {
  assertShape(out, M.rows, M.cols, 'out');
  if (v.length !== M.rows) throw new RangeError(`v must have ${M.rows} entries, got ${v.length}`);
  const n = M.cols;
  const o = out.data;
  const x = M.data;
  for (let i = 0; i < M.rows; i++) {
    const vi = v[i];
    for (let j = i * n; j < (i + 1) * n; j++) o[j] = x[j] + vi;
  }
}

/** out = softmax of each column of Z: out_ij = exp(Z_ij) / Σ_k exp(Z_kj). */
export function columnSoftmax(
  out: Matrix, // (m × n)
  Z: Matrix, // (m × n)
): void {
  assertShape(out, Z.rows, Z.cols, 'out');
  const m = Z.rows;
  const n = Z.cols;
  const o = out.data;
  const z = Z.data;
  for (let j = 0; j < n; j++) {
    // The column max is subtracted only for numerical stability: softmax(z − c) = softmax(z), and
    // with c = max every exp is ≤ 1 (no overflow) and at least one is exactly 1 (the sum is ≥ 1).
    const max = columnMax(Z, j);
    let sum = 0;
    for (let i = 0; i < m; i++) {
      const e = Math.exp(z[i * n + j] - max);
      o[i * n + j] = e;
      sum += e;
    }
    for (let i = 0; i < m; i++) o[i * n + j] /= sum;
  }
}

/** log Σ_i exp(Z_ij) of one column j, computed without overflow or underflow. */
export function columnLogSumExp(
  Z: Matrix, // (m × n)
  j: number,
): number {
  // Subtracting the max is only for stability: log Σ exp(z) = c + log Σ exp(z − c).
  const max = columnMax(Z, j);
  let sum = 0;
  for (let i = 0; i < Z.rows; i++) sum += Math.exp(Z.data[i * Z.cols + j] - max);
  return max + Math.log(sum);
}

/** The largest entry of column j. */
function columnMax(Z: Matrix, j: number): number {
  let max = -Infinity;
  for (let i = 0; i < Z.rows; i++) max = Math.max(max, Z.data[i * Z.cols + j]);
  return max;
}

/** out_i = Σ_j M_ij: each row summed over the columns (over the samples). */
export function sumColumns(
  out: Float64Array, // (m)
  M: Matrix, // (m × n)
): void {
  if (out.length !== M.rows)
    throw new RangeError(`out must have ${M.rows} entries, got ${out.length}`);
  const n = M.cols;
  const x = M.data;
  for (let i = 0; i < M.rows; i++) {
    let sum = 0;
    for (let j = i * n; j < (i + 1) * n; j++) sum += x[j];
    out[i] = sum;
  }
}

/**
 * The k in 0..count−1 whose values[first + k·stride] is largest (the first one on ties): the
 * predicted class of one sample's outputs, wherever and however they are laid out.
 */
export function argmaxStrided(
  values: Float64Array,
  first: number,
  count: number,
  stride: number,
): number {
  let best = 0;
  for (let k = 1; k < count; k++) {
    if (values[first + k * stride] > values[first + best * stride]) best = k;
  }
  return best;
}

/** The row index of the largest entry of column j (the first one on ties). */
export function argmaxColumn(
  M: Matrix, // (m × n)
  j: number,
): number {
  return argmaxStrided(M.data, j, M.rows, M.cols);
}

/** out_j = argmax_i M_ij for every column j (the first maximum on ties). */
export function argmaxColumns(
  out: Uint32Array, // (n)
  M: Matrix, // (m × n)
): void {
  if (out.length !== M.cols)
    throw new RangeError(`out must have ${M.cols} entries, got ${out.length}`);
  for (let j = 0; j < M.cols; j++) out[j] = argmaxColumn(M, j);
}
