import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_IDX_PAYLOAD_BYTES,
  parseIdx,
  readIdx,
  serializeIdx,
  writeIdx,
} from '../../src/data/idx.js';
import type { IdxData } from '../../src/data/idx.js';
import { expectMnnError, randomImages, randomLabels, temporaryDirectory } from '../helpers/data-files.js';

/** A raw IDX header: magic 00 00 type dims, then big-endian u32 sizes. */
function header(dataType: number, sizes: number[]): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * sizes.length);
  const view = new DataView(bytes.buffer);
  view.setUint8(2, dataType);
  view.setUint8(3, sizes.length);
  sizes.forEach((size, i) => view.setUint32(4 + 4 * i, size));
  return bytes;
}

/** `first` followed by `second`. */
function concat(first: Uint8Array, second: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(first.length + second.length);
  bytes.set(first);
  bytes.set(second, first.length);
  return bytes;
}

const gzip = (bytes: Uint8Array): Uint8Array => new Uint8Array(gzipSync(bytes));

describe('parseIdx: valid files', () => {
  it('round-trips images and labels, raw and gzipped', () => {
    const values: IdxData[] = [randomImages(7, 5, 3), randomLabels(11)];
    for (const value of values) {
      for (const gzipped of [false, true]) {
        expect(parseIdx(serializeIdx(value, { gzip: gzipped }), 'f')).toEqual(value);
      }
    }
  });

  it('round-trips any small image set (property, fixed seed)', () => {
    const shape = fc.record({
      count: fc.integer({ min: 1, max: 6 }),
      rows: fc.integer({ min: 1, max: 9 }),
      cols: fc.integer({ min: 1, max: 9 }),
      seed: fc.integer(),
      gzipped: fc.boolean(),
    });
    fc.assert(
      fc.property(shape, ({ count, rows, cols, seed, gzipped }) => {
        const value = randomImages(count, rows, cols, seed);
        expect(parseIdx(serializeIdx(value, { gzip: gzipped }), 'f')).toEqual(value);
      }),
      { seed: 1, numRuns: 60 },
    );
  });

  it('writes the MNIST header bytes: 00 00 08 03 and big-endian sizes', () => {
    const bytes = serializeIdx(randomImages(2, 28, 27));
    expect(Array.from(bytes.subarray(0, 16))).toEqual([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 27]);
    expect(Array.from(serializeIdx(randomLabels(3)).subarray(0, 8))).toEqual([0, 0, 8, 1, 0, 0, 0, 3]);
  });

  it('tells gzip from raw by content, not by file name', () => {
    const dir = temporaryDirectory();
    const images = randomImages(4, 6, 6);
    writeIdx(join(dir, 'gzipped.idx'), images, { gzip: true });
    writeIdx(join(dir, 'raw.gz'), images, { gzip: false });
    expect(readIdx(join(dir, 'gzipped.idx'))).toEqual(images);
    expect(readIdx(join(dir, 'raw.gz'))).toEqual(images);
  });

  it('accepts labels 0 and 9, the ends of the range', () => {
    const bytes = concat(header(8, [2]), Uint8Array.of(0, 9));
    expect(parseIdx(bytes, 'f')).toEqual({ kind: 'labels', count: 2, labels: Uint8Array.of(0, 9) });
  });
});

