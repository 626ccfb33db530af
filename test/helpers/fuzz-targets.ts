/**
 * Fuzz targets for the three parsers that read untrusted files: the IDX reader, the model loader
 * and the image decoder with its preprocessor. Each input must give either a valid value or an
 * MnnError with a one-line message; any other exception is a bug. Shared by the seeded test
 * (test/fuzz/parsers.test.ts, a few thousand cases) and `npm run fuzz` (scripts/fuzz.ts).
 */
import fc from 'fast-check';
import jpeg from 'jpeg-js';
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { gzipSync } from 'node:zlib';
import { parseIdx, serializeIdx, type IdxData } from '../../src/data/idx.js';
import { MnnError } from '../../src/errors.js';
import { decodeImage } from '../../src/image/decode.js';
import { FIELD_SIZE, preprocessDigit } from '../../src/image/preprocess.js';
import { parseModel } from '../../src/model/load.js';
import type { Model } from '../../src/model/model.js';
import { serializeModel } from '../../src/model/save.js';
import { Random } from '../../src/nn/random.js';
import { crc32 } from './png-encoder.js';
import { drawSyntheticDigit } from './synthetic-digits.js';

/** One parser under fuzzing: how to make inputs and what a correct outcome is. */
export interface FuzzTarget<T> {
  readonly name: string;
  readonly inputs: fc.Arbitrary<T>;
  /** Runs the parser on one input; throws (not an MnnError) when the outcome is wrong. */
  check(input: T): void;
}

/** Integers that break careless size arithmetic, written big-endian over a mutated header. */
const INTERESTING_U32 = [
  0,
  1,
  2,
  3,
  9,
  10,
  28,
  255,
  256,
  4096,
  4097,
  65535,
  65536,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32 - 1,
];

/** One edit of a byte string: the mutations of a dumb fuzzer, plus size-field overwrites. */
type ByteEdit =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'u32'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'extend'; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number };

const position = fc.nat({ max: 1 << 20 });
const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.nat({ max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: position, value: fc.nat({ max: 255 }) }),
  fc.record({
    kind: fc.constant('u32' as const),
    at: position,
    value: fc.constantFrom(...INTERESTING_U32),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({
    kind: fc.constant('extend' as const),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: position,
    length: fc.integer({ min: 1, max: 64 }),
  }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: position,
    length: fc.integer({ min: 1, max: 64 }),
  }),
);

/** Applies one edit; positions wrap around the current length. */
function applyEdit(bytes: Uint8Array, edit: ByteEdit): Uint8Array {
  const at = bytes.length === 0 ? 0 : edit.kind === 'extend' ? 0 : edit.at % bytes.length;
  switch (edit.kind) {
    case 'flip':
    case 'set':
    case 'u32': {
      const copy = Uint8Array.from(bytes);
      if (copy.length === 0) return copy;
      if (edit.kind === 'flip') copy[at] ^= 1 << edit.bit;
      else if (edit.kind === 'set') copy[at] = edit.value;
      else
        for (let i = 0; i < 4 && at + i < copy.length; i++)
          copy[at + i] = (edit.value >>> (24 - 8 * i)) & 0xff;
      return copy;
    }
    case 'truncate':
      return bytes.slice(0, at);
    case 'extend':
      return Buffer.concat([bytes, edit.bytes]);
    case 'delete':
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + edit.length)]);
    case 'duplicate':
      return Buffer.concat([bytes.subarray(0, at + edit.length), bytes.subarray(at)]);
  }
}

/** Random bytes, or a valid seed file with 1–4 edits: most cases start close to something valid. */
function mutatedBytes(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const mutated = fc
    .tuple(fc.constantFrom(...seeds), fc.array(byteEdit, { minLength: 1, maxLength: 4 }))
    .map(([seed, edits]) => edits.reduce(applyEdit, seed));
  return fc.oneof(
    { arbitrary: mutated, weight: 8 },
    { arbitrary: fc.uint8Array({ maxLength: 256 }), weight: 1 },
    { arbitrary: fc.constantFrom(...seeds), weight: 1 },
  );
}

