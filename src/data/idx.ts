import { constants as bufferConstants } from 'node:buffer';
import { constants as zlibConstants, gunzipSync, gzipSync } from 'node:zlib';
import { MnnError } from '../errors.js';
import { readRegularFile } from '../io/bounded-read.js';
import { writeFileAtomic } from '../io/atomic-write.js';

/** An IDX image file: `count` images of rows × cols unsigned bytes, row-major, one after another. */
export interface IdxImages {
  readonly kind: 'images';
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  /** count × rows·cols bytes. */
  readonly pixels: Uint8Array;
}

/** An IDX label file: `count` class indices 0–9. */
export interface IdxLabels {
  readonly kind: 'labels';
  readonly count: number;
  readonly labels: Uint8Array;
}

/** The contents of one IDX file, as read by `parseIdx` or written by `serializeIdx`. */
export type IdxData = IdxImages | IdxLabels;

/** How `serializeIdx` and `writeIdx` encode the file. */
export interface IdxWriteOptions {
  /** Gzip the whole file, as the MNIST mirrors serve it. */
  readonly gzip?: boolean;
}

/** The largest image side accepted; real sets are 28 (MNIST) to a few hundred pixels. */
export const MAX_IMAGE_SIDE = 4096;
/**
 * The most bytes one IDX file may hold once decompressed (checked from its header, before
 * anything is allocated or inflated): 256 MiB, about 340 000 MNIST images, 5.7 times MNIST's
 * training set. Larger sets would not fit in memory for training anyway.
 */
export const MAX_IDX_PAYLOAD_BYTES = 256 * 1024 * 1024;

const UNSIGNED_BYTE = 0x08;
/** Most bytes inflated while looking for the header of a gzipped file. */
const HEADER_PROBE_LIMIT = 1 << 24;
const LABEL_DIMENSIONS = 1;
const IMAGE_DIMENSIONS = 3;
/** What to do about a damaged or unexpected data file, in plain words (the CLI names the flag). */
const REFETCH: Advice = { hint: 'download the data set again', option: 'force' };
/** The names of the IDX data types mnn refuses (0x08, unsigned byte, is the one it reads). */
const REFUSED_TYPE_NAMES: Readonly<Record<number, string>> = {
  0x09: 'signed byte',
  0x0b: 'short',
  0x0c: 'int',
  0x0d: 'float',
  0x0e: 'double',
};

/** What to do about an error: plain words, and the library option that does it when there is one. */
interface Advice {
  readonly hint: string;
  readonly option?: string;
}

/** The MnnError for a bad IDX file: names the file, says what is wrong and what to do. */
function idxError(fileName: string, problem: string, advice: Advice = REFETCH): MnnError {
  return new MnnError(`${fileName}: ${problem}`, advice);
}

/** Formats bytes as hex pairs ("00 00 08 03") for messages about headers. */
function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(' ');
}

/** Gzip streams start with the magic bytes 1f 8b (RFC 1952); file names are not trusted. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b; // past the end: undefined, so false
}

/** The parsed, validated header of an IDX file. */
interface IdxHeader {
  readonly kind: IdxData['kind'];
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  /** Header size in bytes: 4 (magic) + 4 per dimension. */
  readonly headerBytes: number;
  /** Payload size the header announces, exact even when it exceeds 2⁵³. */
  readonly payloadBytes: bigint;
}

/** What the header announces, in words ("60000 images of 28×28"). */
function describeHeader(header: IdxHeader): string {
  return header.kind === 'images'
    ? `${header.count} images of ${header.rows}×${header.cols}`
    : `${header.count} labels`;
}

/**
 * Reads and validates the IDX header at the start of `bytes` (the decompressed file, or at least
 * its first 16 bytes): magic 00 00 08 01 (labels) or 00 00 08 03 (images), sane dimensions.
 */