describe('parseIdx: refused files name the file and say what to do', () => {
  it('refuses an empty file and a short header', () => {
    expectMnnError(() => parseIdx(new Uint8Array(0), 'a/empty'), 'a/empty: ', 'file is empty');
    expectMnnError(() => parseIdx(header(8, [3, 28, 28]).subarray(0, 10), 'h'), 'h: ', 'truncated');
  });

  it('refuses a bad magic number (not an IDX file)', () => {
    const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0);
    expectMnnError(() => parseIdx(png, 'digit.png'), 'digit.png: ', 'not an IDX file', '89 50 4e 47');
  });

  it('refuses a magic number wrong only in its second byte (regression: issue 14)', () => {
    // A valid file of 2 images of 2×2 but for the magic: 00 01 08 03 instead of 00 00 08 03.
    for (const secondByte of [0x01, 0x08, 0xff]) {
      const bytes = concat(header(0x08, [2, 2, 2]), new Uint8Array(8));
      bytes[1] = secondByte;
      const hex = secondByte.toString(16).padStart(2, '0');
      expectMnnError(() => parseIdx(bytes, 'f'), 'f: not an IDX file', `00 ${hex} 08 03`);
    }
  });

  it('refuses data types other than unsigned byte', () => {
    const floats = concat(header(0x0d, [1]), new Uint8Array(4));
    expectMnnError(() => parseIdx(floats, 'f.idx'), 'f.idx: ', '0x0d (float)', 'unsigned bytes');
  });

  it('refuses dimension counts other than 1 and 3', () => {
    const matrix = concat(header(8, [2, 2]), new Uint8Array(4));
    expectMnnError(() => parseIdx(matrix, 'm'), 'm: ', '2 dimensions');
  });

  it('refuses zero samples and image sides of 0 or over 4096', () => {
    expectMnnError(() => parseIdx(header(8, [0]), 'z'), 'z: ', '0 labels');
    expectMnnError(() => parseIdx(header(8, [1, 0, 28]), 'r'), 'r: ', '0×28');
    expectMnnError(() => parseIdx(header(8, [1, 28, 5000]), 'c'), 'c: ', '28×5000', '4096');
  });

  it('refuses a truncated raw file, giving the announced and actual sizes', () => {
    const bytes = serializeIdx(randomImages(3, 4, 5)).subarray(0, 16 + 59);
    const error = expectMnnError(
      () => parseIdx(bytes, 'dir/train-images-idx3-ubyte'),
      'dir/train-images-idx3-ubyte: file is truncated: header says 3 images of 4×5 (60 bytes) ' +
        'but only 59 bytes follow',
    );
    expect([error.hint, error.option]).toEqual(['download the data set again', 'force']);
  });

  it('refuses a gzipped file whose content is truncated, and a cut-short gzip stream', () => {
    const raw = serializeIdx(randomImages(300, 28, 28));
    expectMnnError(() => parseIdx(gzip(raw.subarray(0, 1000)), 'x.gz'), 'x.gz: ', 'only 984 bytes follow');
    const stream = gzip(raw);
    expectMnnError(() => parseIdx(stream.subarray(0, stream.length - 4000), 'y.gz'), 'y.gz: ', 'truncated');
  });

  it('refuses trailing bytes, raw and gzipped', () => {
    const bytes = concat(serializeIdx(randomLabels(5)), Uint8Array.of(1, 2));
    expectMnnError(() => parseIdx(bytes, 'raw'), 'raw: ', '2 trailing bytes');
    expectMnnError(() => parseIdx(gzip(bytes), 'gz'), 'gz: ', 'trailing bytes');
  });

  it('refuses a gzip bomb after inflating only what the header announces', () => {
    const bomb = gzip(concat(header(8, [10]), new Uint8Array(16 << 20)));
    const error = expectMnnError(() => parseIdx(bomb, 'bomb.gz'), 'bomb.gz: ', 'trailing bytes');
    // Stopping early means the reader never learns the full 16 MiB size.
    expect(error.message).toContain('decompresses to more than that');
    expect(error.message).not.toContain(String(16 << 20));
  });

  it('refuses a header claiming 2³²−1 samples without allocating them', () => {
    const claim = header(8, [0xffffffff, 4096, 4096]);
    const before = process.memoryUsage().arrayBuffers;
    const limit = `over the limit of ${MAX_IDX_PAYLOAD_BYTES} bytes for one file`;
    expectMnnError(() => parseIdx(claim, 'huge'), 'huge: ', '(72057594021150720 bytes)', limit);
    expectMnnError(() => parseIdx(gzip(claim), 'huge.gz'), 'huge.gz: ', limit);
    expectMnnError(() => parseIdx(header(8, [0xffffffff]), 'labels'), '4294967295 labels');
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 << 20);
  });

  it('refuses a label outside 0–9, saying where it is', () => {
    const bytes = concat(header(8, [4]), Uint8Array.of(3, 9, 10, 1));
    expectMnnError(() => parseIdx(bytes, 'l'), 'l: ', 'label 10 at index 2');
  });

  it('refuses corrupt gzip data (bad checksum)', () => {
    const bytes = gzip(serializeIdx(randomLabels(50)));
    bytes[bytes.length - 6] ^= 0xff; // inside the CRC-32 trailer
    expectMnnError(() => parseIdx(bytes, 'c.gz'), 'c.gz: ', 'gzip data is corrupt');
  });
});