/** Fails the property with the parser's unexpected exception, keeping its stack. */
function unexpected(error: unknown): never {
  throw error instanceof Error ? error : new Error(String(error));
}

/** Runs a parser: an MnnError with a one-line message passes, any other throw fails. */
export function expectValueOrMnnError<T>(run: () => T, validate: (value: T) => void): void {
  let value: T;
  try {
    value = run();
  } catch (error) {
    if (!(error instanceof MnnError)) unexpected(error);
    if (error.message.length === 0 || error.message.includes('\n')) {
      throw new Error(`MnnError message is not one line: ${JSON.stringify(error.message)}`);
    }
    return;
  }
  validate(value);
}

/** Throws when a condition that a valid parse guarantees does not hold. */
function invariant(condition: boolean, what: string): void {
  if (!condition) throw new Error(`parser returned an invalid value: ${what}`);
}

// ---- IDX ----------------------------------------------------------------------------------

const idxSeeds: IdxData[] = [
  {
    kind: 'images',
    count: 3,
    rows: 4,
    cols: 5,
    pixels: Uint8Array.from({ length: 60 }, (_, i) => (i * 37) & 0xff),
  },
  { kind: 'labels', count: 6, labels: Uint8Array.of(0, 9, 3, 1, 4, 1) },
];

/** Raw IDX files; their mutations are also tried gzipped, to fuzz the inflate path's header checks. */
const rawIdxSeeds = idxSeeds.map((seed) => serializeIdx(seed));

/** Fuzzes parseIdx with mutated raw and gzipped IDX files. */
export const idxTarget: FuzzTarget<Uint8Array> = {
  name: 'IDX reader (parseIdx)',
  inputs: fc.oneof(
    mutatedBytes([...rawIdxSeeds, ...idxSeeds.map((seed) => serializeIdx(seed, { gzip: true }))]),
    mutatedBytes(rawIdxSeeds).map((raw) => new Uint8Array(gzipSync(raw))),
  ),
  check: (bytes) =>
    expectValueOrMnnError(
      () => parseIdx(bytes, 'fuzz.idx'),
      (value) => {
        if (value.kind === 'images') {
          invariant(value.count >= 1 && value.rows >= 1 && value.cols >= 1, 'sizes ≥ 1');
          invariant(value.pixels.length === value.count * value.rows * value.cols, 'pixel count');
        } else {
          invariant(value.labels.length === value.count && value.count >= 1, 'label count');
          invariant(
            value.labels.every((label) => label <= 9),
            'labels 0–9',
          );
        }
      },
    ),
};

// ---- model JSON ---------------------------------------------------------------------------

/** A small valid model with a training record, the seed of the model fuzzing. */
function seedModel(): Model {
  const random = new Random(11);
  const layerSizes = [4, 3, 2];
  const fill = (length: number) => Float64Array.from({ length }, () => random.normal());
  return {
    parameters: { layerSizes, W: [fill(12), fill(6)], b: [fill(3), fill(2)] },
    labels: ['yes', 'no'],
    input: { width: 2, height: 2, scale: 255 },
    training: {
      dataset: 'packaged',
      samples: 8,
      alpha: 0.1,
      iterations: 2,
      targetIterations: 4,
      seed: 1,
      init: 'he',
      evalEvery: 1,
      batchSize: 4,
      optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 },
      schedule: { kind: 'cosine', lrMin: 0, warmup: 1 },
      dropout: 0.2,
      validation: 2,
      maxShift: 1,
      loss: 0.5,
      trainAccuracy: 0.5,
      testAccuracy: 0.5,
      seconds: 0.1,
      complete: false,
      stoppedEarly: false,
      history: [{ iteration: 2, loss: 0.7, trainAccuracy: 0.5, testAccuracy: 0.5 }],
      checkpoint: {
        parameters: { layerSizes, W: [fill(12), fill(6)], b: [fill(3), fill(2)] },
        optimizer: {
          t: 2,
          M: { layerSizes, W: [fill(12), fill(6)], b: [fill(3), fill(2)] },
          S: { layerSizes, W: [fill(12), fill(6)], b: [fill(3), fill(2)] },
        },
        running: { lossSum: 0, correct: 0, samples: 0 },
      },
    },
    createdBy: 'fuzz',
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

const modelText = serializeModel(seedModel());
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Values that probe the loader's checks: huge, negative, fractional, wrong types, long arrays. */
const hostileJson: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    0,
    -1,
    0.5,
    1e308,
    -1e308,
    2 ** 53,
    100_000,
    100_001,
    1e8,
    '',
    'x',
    null,
    true,
    [],
    {},
  ),
  fc.constantFrom<Json>(
    [784, 10, 10],
    [100_000, 100_000],
    [10_000, 10_000, 10],
    [1],
    [0, 1],
    [-28, -28],
    [1.5, 2],
  ),
  fc.array(fc.oneof(fc.double(), fc.integer()), { maxLength: 20 }),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);

