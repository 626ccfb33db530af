import { join, resolve } from 'node:path';
import type { DataSplits } from './dataset.js';
import { hasDatasetFiles, loadDatasetDirectory } from './directory.js';
import { loadEmbedded } from './embedded.js';
import type { DatasetName } from './labels.js';

/** Where data lives by default, relative to the working directory. */
const DATA_DIRECTORY = 'data';
/** Where each named data set is fetched to and looked for: data/mnist, data/fashion. */
export const DEFAULT_DATA_DIRECTORIES: Readonly<Record<DatasetName, string>> = {
  mnist: join(DATA_DIRECTORY, 'mnist'),
  fashion: join(DATA_DIRECTORY, 'fashion'),
};
/** Where the converted embedded digits are cached. */
export const EMBEDDED_CACHE_DIRECTORY = DATA_DIRECTORY;

/** A data set to load: the embedded digits, or a directory of the four IDX files. */
export type DataSource = { readonly kind: 'embedded' } | { readonly kind: 'directory'; readonly directory: string };

/**
 * Turns a `--data` value into a source: "embedded", "mnist" or "fashion" (the directories `mnn
 * fetch` fills), or any directory path. Without a value: data/mnist when it holds the four
 * files, else the embedded digits.
 */
export function resolveDataSource(option: string | undefined): DataSource {
  if (option === undefined) {
    return hasDatasetFiles(DEFAULT_DATA_DIRECTORIES.mnist)
      ? { kind: 'directory', directory: resolve(DEFAULT_DATA_DIRECTORIES.mnist) }
      : { kind: 'embedded' };
  }
  if (option === 'embedded') return { kind: 'embedded' };
  if (option === 'mnist' || option === 'fashion') {
    return { kind: 'directory', directory: resolve(DEFAULT_DATA_DIRECTORIES[option]) };
  }
  return { kind: 'directory', directory: resolve(option) };
}

/** The name a model file records for a source: "embedded" or the directory's absolute path. */
export function dataSourceName(source: DataSource): string {
  return source.kind === 'embedded' ? 'embedded' : source.directory;
}

/** The source a model file's recorded name stands for. */
export function dataSourceFromName(name: string): DataSource {
  return name === 'embedded' ? { kind: 'embedded' } : { kind: 'directory', directory: name };
}

/** Loads the splits a command needs from a source. */
export function loadDataSource(source: DataSource, splits: 'both' | 'train' | 'test'): Partial<DataSplits> & { name: string } {
  if (source.kind === 'embedded') return loadEmbedded({ cacheDir: EMBEDDED_CACHE_DIRECTORY });
  return loadDatasetDirectory(source.directory, { splits });
}
