import { describe, expect, it } from 'vitest';
import { MnnError } from '../../../src/errors.js';
import {
  buildPairedInput,
  buildSparseInput,
  type SparseInput,
} from '../../../src/train/fast/sparse-input.js';
import { MemoryArena, sharedMemory } from '../../../src/train/fast/wasm.js';
import { sparseInputWithPairs } from '../../helpers/paired-input.js';
import type { PairedEntries } from '../../../src/train/fast/input-kernels.js';
import { PAIRED_ROW_BYTES } from '../../../src/train/fast/plan.js';
import { randomDataset } from '../../helpers/random-data.js';

/** The dense images (count × n₀ bytes) the sample-major form describes. */
function fromRows(sparse: SparseInput, count: number, n0: number): Uint8Array {
  const images = new Uint8Array(count * n0);
  for (let s = 0; s < count; s++) {
    for (let e = sparse.rows.start[s]; e < sparse.rows.start[s + 1]; e++) {
      expect(sparse.rows.value[e]).not.toBe(0);
      if (e > sparse.rows.start[s])
        expect(sparse.rows.pixel[e]).toBeGreaterThan(sparse.rows.pixel[e - 1]);
      images[s * n0 + sparse.rows.pixel[e]] = sparse.rows.value[e];
    }
  }
  return images;
}

/** The dense images the pixel-major-per-block form describes. */
function fromColumns(
  sparse: SparseInput,
  count: number,
  n0: number,
  blockSize: number,
): Uint8Array {
  const images = new Uint8Array(count * n0);
  for (let k = 0; k * blockSize < count; k++) {
    for (let j = 0; j < n0; j++) {
      const first = sparse.columns.start[k * n0 + j];
      const last = sparse.columns.start[k * n0 + j + 1];
      for (let e = first; e < last; e++) {
        // Samples of a column in order, each inside its block.
        if (e > first)
          expect(sparse.columns.sample[e]).toBeGreaterThan(sparse.columns.sample[e - 1]);
        expect(sparse.columns.sample[e]).toBeLessThan(blockSize);
        images[(k * blockSize + sparse.columns.sample[e]) * n0 + j] = sparse.columns.value[e];
      }
    }
  }
  return images;
}

/**
 * Every entry of paired entries as [pair, index, value a, value b], checking on the way that a
 * pair's indices increase and that no entry is zero for both.
 */
function pairedEntries(entries: PairedEntries): number[][] {
  const values = new Float32Array(entries.triples.buffer, entries.triples.byteOffset);
  const result: number[][] = [];
  for (let pair = 0; pair + 1 < entries.start.length; pair++) {
    for (let e = entries.start[pair]; e < entries.start[pair + 1]; e++) {
      const index = entries.triples[3 * e] / PAIRED_ROW_BYTES;
      if (e > entries.start[pair]) expect(index).toBeGreaterThan(result[result.length - 1][1]);
      const [a, b] = [values[3 * e + 1], values[3 * e + 2]];
      expect(a !== 0 || b !== 0).toBe(true);
      result.push([pair, index, a, b]);
    }
  }
  return result;
}

/** The dense images the paired forms describe: by sample pairs, and by pixel pairs per block. */
function fromPairs(
  sparse: SparseInput,
  count: number,
  n0: number,
  blockSize: number,
): [Uint8Array, Uint8Array] {
  const paired = sparse.paired;
  if (paired === undefined) throw new Error('no paired forms');
  const byRows = new Uint8Array(count * n0 + n0); // room for a last odd sample's partner
  for (const [pair, pixel, a, b] of pairedEntries(paired.rows)) {
    [byRows[2 * pair * n0 + pixel], byRows[(2 * pair + 1) * n0 + pixel]] = [a, b];
  }
  const byColumns = new Uint8Array(count * n0);
  for (const [pair, sample, a, b] of pairedEntries(paired.columns)) {
    const [block, q] = [Math.floor(pair / (n0 / 2)), pair % (n0 / 2)];
    const s = block * blockSize + sample;
    expect(sample).toBeLessThan(blockSize);
    [byColumns[s * n0 + 2 * q], byColumns[s * n0 + 2 * q + 1]] = [a, b];
  }
  expect(byRows.subarray(count * n0).every((v) => v === 0)).toBe(true);
  return [byRows.subarray(0, count * n0), byColumns];
}