function parseHeader(bytes: Uint8Array, fileName: string): IdxHeader {
  if (bytes.length === 0) throw idxError(fileName, 'file is empty');
  if (bytes.length < 4) {
    throw idxError(fileName, `file is truncated: ${bytes.length} bytes is too short for an IDX header`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw idxError(
      fileName,
      `not an IDX file: it starts with ${hexBytes(bytes.subarray(0, 4))}, an IDX file with ` +
        'MNIST images or labels starts with 00 00 08 03 or 00 00 08 01',
      { hint: 'check the path, or download the data set again', option: 'force' },
    );
  }
  const dataType = bytes[2];
  if (dataType !== UNSIGNED_BYTE) {
    const name = REFUSED_TYPE_NAMES[dataType] ?? 'unknown';
    throw idxError(
      fileName,
      `IDX data type is 0x${dataType.toString(16).padStart(2, '0')} (${name}), ` +
        'but mnn reads only unsigned bytes (0x08) as in MNIST',
      { hint: 'convert the file to unsigned bytes, or use the original MNIST-format files' },
    );
  }
  const dimensions = bytes[3];
  if (dimensions !== LABEL_DIMENSIONS && dimensions !== IMAGE_DIMENSIONS) {
    throw idxError(
      fileName,
      `IDX file has ${dimensions} dimensions, but mnn reads labels (1 dimension, magic 0x00000801) ` +
        'or images (3 dimensions, magic 0x00000803)',
      { hint: 'use the MNIST-format image and label files' },
    );
  }
  const headerBytes = 4 + 4 * dimensions;
  if (bytes.length < headerBytes) {
    throw idxError(
      fileName,
      `file is truncated: ${bytes.length} bytes is too short for its ${headerBytes}-byte IDX header`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, headerBytes);
  const count = view.getUint32(4); // IDX sizes are big-endian
  const rows = dimensions === IMAGE_DIMENSIONS ? view.getUint32(8) : 1;
  const cols = dimensions === IMAGE_DIMENSIONS ? view.getUint32(12) : 1;
  const kind = dimensions === IMAGE_DIMENSIONS ? 'images' : 'labels';
  if (count === 0) {
    throw idxError(fileName, `header says the file holds 0 ${kind}; a data file needs at least one`);
  }
  if (rows < 1 || cols < 1 || rows > MAX_IMAGE_SIDE || cols > MAX_IMAGE_SIDE) {
    throw idxError(
      fileName,
      `header says images are ${rows}×${cols}, but each side must be 1 to ${MAX_IMAGE_SIDE} pixels`,
    );
  }
  // BigInt: count·rows·cols can reach 2⁵⁶, beyond the integers a double holds exactly.
  const payloadBytes = BigInt(count) * BigInt(rows) * BigInt(cols);
  const header: IdxHeader = { kind, count, rows, cols, headerBytes, payloadBytes };
  if (payloadBytes > BigInt(MAX_IDX_PAYLOAD_BYTES)) {
    throw new MnnError(
      `${fileName}: ${announced(header)}, over the limit of ${MAX_IDX_PAYLOAD_BYTES} bytes for one file`,
      { kind: 'limit', hint: 'use a smaller data set (or split it)' },
    );
  }
  return header;
}

/** The "header says … (N bytes) but …" clause shared by the length errors. */
function announced(header: IdxHeader): string {
  return `header says ${describeHeader(header)} (${header.payloadBytes} bytes)`;
}

/** Refuses a file whose payload length differs from what its header announces. */
function checkLength(header: IdxHeader, fileLength: number, fileName: string): void {
  const actual = BigInt(fileLength - header.headerBytes);
  if (actual < header.payloadBytes) {
    throw idxError(fileName, `file is truncated: ${announced(header)} but only ${actual} bytes follow`);
  }
  if (actual > header.payloadBytes) {
    throw idxError(
      fileName,
      `file has ${actual - header.payloadBytes} trailing bytes: ${announced(header)} but ${actual} bytes follow`,
    );
  }
}

/**
 * Decompresses just enough of a gzip stream to read the IDX header. Z_SYNC_FLUSH makes zlib
 * return what a prefix decodes to instead of failing on the missing end.
 */
function gunzipHeader(bytes: Uint8Array, fileName: string): Uint8Array {
  for (let prefix = 1024; ; prefix *= 2) {
    const end = Math.min(prefix, bytes.length);
    let start: Uint8Array;
    try {
      start = gunzipOrFail(bytes.subarray(0, end), fileName, {
        finishFlush: zlibConstants.Z_SYNC_FLUSH,
        maxOutputLength: HEADER_PROBE_LIMIT,
      });
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      // Only a crafted stream yields under 16 bytes for one prefix and megabytes for the next.
      throw idxError(fileName, 'gzip data does not decompress like an IDX file');
    }
    if (start.length >= 16 || end === bytes.length) return start;
  }
}

/** gunzipSync, turning zlib failures into an MnnError naming the file. */
function gunzipOrFail(
  bytes: Uint8Array,
  fileName: string,
  options: { finishFlush?: number; maxOutputLength: number },
): Buffer {
  try {
    return gunzipSync(bytes, options);
  } catch (error) {
    if (error instanceof RangeError) throw error; // maxOutputLength: the caller words it
    throw idxError(fileName, `gzip data is corrupt or cut short (${(error as Error).message})`);
  }
}

/**
 * Decompresses a gzipped IDX file, refusing to inflate more than its header announces (plus one
 * byte, to detect trailing data), so a gzip bomb costs no more memory than an honest file.
 */
function gunzipIdx(bytes: Uint8Array, fileName: string): Uint8Array {
  const header = parseHeader(gunzipHeader(bytes, fileName), fileName);
  const expected = BigInt(header.headerBytes) + header.payloadBytes;
  if (expected >= BigInt(bufferConstants.MAX_LENGTH)) {
    throw idxError(
      fileName,
      `${announced(header)}, more than one file can hold in memory (${bufferConstants.MAX_LENGTH} bytes)`,
    );
  }
  try {
    // Z_SYNC_FLUSH: a cut-short download inflates to what it holds, so checkLength can say how much.
    return gunzipOrFail(bytes, fileName, {
      finishFlush: zlibConstants.Z_SYNC_FLUSH,
      maxOutputLength: Number(expected) + 1,
    });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw idxError(
      fileName,
      `file has trailing bytes: ${announced(header)} but it decompresses to more than that`,
    );
  }
}

/** A plain Uint8Array view (not a pooled Buffer) of `length` bytes at `offset`. */
function view(bytes: Uint8Array, offset: number, length: number): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset + offset, length);
}

