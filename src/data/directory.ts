import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MnnError } from '../errors.js';
import type { DataSplits, Dataset } from './dataset.js';
import { readIdx } from './idx.js';
import type { IdxData, IdxImages, IdxLabels } from './idx.js';

/** Which splits to load: eval needs only the test files, training may need only the train files. */
export type SplitSelection = 'both' | 'train' | 'test';

/** The training split of a data directory, loaded alone. */
export type TrainSplit = Pick<DataSplits, 'train' | 'name'>;

/** The test split of a data directory, loaded alone. */
export type TestSplit = Pick<DataSplits, 'test' | 'name'>;

/** Whatever splits were asked for; `train` and `test` are present exactly when selected. */
export interface SelectedSplits {
  readonly train?: Dataset;
  readonly test?: Dataset;
  readonly name: string;
}

/** Options of `loadDatasetDirectory`. */
export interface DirectoryLoadOptions<S extends SplitSelection> {
  /** Default 'both'. */
  readonly splits?: S;
}

/** The standard MNIST file names (Fashion-MNIST uses the same), each read raw or with `.gz`. */
export const DATASET_FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;

type SplitName = keyof typeof DATASET_FILES;

/** The path of a standard file in `dir`: the raw file if present (no inflating), else the .gz. */
function findDatasetFile(dir: string, name: string): string | undefined {
  return [join(dir, name), join(dir, `${name}.gz`)].find((path) => existsSync(path));
}

/** True when `dir` holds all four standard files (raw or gzipped): a complete data set. */
export function hasDatasetFiles(dir: string): boolean {
  return Object.values(DATASET_FILES).every(
    (files) =>
      findDatasetFile(dir, files.images) !== undefined &&
      findDatasetFile(dir, files.labels) !== undefined,
  );
}

/** Refuses a missing path or a file where a data directory should be. */
function checkDirectory(dir: string): void {
  const stats = statSync(dir, { throwIfNoEntry: false });
  if (stats === undefined) {
    throw new MnnError(`data directory ${dir} does not exist`, {
      hint: 'download a data set into it',
      option: 'directory',
    });
  }
  if (!stats.isDirectory()) {
    throw new MnnError(`${dir} is a file, not a data directory`, {
      hint: 'give the directory holding the IDX files',
      option: 'data',
    });
  }
}

/** Reads one standard file of `dir`; a missing file is an MnnError naming it and the directory. */
function readDatasetFile(dir: string, name: string): { data: IdxData; path: string } {
  const path = findDatasetFile(dir, name);
  if (path === undefined) {
    throw new MnnError(`data directory ${dir} has no ${name} (nor ${name}.gz)`, {
      hint: 'download the data set into it',
      option: 'directory',
    });
  }
  return { data: readIdx(path), path };
}

/** The MnnError for a standard file holding labels where images belong, or the reverse. */
function wrongKindError(path: string, found: string, expected: string): MnnError {
  return new MnnError(`${path}: holds ${found} where ${expected} were expected`, {
    hint: 'the file is misnamed; download the data set again',
    option: 'force',
  });
}

/** Reads a standard image file of `dir`. */
function readImages(dir: string, name: string): IdxImages & { path: string } {
  const { data, path } = readDatasetFile(dir, name);
  if (data.kind !== 'images') throw wrongKindError(path, data.kind, 'images');
  return { ...data, path };
}

/** Reads a standard label file of `dir`. */
function readLabels(dir: string, name: string): IdxLabels & { path: string } {
  const { data, path } = readDatasetFile(dir, name);
  if (data.kind !== 'labels') throw wrongKindError(path, data.kind, 'labels');
  return { ...data, path };
}

/** Loads one split's image and label files and checks that they describe the same samples. */
function loadSplit(dir: string, split: SplitName): Dataset {
  const images = readImages(dir, DATASET_FILES[split].images);
  const labels = readLabels(dir, DATASET_FILES[split].labels);
  if (images.count !== labels.count) {
    throw new MnnError(
      `data directory ${dir}: ${images.path} holds ${images.count} images but ${labels.path} holds ` +
        `${labels.count} labels`,
      { hint: 'they do not belong together; download the data set again', option: 'force' },
    );
  }
  return {
    images: images.pixels,
    labels: labels.labels,
    count: images.count,
    rows: images.rows,
    cols: images.cols,
  };
}

/** Refuses train and test images of different sizes: one network cannot take both. */
function checkSameImageSize(dir: string, train: Dataset, test: Dataset): void {
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new MnnError(
      `data directory ${dir}: training images are ${train.rows}×${train.cols} but test images are ` +
        `${test.rows}×${test.cols}; both splits must come from the same data set`,
    );
  }
}

/**
 * Loads the standard MNIST-format files of `dir` (raw or .gz), only the splits asked for.
 * Throws an MnnError for a missing directory or file, mismatched counts or image sizes.
 */
export function loadDatasetDirectory(dir: string, options?: DirectoryLoadOptions<'both'>): DataSplits;
export function loadDatasetDirectory(dir: string, options: DirectoryLoadOptions<'train'>): TrainSplit;
export function loadDatasetDirectory(dir: string, options: DirectoryLoadOptions<'test'>): TestSplit;
export function loadDatasetDirectory(
  dir: string,
  options: DirectoryLoadOptions<SplitSelection>,
): SelectedSplits;
export function loadDatasetDirectory(
  dir: string,
  options: DirectoryLoadOptions<SplitSelection> = {},
): SelectedSplits {
  const splits = options.splits ?? 'both';
  checkDirectory(dir);
  const train = splits === 'test' ? undefined : loadSplit(dir, 'train');
  const test = splits === 'train' ? undefined : loadSplit(dir, 'test');
  if (train !== undefined && test !== undefined) checkSameImageSize(dir, train, test);
  return { ...(train && { train }), ...(test && { test }), name: dir };
}
