import { MnnError } from '../errors.js';

/** A labelled image set: the form every data source (IDX files, the packaged MNIST) is read into. */
export interface Dataset {
  /** count × (rows·cols) pixel bytes, one sample per row, row-major pixels (0 = background). */
  readonly images: Uint8Array;
  /** count class indices, 0–9. */
  readonly labels: Uint8Array;
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
}

/** The training and test sets of one data source, and a name for people ("packaged", a path). */
export interface DataSplits {
  readonly train: Dataset;
  readonly test: Dataset;
  readonly name: string;
}

/** Pixels per sample (n₀, the input layer's size). */
export function pixelsPerSample(dataset: Dataset): number {
  return dataset.rows * dataset.cols;
}

/** Samples [start, start + count) of a data set, as views of its arrays (nothing is copied). */
export function sliceDataset(dataset: Dataset, start: number, count: number): Dataset {
  const fits = Number.isInteger(start) && Number.isInteger(count) && start >= 0 && count >= 0;
  if (!fits || start + count > dataset.count) {
    throw new MnnError(
      `samples ${start} to ${start + count - 1} are not within the ${dataset.count} of the data set`,
      { kind: 'usage', hint: 'give a start and a count of whole numbers that fit' },
    );
  }
  const n0 = pixelsPerSample(dataset);
  return {
    ...dataset,
    images: dataset.images.subarray(start * n0, (start + count) * n0),
    labels: dataset.labels.subarray(start, start + count),
    count,
  };
}
