import { assertShape, type Matrix } from './matrix.js';

/*
 * Element-wise kernels. Each reads element i of its input before writing element i of `out`, so
 * `out` may be the very same matrix as the input (in place); partially overlapping views are not
 * supported.
 */

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
