import { describe, expect, it } from 'vitest';
import { Random } from '../../../src/nn/random.js';
import type { FloatArray } from '../../../src/train/fast/input-kernels.js';
import { inputKernels, pairedInputKernels } from '../../../src/train/fast/input-kernels.js';
import { PAIRED_ROW_BYTES } from '../../../src/train/fast/plan.js';
import { relaxedSimdAvailable } from '../../../src/train/fast/relaxed-simd.js';
import { sparseInputWithPairs } from '../../helpers/paired-input.js';
import type { Arithmetic } from '../../../src/train/fast/wasm-module.js';
import { EXACT_F64, floatType } from '../../../src/train/fast/wasm-module.js';
import type { MemoryArena } from '../../../src/train/fast/wasm.js';
import { kernelArena } from '../../helpers/kernel-memory.js';
import { randomDataset } from '../../helpers/random-data.js';

// The paired first-layer kernels against the single ones over the same samples, bit for bit: a
// pair's entry adds 0·w to the one of the two whose pixel (or sample) is zero, which leaves a
// finite sum as it was, so both must give the same sums in every arithmetic. Shapes: blocks
// whose last pair has one sample (odd counts), a partial last block, samples without any
// non-zero pixel and pixel pairs that no sample of a block has.
const ARITHMETICS: Arithmetic[] = [
  EXACT_F64,
  { precision: 'f32', fused: false },
  ...(relaxedSimdAvailable() ? [{ precision: 'f32' as const, fused: true }] : []),
];
const ROWS = 3;
const COLS = 6;
const PIXELS = ROWS * COLS;
const BLOCK = 6;

/** `length` random normal numbers of the arithmetic's precision in the arena. */
function randomNumbers(
  arena: MemoryArena,
  arithmetic: Arithmetic,
  length: number,
  random: Random,
): FloatArray {
  const numbers =
    arithmetic.precision === 'f32'
      ? arena.allocate(Float32Array, length)
      : arena.allocate(Float64Array, length);
  for (let i = 0; i < length; i++) numbers[i] = random.normal();
  return numbers;
}

/** A data set of `count` samples, about 60% zero pixels, sample 1 all zero, pixels 0–3 never set. */
function sparseSamples(count: number, seed: number) {
  const dataset = randomDataset({ count, rows: ROWS, cols: COLS, zeroFraction: 0.6, seed });
  if (count > 1) dataset.images.fill(0, PIXELS, 2 * PIXELS);
  for (let s = 0; s < count; s++) dataset.images.fill(0, s * PIXELS, s * PIXELS + 4);
  return dataset;
}

describe.each(ARITHMETICS)('paired kernels ($precision, fused: $fused)', (arithmetic) => {
  const arena = kernelArena();
  const random = new Random(41);
  const width = PAIRED_ROW_BYTES / floatType(arithmetic.precision).bytes;
  const single = inputKernels(width, arena.memory, arithmetic);
  const paired = pairedInputKernels(arena.memory, arithmetic);

  it.each([1, 5, 6, 9, 16])('forward gives the single kernel’s Z (%i samples)', (count) => {
    const input = sparseInputWithPairs(sparseSamples(count, count), BLOCK, arena);
    const weights = randomNumbers(arena, arithmetic, PIXELS * width, random);
    const bias = randomNumbers(arena, arithmetic, width, random);
    // Z rows hold 3 more columns than the group; the paired kernel may write one row more.
    const rowLength = width + 3;
    for (let first = 0; first < count; first += BLOCK) {
      const n = Math.min(BLOCK, count - first);
      const expected = randomNumbers(arena, arithmetic, (BLOCK + 1) * rowLength, random);
      const actual = randomNumbers(arena, arithmetic, (BLOCK + 1) * rowLength, random);
      actual.set(expected);
      single.forward(
        { matrix: expected, column: 1, rowLength },
        input.rows,
        first,
        n,
        weights,
        bias,
      );
      const rows = input.paired?.rows;
      if (rows === undefined) throw new Error('no paired rows');
      paired.forward({ matrix: actual, column: 1, rowLength }, rows, first, n, weights, bias);
      expect(Array.from(actual.subarray(0, n * rowLength))).toEqual(
        Array.from(expected.subarray(0, n * rowLength)),
      );
    }
  });

  for (const first of [false, true]) {
    it.each([1, 5, 6, 9, 16])(
      `backward${first ? 'First' : ''} gives the single kernel’s sums (%i samples)`,
      (count) => {
        const input = sparseInputWithPairs(sparseSamples(count, 100 + count), BLOCK, arena);
        const columns = input.paired?.columns;
        if (columns === undefined) throw new Error('no paired columns');
        const rowLength = width + 5;
        for (let block = 0; block * BLOCK < count; block++) {
          const n = Math.min(BLOCK, count - block * BLOCK);
          const delta = { matrix: randomNumbers(arena, arithmetic, n * rowLength, random) };
          const slice = { ...delta, column: 2, rowLength };
          const expected = randomNumbers(arena, arithmetic, PIXELS * width, random);
          const actual = randomNumbers(arena, arithmetic, PIXELS * width, random);
          actual.set(expected);
          const copy = randomNumbers(arena, arithmetic, BLOCK * width, random);
          single.backward(expected, input.columns, block, PIXELS, slice, n, copy, first);
          paired.backward(actual, columns, block, PIXELS, slice, n, copy, first);
          expect(Array.from(actual)).toEqual(Array.from(expected));
        }
      },
    );
  }

  it('refuses an odd first sample or pixel count', () => {
    const input = sparseInputWithPairs(sparseSamples(4, 8), 4, arena);
    const { paired: entries } = input;
    if (entries === undefined) throw new Error('no paired forms');
    const weights = randomNumbers(arena, arithmetic, PIXELS * width, random);
    const Z = { matrix: randomNumbers(arena, arithmetic, 4 * width, random), column: 0 };
    const slice = { ...Z, rowLength: width };
    expect(() => paired.forward(slice, entries.rows, 1, 2, weights, weights)).toThrow(RangeError);
    expect(() =>
      paired.backward(weights, entries.columns, 0, PIXELS - 1, slice, 4, weights, true),
    ).toThrow(RangeError);
  });

  it('refuses a Z too short for the pair of an odd last sample', () => {
    const input = sparseInputWithPairs(sparseSamples(3, 7), 4, arena);
    const rows = input.paired?.rows;
    if (rows === undefined) throw new Error('no paired rows');
    const weights = randomNumbers(arena, arithmetic, PIXELS * width, random);
    const Z = { matrix: randomNumbers(arena, arithmetic, 3 * width, random), column: 0 };
    expect(() => paired.forward({ ...Z, rowLength: width }, rows, 0, 3, weights, weights)).toThrow(
      RangeError,
    );
  });
});
