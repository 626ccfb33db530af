import type { Dataset } from '../data/dataset.js';
import { pixelsPerSample } from '../data/dataset.js';
import type { Matrix } from '../matrix/matrix.js';
import { inputFromPixels, PIXEL_SCALE } from '../nn/input.js';

/**
 * A⁽⁰⁾ for samples [start, start + count) of a data set: n₀ × count, one column per sample,
 * pixel byte / scale (the training scale unless a model says otherwise).
 */
export function inputMatrix(
  dataset: Dataset,
  start = 0,
  count = dataset.count - start,
  scale = PIXEL_SCALE,
): Matrix {
  if (start + count > dataset.count) {
    throw new RangeError(
      `samples ${start}..${start + count - 1} exceed the ${dataset.count} in the dataset`,
    );
  }
  return inputFromPixels(dataset.images, pixelsPerSample(dataset), start, count, scale);
}
