/** Issue 9, finding 12: mnn knows which data set (and so which class names) a source holds. */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { knownDataset } from '../../src/data/identify.js';
import { DATASET_SHA256 } from '../../src/data/fetch.js';

const root = mkdtempSync(join(tmpdir(), 'mnn-identify-'));

/** A directory `name` under the scratch root, made on demand. */
function directory(name: string): string {
  const path = join(root, name);
  mkdirSync(path, { recursive: true });
  return path;
}

describe('knownDataset', () => {
  it('knows the packaged data set is MNIST', () => {
    expect(knownDataset({ kind: 'packaged' })).toBe('mnist');
  });

  it('knows a directory by its path: fashion first, then mnist, else nothing', () => {
    expect(knownDataset({ kind: 'directory', directory: directory('data/fashion') })).toBe('fashion');
    expect(knownDataset({ kind: 'directory', directory: directory('fashion-mnist') })).toBe('fashion');
    expect(knownDataset({ kind: 'directory', directory: directory('data/mnist') })).toBe('mnist');
    expect(knownDataset({ kind: 'directory', directory: directory('my-set') })).toBeUndefined();
  });

  it('knows a directory by the digest of its fetched test labels, whatever its name', () => {
    const labels = Buffer.from('the test labels as a mirror serves them');
    const digest = createHash('sha256').update(labels).digest('hex');
    const digests = {
      mnist: DATASET_SHA256.mnist,
      fashion: { ...DATASET_SHA256.fashion, 't10k-labels-idx1-ubyte.gz': digest },
    };
    const dir = directory('data/mnist-copy');
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), labels);
    expect(knownDataset({ kind: 'directory', directory: dir }, digests)).toBe('fashion');
  });
});
