import { columnLogSumExp, columnSoftmax } from '../matrix/columns.js';
import { assertShape, type Matrix } from '../matrix/matrix.js';

/**
 * The output layer with its cost: A = softmax(Z) per column, and returns
 * C = (1/N) Σ_l −log A_{y_l, l} (mean cross-entropy, docs/math.md, Cost; Y one-hot, never built).
 */
export function softmaxCrossEntropy(
  A: Matrix, // (n_L × N), out: A⁽ᴸ⁾
  Z: Matrix, // (n_L × N), Z⁽ᴸ⁾
  labels: Uint8Array, // (N) class indices y_l
): number {
  assertLabels(Z, labels);
  columnSoftmax(A, Z);
  let sum = 0;
  for (let l = 0; l < Z.cols; l++) {
    // log A_{y,l} = Z_{y,l} − logsumexp(Z_{:,l}): finite even when A_{y,l} underflows to 0.
    sum += columnLogSumExp(Z, l) - Z.get(labels[l], l);
  }
  return sum / Z.cols;
}

/** Δ⁽ᴸ⁾ = A⁽ᴸ⁾ − Y (softmax + cross-entropy, docs/math.md, Backward); delta may be A. */
export function softmaxCrossEntropyBackward(
  delta: Matrix, // (n_L × N), out: Δ⁽ᴸ⁾ = ∂C_l/∂Z⁽ᴸ⁾ per sample (the 1/N is applied in ∂C/∂W)
  A: Matrix, // (n_L × N), A⁽ᴸ⁾
  labels: Uint8Array, // (N)
): void {
  assertShape(delta, A.rows, A.cols, 'delta');
  assertLabels(A, labels);
  delta.data.set(A.data);
  // Y is one-hot, so subtracting it touches a single entry per column.
  for (let l = 0; l < A.cols; l++) delta.data[labels[l] * A.cols + l] -= 1;
}

/** Throws unless there is one label per column and each names a row. */
function assertLabels(M: Matrix, labels: Uint8Array): void {
  if (labels.length !== M.cols) {
    throw new RangeError(
      `labels must have ${M.cols} entries (one per sample), got ${labels.length}`,
    );
  }
  for (let l = 0; l < labels.length; l++) {
    if (labels[l] >= M.rows) {
      throw new RangeError(`label ${labels[l]} of sample ${l} is not below ${M.rows} classes`);
    }
  }
}
