import { assertNoOverlap, assertShape, type Matrix } from './matrix.js';

/**
 * Matrix products without materialized transposes. None allows `out` to share memory with an
 * input (each output element is accumulated while inputs are still being read).
 *
 * All three stream their operands row by row (unit stride) and work on blocks of BLOCK columns
 * of the long dimension, so the block of the big operand stays in cache while every row of the
 * small one is applied to it: for W⁽¹⁾A⁽⁰⁾ over 60 000 samples that reads A⁽⁰⁾ once instead of
 * n₁ times.
 */
const BLOCK = 256;

/** out = A·B. */
export function multiply(
  out: Matrix, // (m × n)
  A: Matrix, // (m × k)
  B: Matrix, // (k × n)
): void {
  const m = A.rows;
  const k = A.cols;
  const n = B.cols;
  assertShape(B, k, n, 'B');
  assertShape(out, m, n, 'out');
  assertNoOverlap(out, A, 'A');
  assertNoOverlap(out, B, 'B');
  const o = out.data;
  const a = A.data;
  const b = B.data;
  o.fill(0);
  for (let j0 = 0; j0 < n; j0 += BLOCK) {
    const j1 = Math.min(j0 + BLOCK, n);
    for (let i = 0; i < m; i++) {
      const outRow = i * n;
      for (let p = 0; p < k; p++) {
        const aip = a[i * k + p];
        const bRow = p * n;
        for (let j = j0; j < j1; j++) o[outRow + j] += aip * b[bRow + j];
      }
    }
  }
}

/** out = Aᵀ·B. */
export function multiplyTransposeA(
  out: Matrix, // (m × n)
  A: Matrix, // (k × m)
  B: Matrix, // (k × n)
): void {
  const k = A.rows;
  const m = A.cols;
  const n = B.cols;
  assertShape(B, k, n, 'B');
  assertShape(out, m, n, 'out');
  assertNoOverlap(out, A, 'A');
  assertNoOverlap(out, B, 'B');
  const o = out.data;
  const a = A.data;
  const b = B.data;
  o.fill(0);
  for (let j0 = 0; j0 < n; j0 += BLOCK) {
    const j1 = Math.min(j0 + BLOCK, n);
    for (let p = 0; p < k; p++) {
      const bRow = p * n;
      for (let i = 0; i < m; i++) {
        const api = a[p * m + i];
        const outRow = i * n;
        for (let j = j0; j < j1; j++) o[outRow + j] += api * b[bRow + j];
      }
    }
  }
}

/** out = A·Bᵀ (each element is a dot product of a row of A with a row of B). */
export function multiplyTransposeB(
  out: Matrix, // (m × n)
  A: Matrix, // (m × k)
  B: Matrix, // (n × k)
): void {
  const m = A.rows;
  const k = A.cols;
  const n = B.rows;
  assertShape(B, n, k, 'B');
  assertShape(out, m, n, 'out');
  assertNoOverlap(out, A, 'A');
  assertNoOverlap(out, B, 'B');
  const o = out.data;
  o.fill(0);
  for (let p0 = 0; p0 < k; p0 += BLOCK) {
    const p1 = Math.min(p0 + BLOCK, k);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) o[i * n + j] += dotRange(A.data, i * k, B.data, j * k, p0, p1);
    }
  }
}

/** Σ_{p0 ≤ p < p1} x[xStart + p]·y[yStart + p], with two accumulators to shorten the add chain. */
function dotRange(
  x: Float64Array,
  xStart: number,
  y: Float64Array,
  yStart: number,
  p0: number,
  p1: number,
): number {
  let even = 0;
  let odd = 0;
  let p = p0;
  for (; p + 1 < p1; p += 2) {
    even += x[xStart + p] * y[yStart + p];
    odd += x[xStart + p + 1] * y[yStart + p + 1];
  }
  if (p < p1) even += x[xStart + p] * y[yStart + p];
  return even + odd;
}
