import type { Dataset } from '../data/dataset.js';
import { pixelsPerSample } from '../data/dataset.js';
import { Matrix } from '../matrix/matrix.js';
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

/**
 * A⁽⁰⁾ for a batch (n₀ × N): column k is training sample `samples[k]`, pixel byte / PIXEL_SCALE. With
 * `shifts`, sample k is moved shifts[2k] pixels right and shifts[2k+1] down: the pixel at (x, y)
 * is the original's at (x − dx, y − dy), 0 where that falls outside the image (augmentation).
 */
export function batchInputMatrix(
  dataset: Dataset,
  samples: Uint32Array,
  shifts?: Int8Array,
): Matrix {
  const { rows, cols } = dataset;
  const n0 = pixelsPerSample(dataset);
  const N = samples.length;
  const A0 = Matrix.zeros(n0, N);
  for (let k = 0; k < N; k++) {
    const image = samples[k] * n0;
    const dx = shifts ? shifts[2 * k] : 0;
    const dy = shifts ? shifts[2 * k + 1] : 0;
    for (let y = 0; y < rows; y++) {
      const sourceY = y - dy;
      if (sourceY < 0 || sourceY >= rows) continue;
      for (let x = 0; x < cols; x++) {
        const sourceX = x - dx;
        if (sourceX < 0 || sourceX >= cols) continue;
        A0.data[(y * cols + x) * N + k] =
          dataset.images[image + sourceY * cols + sourceX] / PIXEL_SCALE;
      }
    }
  }
  return A0;
}

/** The labels of a batch's samples, in batch order. */
export function batchLabels(dataset: Dataset, samples: Uint32Array): Uint8Array {
  return Uint8Array.from(samples, (sample) => dataset.labels[sample]);
}