describe('parseIdx: each refusal in full', () => {
  it('tells gzip from raw by both magic bytes: 1f 8b (an empty stream), and nothing else', () => {
    expectMnnError(() => parseIdx(Uint8Array.of(0x1f, 0x8b), 'two'), 'two: file is empty');
    for (const bytes of [Uint8Array.of(0x1f, 0, 8, 1, 0, 0, 0, 1, 0), Uint8Array.of(0, 0x8b, 8, 1, 0, 0, 0, 1, 0)]) {
      expectMnnError(() => parseIdx(bytes, 'raw'), 'raw: not an IDX file');
    }
    expectMnnError(() => parseIdx(Uint8Array.of(0x1f), 'one'), 'one: file is truncated: 1 bytes is too short for an IDX header');
  });

  it('refuses a file too short for the magic number, and a header cut inside its sizes', () => {
    expectMnnError(
      () => parseIdx(Uint8Array.of(0, 0, 8), 'three'),
      'three: file is truncated: 3 bytes is too short for an IDX header',
    );
    const cut = new Uint8Array(header(8, [3, 28, 28]).subarray(0, 10));
    const error = expectMnnError(
      () => parseIdx(cut, 'cut'),
      'cut: file is truncated: 10 bytes is too short for its 16-byte IDX header',
    );
    expect([error.hint, error.option]).toEqual(['download the data set again', 'force']);
  });

  it('refuses a magic number wrong only in its first byte, saying what an IDX file starts with', () => {
    const bytes = concat(header(0x08, [2]), Uint8Array.of(1, 2));
    bytes[0] = 0x01;
    const error = expectMnnError(
      () => parseIdx(bytes, 'f'),
      'f: not an IDX file: it starts with 01 00 08 01, an IDX file with MNIST images or labels starts with 00 00 08 03 or 00 00 08 01',
    );
    expect([error.hint, error.option]).toEqual(['check the path, or download the data set again', 'force']);
  });

  it('names each data type it refuses', () => {
    for (const [type, name] of [
      [0x09, 'signed byte'],
      [0x0b, 'short'],
      [0x0c, 'int'],
      [0x0d, 'float'],
      [0x0e, 'double'],
      [0x07, 'unknown'],
    ] as const) {
      const hex = type.toString(16).padStart(2, '0');
      const error = expectMnnError(
        () => parseIdx(concat(header(type, [1]), new Uint8Array(1)), 't'),
        `t: IDX data type is 0x${hex} (${name}), but mnn reads only unsigned bytes (0x08) as in MNIST`,
      );
      expect([error.hint, error.option]).toEqual([
        'convert the file to unsigned bytes, or use the original MNIST-format files',
        undefined,
      ]);
    }
  });

  it('says which dimension counts it reads', () => {
    const error = expectMnnError(
      () => parseIdx(concat(header(8, [2, 2]), new Uint8Array(4)), 'm'),
      'm: IDX file has 2 dimensions, but mnn reads labels (1 dimension, magic 0x00000801) or images (3 dimensions, magic 0x00000803)',
    );
    expect(error.hint).toBe('use the MNIST-format image and label files');
  });

  it('refuses images 0 pixels wide or over 4096 pixels tall', () => {
    const sides = 'but each side must be 1 to 4096 pixels';
    expectMnnError(() => parseIdx(header(8, [1, 28, 0]), 'w'), `w: header says images are 28×0, ${sides}`);
    expectMnnError(() => parseIdx(header(8, [1, 4097, 28]), 'h'), `h: header says images are 4097×28, ${sides}`);
    expect(parseIdx(concat(header(8, [1, 4096, 1]), new Uint8Array(4096)), 'tall')).toMatchObject({
      rows: 4096,
      cols: 1,
    });
  });

  it('counts trailing bytes exactly', () => {
    const bytes = concat(serializeIdx(randomLabels(5)), Uint8Array.of(1, 2));
    expectMnnError(
      () => parseIdx(bytes, 'raw'),
      'raw: file has 2 trailing bytes: header says 5 labels (5 bytes) but 7 bytes follow',
    );
  });

  it('refuses a label above 9 at index 0, saying what data it needs', () => {
    const error = expectMnnError(
      () => parseIdx(concat(header(8, [2]), Uint8Array.of(12, 1)), 'l'),
      'l: label 12 at index 0 is not a digit 0–9 (mnn trains 10-class classifiers)',
    );
    expect([error.hint, error.option]).toEqual(['use a data set with labels 0–9', undefined]);
  });

  it('refuses gzip data corrupt past the part that holds the header', () => {
    const random = randomImages(10, 28, 28);
    const bytes = gzip(serializeIdx(random));
    bytes[5000] ^= 0xff;
    expectMnnError(() => parseIdx(bytes, 'z.gz'), 'z.gz: gzip data is corrupt or cut short (');
  });
});

