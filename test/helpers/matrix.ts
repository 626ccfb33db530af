import { Matrix } from '../../src/matrix/matrix.js';
import type { Random } from '../../src/nn/random.js';

/** A rows × cols matrix of uniform numbers in [−1, 1). */
export function randomMatrix(random: Random, rows: number, cols: number): Matrix {
  const M = Matrix.zeros(rows, cols);
  for (let i = 0; i < M.data.length; i++) M.data[i] = random.uniform(-1, 1);
  return M;
}

/** Mᵀ, materialized (only tests may do that). */
export function naiveTranspose(M: Matrix): Matrix {
  const T = Matrix.zeros(M.cols, M.rows);
  for (let i = 0; i < M.rows; i++)
    for (let j = 0; j < M.cols; j++) T.data[j * M.rows + i] = M.get(i, j);
  return T;
}

/** A·B by the textbook triple loop. */
export function naiveMultiply(A: Matrix, B: Matrix): Matrix {
  const out = Matrix.zeros(A.rows, B.cols);
  for (let i = 0; i < A.rows; i++) {
    for (let j = 0; j < B.cols; j++) {
      let sum = 0;
      for (let p = 0; p < A.cols; p++) sum += A.get(i, p) * B.get(p, j);
      out.data[i * B.cols + j] = sum;
    }
  }
  return out;
}

/** Largest |x − y| over two equally long arrays. */
export function maxAbsDifference(x: ArrayLike<number>, y: ArrayLike<number>): number {
  expectSameLength(x, y);
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i] - y[i]));
  return max;
}

function expectSameLength(x: ArrayLike<number>, y: ArrayLike<number>): void {
  if (x.length !== y.length) throw new Error(`lengths differ: ${x.length} vs ${y.length}`);
}
