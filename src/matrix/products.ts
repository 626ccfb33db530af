import { assertNoOverlap, assertShape, type Matrix } from './matrix.js';

/**
 * Matrix products without materialized transposes. None allows `out` to share memory with an
 * input (each output element is accumulated while inputs are still being read).
 *
 * All three stream the large operand row by row (unit stride) and work on blocks of BLOCK columns
 * of the long dimension, so the block of the big operand stays in cache while every row of the
 * small one is applied to it: for W⁽¹⁾A⁽⁰⁾ over 60 000 samples that reads A⁽⁰⁾ once instead of
 * n₁ times. Inside a block, four multiply-adds share each load or store of the output (or of
 * the A element), which measured about 2× faster than the plain i-k-j loop; the summation order
 * differs from the textbook loop only by rounding.
 */
const BLOCK = 256;

/**
 * out = op(A)·B where element (i, p) of op(A) is a[i·rowStride + p·columnStride]: strides (k, 1)
 * read A itself, strides (1, m) read Aᵀ without materializing it.
 */
function multiplyStrided(
  o: Float64Array, // out (m × n)
  a: Float64Array, // op(A) (m × k), through the strides
  rowStride: number,
  columnStride: number,
  b: Float64Array, // B (k × n)
  m: number,
  k: number,
  n: number,
): void {
  o.fill(0);
  for (let j0 = 0; j0 < n; j0 += BLOCK) {
    const j1 = Math.min(j0 + BLOCK, n);
    for (let i = 0; i < m; i++) {
      const outRow = i * n;
      const aRow = i * rowStride;
      let p = 0;
      // Four rows of B per sweep: one load and store of out per four multiply-adds.
      for (; p + 3 < k; p += 4) {
        const a0 = a[aRow + p * columnStride];
        const a1 = a[aRow + (p + 1) * columnStride];
        const a2 = a[aRow + (p + 2) * columnStride];
        const a3 = a[aRow + (p + 3) * columnStride];
        const b0 = p * n;
        for (let j = j0; j < j1; j++) {
          o[outRow + j] +=
            a0 * b[b0 + j] + a1 * b[b0 + n + j] + a2 * b[b0 + 2 * n + j] + a3 * b[b0 + 3 * n + j];
        }
      }
      for (; p < k; p++) {
        const aip = a[aRow + p * columnStride];
        const bRow = p * n;
        for (let j = j0; j < j1; j++) o[outRow + j] += aip * b[bRow + j];
      }
    }
  }
}

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
  multiplyStrided(out.data, A.data, k, 1, B.data, m, k, n);
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
  multiplyStrided(out.data, A.data, 1, m, B.data, m, k, n);
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
  const a = A.data;
  const b = B.data;
  o.fill(0);
  for (let p0 = 0; p0 < k; p0 += BLOCK) {
    const p1 = Math.min(p0 + BLOCK, k);
    for (let i = 0; i < m; i++) {
      const aRow = i * k;
      let j = 0;
      // Four rows of B against one row of A: each A element is loaded once for four outputs.
      for (; j + 3 < n; j += 4) {
        const b0 = j * k;
        let sum0 = 0;
        let sum1 = 0;
        let sum2 = 0;
        let sum3 = 0;
        for (let p = p0; p < p1; p++) {
          const aip = a[aRow + p];
          sum0 += aip * b[b0 + p];
          sum1 += aip * b[b0 + k + p];
          sum2 += aip * b[b0 + 2 * k + p];
          sum3 += aip * b[b0 + 3 * k + p];
        }
        o[i * n + j] += sum0;
        o[i * n + j + 1] += sum1;
        o[i * n + j + 2] += sum2;
        o[i * n + j + 3] += sum3;
      }
      for (; j < n; j++) {
        let sum = 0;
        for (let p = p0; p < p1; p++) sum += a[aRow + p] * b[j * k + p];
        o[i * n + j] += sum;
      }
    }
  }
}