/** Paths into the seed document that an edit may replace. */
const MODEL_PATHS: readonly (readonly (string | number)[])[] = [
  ['format'],
  ['version'],
  ['layers'],
  ['layers', 0],
  ['layers', 1],
  ['layers', 2],
  ['activations'],
  ['labels'],
  ['labels', 1],
  ['input'],
  ['input', 'width'],
  ['input', 'height'],
  ['input', 'scale'],
  ['weights'],
  ['weights', 0],
  ['weights', 1],
  ['weights', 0, 3],
  ['biases'],
  ['biases', 1],
  ['biases', 0, 0],
  ['training'],
  ['training', 'iterations'],
  ['training', 'targetIterations'],
  ['training', 'alpha'],
  ['training', 'evalEvery'],
  ['training', 'seed'],
  ['training', 'samples'],
  ['training', 'history'],
  ['training', 'history', 0],
  ['training', 'history', 0, 'loss'],
  ['training', 'complete'],
  ['training', 'init'],
  ['training', 'dataset'],
  ['createdBy'],
];

const documentEdits = fc
  .array(fc.tuple(fc.constantFrom(...MODEL_PATHS), fc.option(hostileJson, { nil: undefined })), {
    minLength: 1,
    maxLength: 3,
  })
  .map((edits) =>
    edits.reduce((text, [path, value]) => {
      try {
        return editDocumentText(text, path, value);
      } catch {
        return text; // an earlier edit removed this path's parent: keep the text as it is
      }
    }, modelText),
  );

/** The document with the value at `path` replaced (or removed, for `undefined`). */
function editDocumentText(
  text: string,
  path: readonly (string | number)[],
  value: Json | undefined,
): string {
  const document = JSON.parse(text) as Json;
  let parent = document as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) {
    const next = parent[key];
    if (next === null || typeof next !== 'object') throw new Error('no such path');
    parent = next as Record<string | number, Json>;
  }
  const last = path[path.length - 1];
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return JSON.stringify(document);
}

const textBytes = new TextEncoder().encode(modelText);

