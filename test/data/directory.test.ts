import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATASET_FILES, hasDatasetFiles, loadDatasetDirectory } from '../../src/data/directory.js';
import { writeIdx } from '../../src/data/idx.js';
import type { IdxImages, IdxLabels } from '../../src/data/idx.js';
import { expectMnnError, randomImages, randomLabels, temporaryDirectory } from '../helpers/data-files.js';

interface Fixture {
  readonly dir: string;
  readonly trainImages: IdxImages;
  readonly trainLabels: IdxLabels;
  readonly testImages: IdxImages;
  readonly testLabels: IdxLabels;
}

/** Writes a small four-file data set (12 train, 5 test samples of 4×3) into a fresh directory. */
function writeFixture({ gzip }: { gzip: boolean }): Fixture {
  const dir = temporaryDirectory();
  const fixture = {
    dir,
    trainImages: randomImages(12, 4, 3, 1),
    trainLabels: randomLabels(12, 2),
    testImages: randomImages(5, 4, 3, 3),
    testLabels: randomLabels(5, 4),
  };
  const suffix = gzip ? '.gz' : '';
  writeIdx(join(dir, DATASET_FILES.train.images + suffix), fixture.trainImages, { gzip });
  writeIdx(join(dir, DATASET_FILES.train.labels + suffix), fixture.trainLabels, { gzip });
  writeIdx(join(dir, DATASET_FILES.test.images + suffix), fixture.testImages, { gzip });
  writeIdx(join(dir, DATASET_FILES.test.labels + suffix), fixture.testLabels, { gzip });
  return fixture;
}

describe('loadDatasetDirectory', () => {
  for (const gzip of [false, true]) {
    it(`loads both splits from ${gzip ? 'gzipped' : 'raw'} files`, () => {
      const fixture = writeFixture({ gzip });
      const splits = loadDatasetDirectory(fixture.dir);
      expect(splits.name).toBe(fixture.dir);
      expect(splits.train).toEqual({
        images: fixture.trainImages.pixels,
        labels: fixture.trainLabels.labels,
        count: 12,
        rows: 4,
        cols: 3,
      });
      expect(splits.test.count).toBe(5);
      expect(splits.test.images).toEqual(fixture.testImages.pixels);
      expect(splits.test.labels).toEqual(fixture.testLabels.labels);
    });
  }

  it('loads a mix of raw and gzipped files', () => {
    const fixture = writeFixture({ gzip: true });
    const name = DATASET_FILES.test.labels;
    rmSync(join(fixture.dir, `${name}.gz`));
    writeIdx(join(fixture.dir, name), fixture.testLabels);
    expect(loadDatasetDirectory(fixture.dir).test.labels).toEqual(fixture.testLabels.labels);
  });

  it('loads only the test split when asked, needing only the two t10k files', () => {
    const fixture = writeFixture({ gzip: false });
    rmSync(join(fixture.dir, DATASET_FILES.train.images));
    const splits = loadDatasetDirectory(fixture.dir, { splits: 'test' });
    expect(splits.test.count).toBe(5);
    expect('train' in splits).toBe(false);
  });

  it('loads only the training split when asked', () => {
    const fixture = writeFixture({ gzip: false });
    rmSync(join(fixture.dir, DATASET_FILES.test.labels));
    const splits = loadDatasetDirectory(fixture.dir, { splits: 'train' });
    expect(splits.train.count).toBe(12);
    expect('test' in splits).toBe(false);
  });

  it('names a missing file and its directory, and suggests downloading the data set', () => {
    const fixture = writeFixture({ gzip: true });
    rmSync(join(fixture.dir, `${DATASET_FILES.train.labels}.gz`));
    const error = expectMnnError(
      () => loadDatasetDirectory(fixture.dir),
      fixture.dir,
      'train-labels-idx1-ubyte',
    );
    expect([error.hint, error.option]).toEqual(['download the data set into it', 'directory']);
  });

  it('refuses a missing directory and a file given as the directory', () => {
    const dir = join(temporaryDirectory(), 'absent');
    const error = expectMnnError(() => loadDatasetDirectory(dir), dir, 'does not exist');
    expect([error.hint, error.option]).toEqual(['download a data set into it', 'directory']);
    const file = join(temporaryDirectory(), 'a-file');
    writeFileSync(file, 'x');
    expectMnnError(() => loadDatasetDirectory(file), file, 'not a data directory');
  });

  it('refuses image and label files with different counts, naming both', () => {
    const fixture = writeFixture({ gzip: false });
    writeIdx(join(fixture.dir, DATASET_FILES.test.labels), randomLabels(6));
    expectMnnError(
      () => loadDatasetDirectory(fixture.dir),
      't10k-images-idx3-ubyte holds 5 images',
      't10k-labels-idx1-ubyte holds 6 labels',
    );
  });

  it('refuses train and test images of different sizes', () => {
    const fixture = writeFixture({ gzip: false });
    writeIdx(join(fixture.dir, DATASET_FILES.test.images), randomImages(5, 3, 4));
    expectMnnError(() => loadDatasetDirectory(fixture.dir), '4×3', '3×4');
  });

  it('refuses labels stored where images belong', () => {
    const fixture = writeFixture({ gzip: false });
    writeIdx(join(fixture.dir, DATASET_FILES.train.images), randomLabels(12));
    expectMnnError(
      () => loadDatasetDirectory(fixture.dir),
      'train-images-idx3-ubyte: holds labels where images were expected',
    );
  });

  it('passes on the file name in IDX errors', () => {
    const fixture = writeFixture({ gzip: false });
    writeFileSync(join(fixture.dir, DATASET_FILES.test.images), Uint8Array.of(0, 0, 8, 3, 0));
    expectMnnError(
      () => loadDatasetDirectory(fixture.dir, { splits: 'test' }),
      't10k-images-idx3-ubyte: file is truncated',
    );
  });
});

describe('hasDatasetFiles', () => {
  it('is true only when all four files are present, raw or gzipped', () => {
    const fixture = writeFixture({ gzip: true });
    expect(hasDatasetFiles(fixture.dir)).toBe(true);
    rmSync(join(fixture.dir, `${DATASET_FILES.test.images}.gz`));
    expect(hasDatasetFiles(fixture.dir)).toBe(false);
    expect(hasDatasetFiles(writeFixture({ gzip: false }).dir)).toBe(true);
    expect(hasDatasetFiles(join(fixture.dir, 'absent'))).toBe(false);
  });
});
