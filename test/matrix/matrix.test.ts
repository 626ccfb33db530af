import { describe, expect, it } from 'vitest';
import { Matrix } from '../../src/matrix/matrix.js';

describe('Matrix', () => {
  it('stores row-major: (i, j) is data[i·cols + j]', () => {
    const M = Matrix.from(2, 3, [1, 2, 3, 4, 5, 6]);
    expect(M.get(1, 0)).toBe(4);
    expect(M.get(0, 2)).toBe(3);
  });

  it('from copies its values; zeros is all zeros', () => {
    const values = [1, 2];
    const M = Matrix.from(1, 2, values);
    values[0] = 9;
    expect(M.get(0, 0)).toBe(1);
    expect(Array.from(Matrix.zeros(2, 2).data)).toEqual([0, 0, 0, 0]);
  });

  it('rejects data of the wrong length and bad shapes', () => {
    expect(() => Matrix.from(2, 2, [1, 2, 3])).toThrow(/needs 4 numbers, got 3/);
    expect(() => new Matrix(-1, 2, new Float64Array(0))).toThrow(/whole numbers/);
  });
});