/** Refuses labels outside 0–9: every network mnn trains has ten outputs. */
function checkLabels(labels: Uint8Array, fileName: string): void {
  const index = labels.findIndex((label) => label > 9);
  if (index >= 0) {
    throw idxError(
      fileName,
      `label ${labels[index]} at index ${index} is not a digit 0–9 (mnn trains 10-class classifiers)`,
      { hint: 'use a data set with labels 0–9' },
    );
  }
}

/**
 * Parses an IDX file (raw or gzipped, told apart by content) into images or labels, validating
 * header, exact length and labels. Throws an MnnError naming `fileName` on any problem.
 */
export function parseIdx(bytes: Uint8Array, fileName: string): IdxData {
  const contents = isGzip(bytes) ? gunzipIdx(bytes, fileName) : bytes;
  const header = parseHeader(contents, fileName);
  checkLength(header, contents.length, fileName);
  const payload = view(contents, header.headerBytes, Number(header.payloadBytes));
  if (header.kind === 'images') {
    const { count, rows, cols } = header;
    return { kind: 'images', count, rows, cols, pixels: payload };
  }
  checkLabels(payload, fileName);
  return { kind: 'labels', count: header.count, labels: payload };
}

/** Reads and parses the IDX file at `path`; a missing or unreadable file is an MnnError naming it. */
export function readIdx(path: string): IdxData {
  const bytes = readRegularFile(path, {
    what: 'IDX file',
    // A raw file holds a header (at most 16 bytes) and the payload; a gzipped one is smaller.
    maxBytes: MAX_IDX_PAYLOAD_BYTES + 16,
    missingHint: 'check the path, or download the data set',
    missingOption: 'directory',
  });
  return parseIdx(bytes, path);
}

/** Checks that the announced sizes match the arrays, so a written file always parses back. */
function checkSerializable(value: IdxData): void {
  const length = value.kind === 'images' ? value.pixels.length : value.labels.length;
  const expected = value.kind === 'images' ? value.count * value.rows * value.cols : value.count;
  if (length !== expected) {
    throw new RangeError(`IDX ${value.kind}: count and sizes announce ${expected} bytes, got ${length}`);
  }
}

/** Encodes images or labels as an IDX file (big-endian header, then the bytes), gzipped if asked. */
export function serializeIdx(value: IdxData, options: IdxWriteOptions = {}): Uint8Array {
  checkSerializable(value);
  const dimensions = value.kind === 'images' ? [value.count, value.rows, value.cols] : [value.count];
  const payload = value.kind === 'images' ? value.pixels : value.labels;
  const headerBytes = 4 + 4 * dimensions.length;
  const file = new Uint8Array(headerBytes + payload.length);
  const header = new DataView(file.buffer);
  header.setUint8(2, UNSIGNED_BYTE);
  header.setUint8(3, dimensions.length);
  dimensions.forEach((size, i) => header.setUint32(4 + 4 * i, size));
  file.set(payload, headerBytes);
  return options.gzip ? new Uint8Array(gzipSync(file)) : file;
}

/** Writes images or labels to `path` as an IDX file, atomically (see writeFileAtomic). */
export function writeIdx(path: string, value: IdxData, options: IdxWriteOptions = {}): void {
  writeFileAtomic(path, serializeIdx(value, options));
}
