import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { readRegularFile } from '../io/bounded-read.js';
import { DATASET_SHA256 } from './fetch.js';
import { DATASET_NAMES, type DatasetName } from './labels.js';
import type { DataSource } from './source.js';

/** The file whose digest tells the fetched data sets apart (the smallest of the four). */
const FINGERPRINT_FILE = 't10k-labels-idx1-ubyte.gz';

/** The known data set whose fetched file has the digest of `directory`'s, if any. */
function datasetByDigest(
  directory: string,
  digests: Readonly<Record<DatasetName, Readonly<Record<string, string>>>>,
): DatasetName | undefined {
  let bytes: Buffer;
  try {
    bytes = readRegularFile(join(directory, FINGERPRINT_FILE), { what: 'file', maxBytes: 1 << 16 });
  } catch {
    return undefined; // not there (raw files only), or not readable: no fingerprint
  }
  const digest = createHash('sha256').update(bytes).digest('hex');
  return DATASET_NAMES.find((name) => digests[name][FINGERPRINT_FILE] === digest);
}

/** The known data set a directory's path names ("fashion" before "mnist"), if any. */
function datasetByName(directory: string): DatasetName | undefined {
  if (/fashion/i.test(directory)) return 'fashion';
  return /mnist/i.test(directory) ? 'mnist' : undefined;
}

/**
 * Which known data set (and so which class names) a source holds: the packaged one is MNIST;
 * a directory is known by the digest of its test labels as fetched (.gz), else by its path
 * ("fashion" or "mnist" in it). Undefined when it cannot be told.
 */
export function knownDataset(
  source: DataSource,
  digests: Readonly<Record<DatasetName, Readonly<Record<string, string>>>> = DATASET_SHA256,
): DatasetName | undefined {
  if (source.kind === 'packaged') return 'mnist';
  return datasetByDigest(source.directory, digests) ?? datasetByName(source.directory);
}
