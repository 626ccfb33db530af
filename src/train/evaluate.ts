import type { Dataset } from '../data/dataset.js';
import { argmaxColumns } from '../matrix/columns.js';
import { Network } from '../nn/network.js';
import { PIXEL_SCALE } from '../nn/input.js';
import type { Parameters } from '../nn/parameters.js';
import { inputMatrix } from './inputs.js';

/** Samples evaluated per forward pass: bounds memory (n₀ × 1000 float64s) on large test sets. */
const EVALUATION_CHUNK = 1000;

/** How a network does on a data set. */
export interface Evaluation {
  readonly samples: number;
  /** Fraction of samples whose most probable class is the label, in [0, 1]. */
  readonly accuracy: number;
  /** Mean cross-entropy C (docs/math.md, Cost). */
  readonly loss: number;
  /** confusion[true class][predicted class] = count. */
  readonly confusion: number[][];
  /** The predicted class of each sample, in data set order. */
  readonly predicted: Uint32Array;
}

/** Precision, recall and sample count of one class. */
export interface ClassMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly support: number;
}

/**
 * Runs the network over a data set in chunks: accuracy, mean loss and the confusion matrix.
 * Pixels are divided by `scale`: the training scale, or the `input.scale` a model records.
 */
export function evaluate(
  parameters: Parameters,
  dataset: Dataset,
  scale = PIXEL_SCALE,
): Evaluation {
  const network = new Network(parameters);
  const classes = parameters.layerSizes[parameters.layerSizes.length - 1];
  const confusion = Array.from({ length: classes }, () => Array<number>(classes).fill(0));
  const predicted = new Uint32Array(dataset.count);
  let lossSum = 0;
  for (let start = 0; start < dataset.count; start += EVALUATION_CHUNK) {
    const count = Math.min(EVALUATION_CHUNK, dataset.count - start);
    const labels = dataset.labels.subarray(start, start + count);
    const cache = network.forward(inputMatrix(dataset, start, count, scale), labels);
    lossSum += cache.loss * count;
    const predictions = predicted.subarray(start, start + count);
    argmaxColumns(predictions, cache.A[network.layerCount]);
    predictions.forEach((prediction, i) => confusion[labels[i]][prediction]++);
  }
  const correct = confusion.reduce((sum, row, label) => sum + row[label], 0);
  return {
    samples: dataset.count,
    accuracy: dataset.count === 0 ? 0 : correct / dataset.count,
    loss: dataset.count === 0 ? 0 : lossSum / dataset.count,
    confusion,
    predicted,
  };
}

/** Per-class precision (right among predicted) and recall (found among true) from a confusion matrix. */
export function classMetrics(confusion: readonly (readonly number[])[]): ClassMetrics[] {
  return confusion.map((row, label) => {
    const truePositives = row[label];
    const support = row.reduce((sum, count) => sum + count, 0);
    const predicted = confusion.reduce((sum, otherRow) => sum + otherRow[label], 0);
    return {
      precision: predicted === 0 ? 0 : truePositives / predicted,
      recall: support === 0 ? 0 : truePositives / support,
      support,
    };
  });
}