/** Fuzzes parseModel with edited documents and with mutated bytes of a valid file. */
export const modelTarget: FuzzTarget<string> = {
  name: 'model loader (parseModel)',
  inputs: fc.oneof(
    documentEdits,
    mutatedBytes([textBytes]).map((bytes) => Buffer.from(bytes).toString('utf8')),
    fc.string({ maxLength: 200 }),
  ),
  check: (text) =>
    expectValueOrMnnError(
      () => parseModel(text, 'fuzz.json'),
      (model) => {
        const { layerSizes, W, b } = model.parameters;
        invariant(layerSizes.length >= 2, 'at least two layers');
        for (let l = 1; l < layerSizes.length; l++) {
          invariant(W[l - 1].length === layerSizes[l] * layerSizes[l - 1], `W${l} length`);
          invariant(b[l - 1].length === layerSizes[l], `b${l} length`);
          invariant([...W[l - 1], ...b[l - 1]].every(Number.isFinite), 'finite parameters');
        }
        invariant(
          model.labels.length === layerSizes[layerSizes.length - 1],
          'one label per output',
        );
        const { width, height, scale } = model.input;
        invariant(
          Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1,
          `input size ${width}×${height} is whole and positive`,
        );
        invariant(width * height === layerSizes[0] && scale > 0, 'input matches layer 0');
        const training = model.training;
        if (training) {
          const { iterations, targetIterations, evalEvery, alpha } = training;
          invariant(Number.isInteger(iterations) && iterations >= 0, 'iterations ≥ 0, whole');
          invariant(Number.isInteger(targetIterations) && targetIterations >= 0, 'target ≥ 0');
          invariant(Number.isInteger(evalEvery) && evalEvery >= 1, 'evalEvery ≥ 1, whole');
          invariant(alpha > 0, 'alpha > 0');
        }
      },
    ),
};

// ---- images -------------------------------------------------------------------------------

/** A 16×16 synthetic digit as RGBA: dark ink on white. */
function digitRgba(): Uint8Array {
  const digit = drawSyntheticDigit(3, new Random(3));
  const rgba = new Uint8Array(16 * 16 * 4);
  for (let y = 0; y < 16; y++) {
    for (let x = 0; x < 16; x++) {
      const ink = digit[(y + 6) * 28 + (x + 6)];
      rgba.set([255 - ink, 255 - ink, 255 - ink, 255], (y * 16 + x) * 4);
    }
  }
  return rgba;
}

/** PNG and JPEG seeds: greyscale, RGBA and palette PNGs, an interlaced one, baseline and progressive JPEGs. */
function imageSeeds(): Uint8Array[] {
  const rgba = digitRgba();
  const png = (colorType: 0 | 2 | 4 | 6, bitDepth: 8 | 16 = 8): Uint8Array => {
    const image = new PNG({ width: 16, height: 16 });
    if (bitDepth === 16) {
      image.data = Buffer.from(Uint16Array.from(rgba, (value) => value * 257).buffer);
    } else image.data = Buffer.from(rgba);
    return PNG.sync.write(image, { colorType, bitDepth, inputColorType: 6, inputHasAlpha: true });
  };
  const baseline = jpeg.encode({ data: Buffer.from(rgba), width: 16, height: 16 }, 90).data;
  const progressive = readFileSync(new URL('../fixtures/image/progressive-7.jpg', import.meta.url));
  return [
    png(0),
    png(2),
    png(4, 16),
    png(6),
    new Uint8Array(baseline),
    new Uint8Array(progressive),
  ];
}

const images = imageSeeds();
const pngs = images.filter((bytes) => bytes[0] === 0x89);

/** Rewrites every PNG chunk's CRC, so mutations reach the decoder instead of the checksum test. */
function fixPngCrcs(bytes: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(bytes);
  const view = new DataView(copy.buffer);
  for (let offset = 8; offset + 12 <= copy.length;) {
    const length = view.getUint32(offset);
    const end = offset + 8 + length;
    if (end + 4 > copy.length) break;
    view.setUint32(end, crc32(copy.subarray(offset + 4, end)));
    offset = end + 4;
  }
  return copy;
}

/** Fuzzes decodeImage followed by preprocessDigit (what `mnn predict` does with a file). */
export const imageTarget: FuzzTarget<Uint8Array> = {
  name: 'image decode + preprocess',
  inputs: fc.oneof(mutatedBytes(images), mutatedBytes(pngs).map(fixPngCrcs)),
  check: (bytes) =>
    expectValueOrMnnError(
      () => preprocessDigit(decodeImage(bytes, 'fuzz-image')),
      (pixels) => invariant(pixels.length === FIELD_SIZE * FIELD_SIZE, '28×28 output'),
    ),
};

/** Every target, in the order `npm run fuzz` runs them. */
export const FUZZ_TARGETS: readonly FuzzTarget<unknown>[] = [idxTarget, modelTarget, imageTarget];
