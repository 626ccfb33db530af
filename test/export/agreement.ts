import type { Dataset } from '../../src/data/dataset.js';
import { argmaxColumns } from '../../src/matrix/columns.js';
import { Matrix } from '../../src/matrix/matrix.js';
import type { Model } from '../../src/model/model.js';
import { Network } from '../../src/nn/network.js';
import { inputMatrix } from '../../src/train/inputs.js';

// Exported models keep one sample per row ([N, n]); mnn keeps one per column (n × N). These
// helpers move between the two so that both runtimes see the same digits and their answers
// can be compared entry by entry.

/** The transpose of a row-major rows × cols array, as a cols × rows Matrix. */
export function transposed(values: ArrayLike<number>, rows: number, cols: number): Matrix {
  const M = Matrix.zeros(cols, rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) M.data[j * rows + i] = values[i * cols + j];
  }
  return M;
}

/**
 * The first `count` test digits as mnn's A⁽⁰⁾ (n₀ × N, pixels divided by the model's input scale)
 * and as the [N, n₀] float32 rows exported models take.
 */
export function digitInputs(
  test: Dataset,
  count: number,
  model: Model,
): { A0: Matrix; rows: Float32Array } {
  const A0 = inputMatrix(test, 0, count, model.input.scale);
  return { A0, rows: Float32Array.from(transposed(A0.data, A0.rows, count).data) };
}

/** What mnn's own forward pass (float64) answers: A⁽ᴸ⁾ (n_L × N) and the most probable classes. */
export function mnnAnswers(model: Model, A0: Matrix): { AL: Matrix; predictions: Uint32Array } {
  const network = new Network(model.parameters);
  return { AL: network.probabilities(A0), predictions: network.predict(A0) };
}

/** Another runtime's [N, n_L] probabilities as mnn's n_L × N, with the most probable classes. */
export function runtimeAnswers(
  rows: ArrayLike<number>,
  classes: number,
): { AL: Matrix; predictions: Uint32Array } {
  const AL = transposed(rows, rows.length / classes, classes);
  const predictions = new Uint32Array(AL.cols);
  argmaxColumns(predictions, AL);
  return { AL, predictions };
}

/** The largest |a − b| over two arrays of the same length. */
export function maxAbsoluteDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} and ${b.length}`);
  let largest = 0;
  for (let i = 0; i < a.length; i++) largest = Math.max(largest, Math.abs(a[i] - b[i]));
  return largest;
}
