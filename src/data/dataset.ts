/** A labelled image set: the form every data source (IDX files, the packaged MNIST, tiling) is read into. */
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

/** The first `count` samples of a data set (views, no copy); all of them when it has fewer. */
export function firstSamples(dataset: Dataset, count: number): Dataset {
  if (count >= dataset.count) return dataset;
  const pixels = dataset.rows * dataset.cols;
  return {
    ...dataset,
    count,
    images: dataset.images.subarray(0, count * pixels),
    labels: dataset.labels.subarray(0, count),
  };
}