describe('buildSparseInput', () => {
  it.each([
    [1, 1],
    [7, 3],
    [20, 8],
    [300, 128],
  ])(
    'keeps every non-zero pixel, in both orders (%i samples, blocks of %i)',
    (count, blockSize) => {
      const dataset = randomDataset({ count, rows: 3, cols: 5, zeroFraction: 0.7, seed: count });
      const sparse = buildSparseInput(dataset, blockSize, new MemoryArena(sharedMemory(1)));
      const nonZero = dataset.images.filter((pixel) => pixel !== 0).length;
      expect(sparse.rows.start[count]).toBe(nonZero);
      expect(fromRows(sparse, count, 15)).toEqual(dataset.images);
      expect(fromColumns(sparse, count, 15, blockSize)).toEqual(dataset.images);
      expect(sparse.labels).toEqual(dataset.labels);
    },
  );

  it.each([
    [1, 2],
    [7, 4],
    [20, 8],
    [300, 128],
  ])(
    'keeps every non-zero pixel in the paired forms too (%i samples, blocks of %i)',
    (count, blockSize) => {
      const dataset = randomDataset({ count, rows: 2, cols: 5, zeroFraction: 0.7, seed: count });
      const arena = new MemoryArena(sharedMemory(1));
      const sparse = sparseInputWithPairs(dataset, blockSize, arena);
      const [byRows, byColumns] = fromPairs(sparse, count, 10, blockSize);
      expect(byRows).toEqual(dataset.images);
      expect(byColumns).toEqual(dataset.images);
      expect(buildSparseInput(dataset, blockSize, arena).paired).toBeUndefined();
    },
  );

  it('pairs two samples pixel by pixel, and two pixels sample by sample', () => {
    const images = Uint8Array.from([0, 5, 0, 7, 3, 0, 0, 9]);
    const dataset = { images, labels: Uint8Array.from([1, 2]), count: 2, rows: 1, cols: 4 };
    const { paired } = sparseInputWithPairs(dataset, 2, new MemoryArena(sharedMemory(1)));
    if (paired === undefined) throw new Error('no paired forms');
    // Samples 0 and 1 by pixel: pixel 0 (0, 3), pixel 1 (5, 0), pixel 3 (7, 9).
    expect(pairedEntries(paired.rows)).toEqual([
      [0, 0, 0, 3],
      [0, 1, 5, 0],
      [0, 3, 7, 9],
    ]);
    // Pixels (0, 1) by sample: 0 (0, 5), 1 (3, 0); pixels (2, 3): 0 (0, 7), 1 (0, 9).
    expect(pairedEntries(paired.columns)).toEqual([
      [0, 0, 0, 5],
      [0, 1, 3, 0],
      [1, 0, 0, 7],
      [1, 1, 0, 9],
    ]);
  });

  it('builds no paired forms that would leave the memory less than the reserve asked for', () => {
    const dataset = randomDataset({ count: 20, rows: 2, cols: 5, zeroFraction: 0.5, seed: 3 });
    const arena = new MemoryArena(sharedMemory(1));
    const { rows, columns } = buildSparseInput(dataset, 4, arena);
    const before = arena.free;
    expect(buildPairedInput(rows, columns, 20, 10, 4, arena, before)).toBeUndefined();
    expect(arena.free).toBe(before);
    // The triples of 10 sample pairs and of 5 blocks' 5 pixel pairs, and their starts, fit.
    expect(buildPairedInput(rows, columns, 20, 10, 4, arena, before - 4096)).toBeDefined();
  });

  it('stores nothing for an all-zero image', () => {
    const dataset = { ...randomDataset({ count: 2, rows: 2, cols: 2 }), images: new Uint8Array(8) };
    const sparse = buildSparseInput(dataset, 4, new MemoryArena(sharedMemory(1)));
    expect(Array.from(sparse.rows.start)).toEqual([0, 0, 0]);
  });

  it('refuses images of more pixels than its 16-bit pixel indices can name', () => {
    const dataset = { ...randomDataset({ count: 1, rows: 1, cols: 1 }), cols: 65537 };
    expect(() => buildSparseInput(dataset, 4, new MemoryArena(sharedMemory(1)))).toThrow(MnnError);
  });
});
