/** Precision (right among predicted), recall (found among true) and test images of one class. */
export interface ClassScores {
  readonly precision: number;
  readonly recall: number;
  readonly support: number;
}

/**
 * How a model does on a set of test images. The report and the page only draw these results;
 * computing them needs the data and the evaluation code, so the caller (the CLI) supplies them.
 */
export interface TestResults {
  /** The data, for people, e.g. "MNIST shipped with mnn, test split". */
  readonly data: string;
  readonly samples: number;
  /** Fraction in [0, 1]. */
  readonly accuracy: number;
  /** Mean cross-entropy C. */
  readonly loss: number;
  /** confusion[true class][predicted class] = count. */
  readonly confusion: readonly (readonly number[])[];
  readonly classes: readonly ClassScores[];
  /** The test images in each confusion cell: cells[true][predicted] lists their indices. */
  readonly cells: readonly (readonly (readonly number[])[])[];
  readonly imageWidth: number;
  readonly imageHeight: number;
  /** The pixel bytes of test image `index` (row-major, 0 background, 255 ink). */
  image(index: number): Uint8Array;
}
