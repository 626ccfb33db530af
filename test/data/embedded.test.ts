import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSplits } from '../../src/data/dataset.js';
import {
  EMBEDDED_CACHE_FILE,
  embeddedDigitsDirectory,
  loadEmbedded,
} from '../../src/data/embedded.js';

const PIXELS = 784;
const DIGIT_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

let cacheDir: string;
let cachePath: string;
/** One fresh parse of the package's JSON (it also writes the cache), shared by every test. */
let fresh: DataSplits;
/** The cache file as that first load wrote it. */
let cacheBytes: Buffer;

beforeAll(() => {
  cacheDir = mkdtempSync(join(tmpdir(), 'mnn-embedded-'));
  cachePath = join(cacheDir, EMBEDDED_CACHE_FILE);
  fresh = loadEmbedded({ cacheDir });
  cacheBytes = readFileSync(cachePath);
});

afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

/** One digit's images as the package stores them: 784 values in [0, 1] per image. */
function packageImages(digit: number): number[] {
  const path = join(embeddedDigitsDirectory(), `${digit}.json`);
  return (JSON.parse(readFileSync(path, 'utf8')) as { data: number[] }).data;
}

/** Image `index` of a package digit, converted the documented way: Math.round(v·255). */
function packageImageBytes(values: number[], index: number): number[] {
  return values.slice(index * PIXELS, (index + 1) * PIXELS).map((v) => Math.round(v * 255));
}

/** Image `index` of a split, as plain numbers. */
function imageOf(splits: DataSplits, split: 'train' | 'test', index: number): number[] {
  return Array.from(splits[split].images.subarray(index * PIXELS, (index + 1) * PIXELS));
}

/** Byte-for-byte equality of two data sets (toEqual walks 6 million elements far too slowly). */
function expectSameSplits(actual: DataSplits, expected: DataSplits): void {
  expect(actual.name).toBe(expected.name);
  for (const split of ['train', 'test'] as const) {
    const { images, labels, ...sizes } = actual[split];
    const { images: expectedImages, labels: expectedLabels, ...expectedSizes } = expected[split];
    expect(sizes).toEqual(expectedSizes);
    expect(Buffer.from(images.buffer, images.byteOffset, images.length).equals(expectedImages)).toBe(true);
    expect(Buffer.from(labels.buffer, labels.byteOffset, labels.length).equals(expectedLabels)).toBe(true);
  }
}

/** How many samples of each digit a label array holds. */
function digitCounts(labels: Uint8Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const label of labels) counts[label]++;
  return counts;
}

describe('loadEmbedded: the fixed split', () => {
  it('has 8000 training and 2000 test images of 28×28, named embedded', () => {
    expect(fresh.name).toBe('embedded');
    for (const [split, count] of [
      ['train', 8000],
      ['test', 2000],
    ] as const) {
      expect(fresh[split]).toMatchObject({ count, rows: 28, cols: 28 });
      expect(fresh[split].images.length).toBe(count * PIXELS);
      expect(fresh[split].labels.length).toBe(count);
    }
  });

  it('puts the first 800 of each digit in training and the rest in test', () => {
    expect(digitCounts(fresh.train.labels)).toEqual(new Array(10).fill(800));
    expect(digitCounts(fresh.test.labels)).toEqual(DIGIT_COUNTS.map((n) => n - 800));
  });

  it('interleaves the digits: training label i is i mod 10', () => {
    expect(Array.from(fresh.train.labels).every((label, i) => label === i % 10)).toBe(true);
  });

  it('matches the package JSON pixel for pixel at spot checks', () => {
    const three = packageImages(3);
    // Training sample 10k + d is sample k of digit d.
    expect(imageOf(fresh, 'train', 3)).toEqual(packageImageBytes(three, 0));
    expect(imageOf(fresh, 'train', 10 * 517 + 3)).toEqual(packageImageBytes(three, 517));
    // Test sample 10k + d is sample 800 + k of digit d while every digit has samples left.
    expect(imageOf(fresh, 'test', 10 * 40 + 3)).toEqual(packageImageBytes(three, 840));
    expect(fresh.test.labels[10 * 40 + 3]).toBe(3);
    // Digit 1 has the most samples, so the last test image is its last one.
    const one = packageImages(1);
    expect(imageOf(fresh, 'test', 1999)).toEqual(packageImageBytes(one, 1126));
    expect(fresh.test.labels[1999]).toBe(1);
  });

  it('holds real digit images, not blank bytes', () => {
    const inked = fresh.train.images.subarray(0, PIXELS).filter((v) => v > 128).length;
    expect(inked).toBeGreaterThan(30);
    expect(Math.max(...fresh.test.images.subarray(0, PIXELS))).toBe(255);
  });
});

describe('loadEmbedded: the binary cache', () => {
  it('reads a second load from the cache, equal to the fresh parse', () => {
    const inode = statSync(cachePath).ino;
    const cached = loadEmbedded({ cacheDir });
    expect(statSync(cachePath).ino).toBe(inode); // not rewritten: it was a hit
    expectSameSplits(cached, fresh);
  });

  it('parses without a cache directory, giving the same data', () => {
    expectSameSplits(loadEmbedded(), fresh);
  });

  it('silently rebuilds a corrupt, truncated or stale cache', () => {
    const flipped = Buffer.from(cacheBytes);
    flipped[cacheBytes.length - 5000] ^= 0x40;
    const staleVersion = Buffer.from(cacheBytes);
    staleVersion.writeUInt32LE(99, 8);
    const damaged = [flipped, cacheBytes.subarray(0, 100_000), staleVersion, Buffer.from('junk')];
    for (const bytes of damaged) {
      writeFileSync(cachePath, bytes);
      const inode = statSync(cachePath).ino;
      expectSameSplits(loadEmbedded({ cacheDir }), fresh);
      expect(statSync(cachePath).ino).not.toBe(inode); // rewritten atomically
      expect(readFileSync(cachePath).equals(cacheBytes)).toBe(true);
    }
  });

  it('loads without error when the cache directory cannot be created', () => {
    const blocker = join(cacheDir, 'a-file');
    writeFileSync(blocker, 'not a directory');
    expectSameSplits(loadEmbedded({ cacheDir: join(blocker, 'cache') }), fresh);
  });
});

describe('embeddedDigitsDirectory', () => {
  it('finds the package from the built dist/ too', async () => {
    const url = new URL('../../dist/data/embedded.js', import.meta.url).href;
    const built = (await import(url)) as { embeddedDigitsDirectory: () => string };
    expect(built.embeddedDigitsDirectory()).toBe(embeddedDigitsDirectory());
    expect(statSync(join(built.embeddedDigitsDirectory(), '9.json')).isFile()).toBe(true);
  });
});
