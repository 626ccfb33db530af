import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { inputMatrix } from '../../src/train/inputs.js';

describe('inputMatrix', () => {
  const dataset: Dataset = {
    images: Uint8Array.from([0, 255, 51, 102, 1, 2, 3, 4, 5, 6, 7, 8]), // three 2×2 samples
    labels: Uint8Array.from([1, 2, 3]),
    count: 3,
    rows: 2,
    cols: 2,
  };

  it('puts each sample in a column, scaled byte/255', () => {
    const A0 = inputMatrix(dataset);
    expect([A0.rows, A0.cols]).toEqual([4, 3]);
    expect(A0.get(1, 0)).toBe(1);
    expect(A0.get(2, 0)).toBe(0.2);
    expect(A0.get(3, 2)).toBe(8 / 255);
  });

  it('takes a range of samples', () => {
    const A0 = inputMatrix(dataset, 1, 2);
    expect(A0.cols).toBe(2);
    expect(A0.get(0, 0)).toBe(1 / 255);
    expect(() => inputMatrix(dataset, 2, 2)).toThrow(/exceed the 3/);
    expect(() => inputMatrix(dataset, -1, 1)).toThrow(/whole numbers ≥ 0/);
  });

  it('divides by the scale a model records', () => {
    expect(inputMatrix(dataset, 0, 1, 51).get(2, 0)).toBe(1);
  });
});
