/**
 * Fuzz targets for issue 9's edges (findings 9 and 10): the readers facing special files (devices,
 * FIFOs, directories, links to them, sparse giants), and the parsers facing size amplification
 * (headers that claim far more than the file holds, gzip and deflate streams of zeros, JSON of
 * tiny values). Each case must end in a valid value within the limits or a one-line MnnError,
 * quickly and without blocking. Shared by test/fuzz/edges.test.ts and `npm run fuzz`.
 */
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
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
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { MAX_IDX_PAYLOAD_BYTES, parseIdx, readIdx, serializeIdx } from '../../src/data/idx.js';
import { decodeImage, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE } from '../../src/image/decode.js';
import { loadModel, parseModel } from '../../src/model/load.js';
import { serializeModel } from '../../src/model/save.js';
import { predictImageFile } from '../../src/predict/predict.js';
import { expectValueOrMnnError, type FuzzTarget } from './fuzz-targets.js';
import { pngChunk } from './png-encoder.js';
import { randomModel } from './random-data.js';

// ---- special files ------------------------------------------------------------------------

/** The kinds of thing a path given to mnn can be. */
const FILE_KINDS = [
  'valid',
  'empty',
  'sparse-giant',
  'fifo',
  'device',
  'link-to-device',
  'link-to-fifo',
  'directory',
  'dangling-link',
  'link-loop',
  'missing',
] as const;
type FileKind = (typeof FILE_KINDS)[number];

/** The readers of files, each with what a valid file for it is. */
const READERS = ['model', 'idx', 'image'] as const;
type Reader = (typeof READERS)[number];

let scratch: string | undefined;

/** Makes (once) a directory with every kind of path for every reader; returns its path. */
function specialFiles(): string {
  if (scratch !== undefined) return scratch;
  const root = mkdtempSync(join(tmpdir(), 'mnn-fuzz-files-'));
  const model = randomModel([4, 3, 2]);
  const valid: Record<Reader, Uint8Array> = {
    model: Buffer.from(serializeModel(model)),
    idx: serializeIdx({ kind: 'labels', count: 3, labels: Uint8Array.of(1, 2, 3) }),
    image: Buffer.from(
      jpeg.encode({ data: Buffer.alloc(16 * 16 * 4, 90), width: 16, height: 16 }, 80).data,
    ),
  };
  for (const reader of READERS) {
    const at = (kind: FileKind): string => join(root, `${reader}-${kind}`);
    writeFileSync(at('valid'), valid[reader]);
    writeFileSync(at('empty'), '');
    const fd = openSync(at('sparse-giant'), 'w');
    ftruncateSync(fd, 8_000_000_000);
    closeSync(fd);
    execFileSync('mkfifo', [at('fifo')]);
    // Reading a device never harms it: the real /dev/zero (endless, size 0) is fine here.
    symlinkSync('/dev/zero', at('device'));
    symlinkSync(at('device'), at('link-to-device'));
    symlinkSync(at('fifo'), at('link-to-fifo'));
    mkdirSync(at('directory'));
    symlinkSync(join(root, 'nowhere'), at('dangling-link'));
    symlinkSync(at('link-loop'), at('link-loop'));
  }
  scratch = root;
  return root;
}

/** Removes the special files (the sparse giants and FIFOs), if they were made. */
export function removeSpecialFiles(): void {
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
}

/** Reads `path` with a reader, the way the commands do. */
function readWith(reader: Reader, path: string): unknown {
  if (reader === 'model') return loadModel(path);
  if (reader === 'idx') return readIdx(path);
  return predictImageFile(parseModel(serializeModel(randomModel([784, 4, 10])), 'm.json'), path);
}

/** Fuzzes the file readers with every kind of path: only the valid file gives a value. */
export const specialFileTarget: FuzzTarget<{ reader: Reader; kind: FileKind }> = {
  name: 'file readers on special files (devices, FIFOs, links, sparse giants)',
  inputs: fc.record({ reader: fc.constantFrom(...READERS), kind: fc.constantFrom(...FILE_KINDS) }),
  check: ({ reader, kind }) => {
    const path = join(specialFiles(), `${reader}-${kind}`);
    let value: unknown;
    expectValueOrMnnError(
      () => readWith(reader, path),
      (read) => (value = read),
    );
    // The image reader may refuse the valid JPEG's content (no digit in a flat grey square).
    if (value !== undefined && kind !== 'valid') {
      throw new Error(`${reader} read a ${kind} path as if it were a valid file`);
    }
  },
};

// ---- size amplification -------------------------------------------------------------------

/** A case: which parser, what its header claims, and how much real data follows. */
type Claim =
  | { format: 'idx'; count: number; side: number; gzip: boolean; body: number }
  | { format: 'png'; width: number; height: number; fullRows: boolean }
  | { format: 'jpeg'; width: number; height: number }
  | { format: 'json'; values: number; value: '0' | '[]' };

