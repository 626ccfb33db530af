/** A labelled image set: the form every data source (IDX, embedded digits, tiling) is read into. */
export interface Dataset {
  /** count × (rows·cols) pixel bytes, one sample per row, row-major pixels (0 = background). */
  readonly images: Uint8Array;
  /** count class indices, 0–9. */
  readonly labels: Uint8Array;
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
}

/** The training and test sets of one data source, and a name for people ("embedded", a path). */
export interface DataSplits {
  readonly train: Dataset;
  readonly test: Dataset;
  readonly name: string;
}

/** Pixels per sample (n₀, the input layer's size). */
export function pixelsPerSample(dataset: Dataset): number {
  return dataset.rows * dataset.cols;
}
