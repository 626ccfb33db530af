import { assertShape, type Matrix } from './matrix.js';

/*
 * Element-wise kernels. Each reads element i of its inputs before writing element i of `out`,
 * so `out` may be the very same matrix as one of the inputs (in place); partially overlapping views are
 * not supported.
 */

/** out = A ⊙ B (element-wise product). */
export function hadamard(
  out: Matrix, // (m × n)
  A: Matrix, // (m × n)
  B: Matrix, // (m × n)
): void {
  assertShape(B, A.rows, A.cols, 'B');
  assertShape(out, A.rows, A.cols, 'out');
  const o = out.data;
  const a = A.data;
  const b = B.data;
  for (let i = 0; i < o.length; i++) o[i] = a[i] * b[i];
}

/** out = A − B. */
export function subtract(
  out: Matrix, // (m × n)
  A: Matrix, // (m × n)
  B: Matrix, // (m × n)
): void {
  assertShape(B, A.rows, A.cols, 'B');
  assertShape(out, A.rows, A.cols, 'out');
  const o = out.data;
  const a = A.data;
  const b = B.data;
  for (let i = 0; i < o.length; i++) o[i] = a[i] - b[i];
}

/** out = s·M. */
export function scale(
  out: Matrix, // (m × n)
  M: Matrix, // (m × n)
  s: number,
): void {
  assertShape(out, M.rows, M.cols, 'out');
  const o = out.data;
  const x = M.data;
  for (let i = 0; i < o.length; i++) o[i] = s * x[i];
}

/** out = M + s·G; with s = −α it is the gradient-descent update W ← W − α ∂C/∂W (MATH.md, Update). */
export function addScaled(
  out: Matrix, // (m × n)
  M: Matrix, // (m × n)
  s: number,
  G: Matrix, // (m × n)
): void {
  assertShape(G, M.rows, M.cols, 'G');
  assertShape(out, M.rows, M.cols, 'out');
  const o = out.data;
  const x = M.data;
  const g = G.data;
  for (let i = 0; i < o.length; i++) o[i] = x[i] + s * g[i];
}