/** Claims around each limit: just under, just over, and far over. */
const claims: fc.Arbitrary<Claim> = fc.oneof(
  fc.record({
    format: fc.constant('idx' as const),
    count: fc.constantFrom(1, 340_000, 342_000, 5_000_000, 2 ** 32 - 1),
    side: fc.constantFrom(1, 28, 4096),
    gzip: fc.boolean(),
    body: fc.constantFrom(0, 784, 1 << 16),
  }),
  fc.record({
    format: fc.constant('png' as const),
    width: fc.constantFrom(1, 3000, MAX_IMAGE_SIDE, MAX_IMAGE_SIDE + 1, 49_000_000),
    height: fc.constantFrom(1, 2, 3000, 2 ** 31 - 1),
    fullRows: fc.boolean(),
  }),
  fc.record({
    format: fc.constant('jpeg' as const),
    width: fc.constantFrom(8, 4000, 6000, 7000, 65535),
    height: fc.constantFrom(8, 4000, 7000, 65535),
  }),
  fc.record({
    format: fc.constant('json' as const),
    values: fc.constantFrom(10, 1_000_000, 25_000_000),
    value: fc.constantFrom('0' as const, '[]' as const),
  }),
);

/** Inputs are built once per claim: deflating millions of zeros is the costly part. */
const built = new Map<string, Uint8Array | string>();

/** The bytes (or JSON text) of a claim: a header claiming it and only `body` bytes of data. */
function build(claim: Claim): Uint8Array | string {
  const key = JSON.stringify(claim);
  const cached = built.get(key);
  if (cached !== undefined) return cached;
  const bytes = buildUncached(claim);
  built.set(key, bytes);
  return bytes;
}

/** The input of a claim, built. */
function buildUncached(claim: Claim): Uint8Array | string {
  switch (claim.format) {
    case 'idx': {
      const header = Buffer.alloc(16);
      header.writeUInt32BE(0x00000803, 0);
      header.writeUInt32BE(claim.count, 4);
      header.writeUInt32BE(claim.side, 8);
      header.writeUInt32BE(claim.side, 12);
      const file = Buffer.concat([header, Buffer.alloc(claim.body)]);
      return claim.gzip ? gzipSync(file) : file;
    }
    case 'png': {
      const ihdr = Buffer.alloc(13);
      ihdr.writeUInt32BE(claim.width, 0);
      ihdr.writeUInt32BE(claim.height, 4);
      ihdr[8] = 8; // 8-bit grey
      // Full rows of zeros deflate about 1000:1, as a real bomb's do; capped to stay cheap here.
      const raw = claim.fullRows ? Math.min((claim.width + 1) * claim.height, 32_000_000) : 64;
      return Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        pngChunk('IHDR', ihdr),
        pngChunk('IDAT', deflateSync(Buffer.alloc(raw))),
        pngChunk('IEND', new Uint8Array(0)),
      ]);
    }
    case 'jpeg': {
      const small = Buffer.from(
        jpeg.encode({ data: Buffer.alloc(8 * 8 * 4, 200), width: 8, height: 8 }, 50).data,
      );
      const sof = small.indexOf(Buffer.from([0xff, 0xc0]));
      small.writeUInt16BE(claim.height, sof + 5);
      small.writeUInt16BE(claim.width, sof + 7);
      return small;
    }
    case 'json':
      return `{"format":"mnn-model","version":1,"weights":[${new Array<string>(claim.values).fill(claim.value).join(',')}]}`;
  }
}

/** Fuzzes the parsers with amplifying inputs: refused, or decoded within the limits. */
export const amplificationTarget: FuzzTarget<Claim> = {
  name: 'parsers on size amplification (claims far beyond the data)',
  inputs: claims,
  check: (claim) => {
    const input = build(claim);
    if (typeof input === 'string') {
      expectValueOrMnnError(
        () => parseModel(input, 'claim.json'),
        () => undefined,
      );
    } else if (claim.format === 'idx') {
      expectValueOrMnnError(
        () => parseIdx(input, 'claim.idx'),
        (value) => {
          const bytes = value.kind === 'images' ? value.pixels.length : value.labels.length;
          if (bytes > MAX_IDX_PAYLOAD_BYTES) throw new Error(`${bytes} bytes decoded`);
        },
      );
    } else {
      expectValueOrMnnError(
        () => decodeImage(input, `claim.${claim.format}`),
        (image) => {
          if (image.width * image.height > MAX_IMAGE_PIXELS) {
            throw new Error(`${image.width}×${image.height} decoded`);
          }
        },
      );
    }
  },
};

/** The edge targets, in the order `npm run fuzz` runs them. */
export const EDGE_FUZZ_TARGETS: readonly FuzzTarget<unknown>[] = [
  specialFileTarget,
  amplificationTarget,
];
