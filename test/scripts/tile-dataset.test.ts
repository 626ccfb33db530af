import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { tileDataset } from '../../scripts/tile-dataset.js';

const three: Dataset = {
  images: Uint8Array.from([1, 2, 3, 4, 5, 6]),
  labels: Uint8Array.from([7, 8, 9]),
  count: 3,
  rows: 1,
  cols: 2,
};

describe('tileDataset', () => {
  it('repeats the samples in order up to the count, cutting the last copy short', () => {
    const tiled = tileDataset(three, 7);
    expect(tiled.count).toBe(7);
    expect([tiled.rows, tiled.cols]).toEqual([1, 2]);
    expect(Array.from(tiled.labels)).toEqual([7, 8, 9, 7, 8, 9, 7]);
    expect(Array.from(tiled.images)).toEqual([1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6, 1, 2]);
  });

  it('keeps only the first samples when the count is smaller', () => {
    const tiled = tileDataset(three, 2);
    expect(Array.from(tiled.labels)).toEqual([7, 8]);
    expect(Array.from(tiled.images)).toEqual([1, 2, 3, 4]);
  });

  it('rejects a negative count and tiling an empty set', () => {
    expect(() => tileDataset(three, -1)).toThrow(/whole number of at least 0/);
    const empty: Dataset = {
      ...three,
      images: new Uint8Array(0),
      labels: new Uint8Array(0),
      count: 0,
    };
    expect(() => tileDataset(empty, 5)).toThrow(/empty/);
  });
});