/** `gzipped` with a file name of `length` bytes in its gzip header (FNAME, RFC 1952). */
function withLongName(gzipped: Uint8Array, length: number): Uint8Array {
  const name = new Uint8Array(length + 1).fill(0x61);
  name[length] = 0; // zero-terminated
  const bytes = concat(concat(gzipped.subarray(0, 10), name), gzipped.subarray(10));
  bytes[3] |= 0x08; // FLG.FNAME
  return bytes;
}

describe('parseIdx: gzip headers of any length', () => {
  it('reads a file whose gzip header alone is longer than the first bytes probed', () => {
    const labels = randomLabels(40);
    const bytes = withLongName(gzip(serializeIdx(labels)), 3000);
    expect(parseIdx(bytes, 'named.gz')).toEqual(labels);
  });

  it('refuses a stream that gives nothing for one prefix and over 16 MiB for the next', () => {
    const bomb = gzip(concat(header(8, [10]), new Uint8Array(40 << 20)));
    const bytes = withLongName(bomb, 40_000);
    expectMnnError(() => parseIdx(bytes, 'crafted.gz'), 'crafted.gz: gzip data does not decompress like an IDX file');
  });
});

describe('readIdx and writeIdx', () => {
  it('says a directory is not a file', () => {
    const path = join(temporaryDirectory(), 'a-directory');
    mkdirSync(path);
    expectMnnError(
      () => readIdx(path),
      `cannot read IDX file ${path}: it is a directory, not a regular file`,
    );
  });

  it('names a missing file and suggests downloading the data set', () => {
    const path = join(temporaryDirectory(), 'nothing-here');
    const error = expectMnnError(() => readIdx(path), path, 'not found');
    expect([error.hint, error.option]).toEqual(['check the path, or download the data set', 'directory']);
  });

  it('reports errors with the path it read', () => {
    const path = join(temporaryDirectory(), 'bad.idx');
    writeFileSync(path, Uint8Array.of(1, 2, 3, 4));
    expectMnnError(() => readIdx(path), `${path}: not an IDX file`);
  });

  it('refuses to serialize sizes that do not match the array (a programming error)', () => {
    const images = { ...randomImages(2, 3, 3), count: 3 };
    expect(() => serializeIdx(images)).toThrow(
      new RangeError('IDX images: count and sizes announce 27 bytes, got 18'),
    );
  });
});
