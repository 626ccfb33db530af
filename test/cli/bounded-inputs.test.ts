/**
 * Issue 9, findings 9 and 10: special files and hostile sizes are refused before memory is spent —
 * devices and FIFOs anywhere a file is read, and inputs whose decoded size is far larger than the
 * file (a gzip of blank images, a 1×49M-pixel PNG, a tiny JPEG claiming a huge frame, a model
 * file too large to parse in memory).
 */
import {
  closeSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASET_FILES } from '../../src/data/directory.js';
import { pngChunk } from '../helpers/png-encoder.js';
import { runCli, runCliWithin, type CliResult } from '../helpers/cli-process.js';
import { deviceNode, expectDevicesIntact } from '../helpers/devices.js';
import { writeTinyDataset } from '../helpers/tiny-data.js';

let root: string;
const at = (name: string): string => join(root, name);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mnn-bounded-inputs-'));
  writeTinyDataset(at('data'), { train: 20, test: 10 });
  const trained = await runCli(
    ['train', '--data', at('data'), '--iters', '3', '--out', at('m.json')],
    root,
  );
  expect(trained.code).toBe(0);
  deviceNode(root, 'zero');
  execFileSync('mkfifo', [at('fifo')]);
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  expectDevicesIntact();
});

/** A refusal: exit 1, one line naming the problem, no stack. */
function expectRefused(result: CliResult, message: string): void {
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(message);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
}

/** A copy of the tiny data set whose test images file is replaced by `write(path)`. */
function dataWithTestImages(name: string, write: (path: string) => void): string {
  const directory = at(name);
  mkdirSync(directory);
  for (const split of Object.values(DATASET_FILES)) {
    for (const file of Object.values(split)) {
      if (file !== DATASET_FILES.test.images)
        symlinkSync(join(at('data'), file), join(directory, file));
    }
  }
  write(join(directory, DATASET_FILES.test.images));
  return directory;
}

/** Runs the CLI, killed after 10 s: a regression must not read /dev/zero for ever. */
function bounded(args: readonly string[], cwd: string): Promise<CliResult> {
  return runCliWithin(10_000, args, cwd);
}

describe('finding 9: devices and FIFOs are refused wherever mnn reads a file', () => {
  it('predict /dev/zero', async () => {
    const result = await bounded(['predict', at('dev-zero'), '--model', at('m.json')], root);
    expectRefused(result, 'it is a character device, not a regular file');
  });

  it('eval /dev/zero (as the model)', async () => {
    const result = await bounded(['eval', at('dev-zero'), '--data', at('data')], root);
    expectRefused(result, 'it is a character device, not a regular file');
  });

  it('an IDX file that is a symbolic link to /dev/zero', async () => {
    const data = dataWithTestImages('data-zero', (path) => symlinkSync(at('dev-zero'), path));
    const result = await bounded(['eval', at('m.json'), '--data', data], root);
    expectRefused(result, 'it is a character device, not a regular file');
  });

  it('a FIFO as the model, the image or an IDX file (no hang)', async () => {
    expectRefused(
      await bounded(['eval', at('fifo'), '--data', at('data')], root),
      'a named pipe (FIFO)',
    );
    expectRefused(
      await bounded(['predict', at('fifo'), '--model', at('m.json')], root),
      'a named pipe (FIFO)',
    );
    const data = dataWithTestImages('data-fifo', (path) => symlinkSync(at('fifo'), path));
    expectRefused(
      await bounded(['eval', at('m.json'), '--data', data], root),
      'a named pipe (FIFO)',
    );
  });
});

/** An IDX image header: magic 00 00 08 03, then count, rows and columns, big-endian. */
function imageHeader(count: number): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(0x00000803, 0);
  header.writeUInt32BE(count, 4);
  header.writeUInt32BE(28, 8);
  header.writeUInt32BE(28, 12);
  return header;
}

/**
 * A complete greyscale PNG of `width`×1 blank pixels: its deflated rows are about width/1000
 * bytes, so a 49-megapixel strip fits in 47 kB (what made mnn allocate 3.7 GB).
 */
function stripPng(width: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr[8] = 8; // bit depth; colour type 0 (grey), no interlace
  const row = deflateSync(Buffer.alloc(width + 1)); // filter byte + one byte per pixel
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', row),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

/** A baseline JPEG of 8×8 pixels whose frame header claims `width`×`height`. */
function claimedJpeg(width: number, height: number): Buffer {
  const small = Buffer.from(
    jpeg.encode({ data: Buffer.alloc(8 * 8 * 4, 200), width: 8, height: 8 }, 50).data,
  );
  const sof = small.indexOf(Buffer.from([0xff, 0xc0]));
  small.writeUInt16BE(height, sof + 5);
  small.writeUInt16BE(width, sof + 7);
  return small;
}

describe('finding 10: decoded sizes are checked before anything is allocated', () => {
  it('a gzipped IDX announcing 5 000 000 blank images (3.9 GB) is refused from its header', async () => {
    // Only the start of the stream is made: the header is all mnn may read before refusing.
    const data = dataWithTestImages('data-blank', (path) =>
      writeFileSync(
        `${path}.gz`,
        gzipSync(Buffer.concat([imageHeader(5_000_000), Buffer.alloc(1 << 20)])),
      ),
    );
    const result = await bounded(['eval', at('m.json'), '--data', data], root);
    expectRefused(
      result,
      'header says 5000000 images of 28×28 (3920000000 bytes), over the limit of',
    );
  });

  it('a PNG of 1×49 000 000 pixels is refused from its header', async () => {
    writeFileSync(at('wide.png'), stripPng(49_000_000));
    const result = await bounded(['predict', at('wide.png'), '--model', at('m.json')], root);
    expectRefused(result, 'is 49000000×1 pixels; each side may be at most 16384');
  });

  it('a JPEG of a few hundred bytes claiming 4000×6000 pixels is refused before decoding', async () => {
    writeFileSync(at('claim.jpg'), claimedJpeg(4000, 6000));
    const result = await bounded(['predict', at('claim.jpg'), '--model', at('m.json')], root);
    expectRefused(result, 'cannot hold 4000×6000 pixels');
  });

  it('a model file of 500 MB is refused from its size', async () => {
    const fd = openSync(at('huge.json'), 'w');
    ftruncateSync(fd, 500_000_000);
    closeSync(fd);
    const result = await bounded(['eval', at('huge.json'), '--data', at('data')], root);
    expectRefused(result, 'is 500 MB, over the limit of 200 MB');
  });

  it('a model file within the size limit but too costly to parse (nested empty arrays) is refused', async () => {
    const body = Buffer.alloc(30_000_000, '[],');
    writeFileSync(
      at('nested.json'),
      Buffer.concat([Buffer.from('{"format":"mnn-model","x":['), body, Buffer.from('[]]}')]),
    );
    const result = await bounded(['eval', at('nested.json'), '--data', at('data')], root);
    expectRefused(result, 'would take about');
  });
});
