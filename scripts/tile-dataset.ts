// Bench support: 60 000 samples from the embedded 8 000 when data/mnist has not been fetched.
import type { Dataset } from '../src/data/dataset.js';
import { pixelsPerSample } from '../src/data/dataset.js';

/**
 * A dataset of exactly `count` samples made by repeating `dataset`'s samples in order (sample i
 * is sample i mod dataset.count), e.g. to benchmark 60 000 samples from the embedded 8 000.
 */
export function tileDataset(dataset: Dataset, count: number): Dataset {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(
      `the tiled sample count must be a whole number of at least 0, got ${count}`,
    );
  }
  if (count > 0 && dataset.count === 0) {
    throw new RangeError('cannot tile an empty dataset; give it at least one sample');
  }
  const n0 = pixelsPerSample(dataset);
  const images = new Uint8Array(count * n0);
  const labels = new Uint8Array(count);
  const source = dataset.images.subarray(0, dataset.count * n0);
  for (let start = 0; start < count; start += dataset.count) {
    const copies = Math.min(dataset.count, count - start);
    images.set(source.subarray(0, copies * n0), start * n0);
    labels.set(dataset.labels.subarray(0, copies), start);
  }
  return { images, labels, count, rows: dataset.rows, cols: dataset.cols };
}
