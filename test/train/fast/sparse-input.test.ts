import { describe, expect, it } from 'vitest';
import { MnnError } from '../../../src/errors.js';
import { buildSparseInput, type SparseInput } from '../../../src/train/fast/sparse-input.js';
import { MemoryArena, sharedMemory } from '../../../src/train/fast/wasm.js';
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
