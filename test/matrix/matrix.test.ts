import { describe, expect, it } from 'vitest';
import { assertNoOverlap, assertShape, Matrix } from '../../src/matrix/matrix.js';

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
    expect(() => new Matrix(2, -1, new Float64Array(0))).toThrow(/whole numbers, got 2×-1/);
    // 1.5 × 2 and 2 × 1.5 would both need 3 numbers: only the shape check can refuse them.
    expect(() => new Matrix(1.5, 2, new Float64Array(3))).toThrow(/whole numbers/);
    expect(() => new Matrix(2, 1.5, new Float64Array(3))).toThrow(/whole numbers/);
  });

  it('allows empty matrices (no rows or no columns)', () => {
    expect(new Matrix(0, 3, new Float64Array(0)).cols).toBe(3);
    expect(new Matrix(3, 0, new Float64Array(0)).rows).toBe(3);
  });
});

describe('assertShape', () => {
  it('names the argument and both shapes, and checks rows and columns alike', () => {
    expect(() => assertShape(Matrix.zeros(2, 3), 2, 3, 'W')).not.toThrow();
    expect(() => assertShape(Matrix.zeros(2, 3), 2, 4, 'W')).toThrow('W must be 2×4, got 2×3');
    expect(() => assertShape(Matrix.zeros(2, 3), 1, 3, 'W')).toThrow('W must be 1×3, got 2×3');
  });
});

describe('assertNoOverlap', () => {
  const buffer = new Float64Array(8);
  const view = (begin: number, end: number) =>
    new Matrix(1, end - begin, buffer.subarray(begin, end));

  it('refuses views that share any element, in either order, naming the input', () => {
    expect(() => assertNoOverlap(view(0, 4), view(3, 7), 'A')).toThrow(
      'out must not share memory with A in this kernel',
    );
    expect(() => assertNoOverlap(view(3, 7), view(0, 4), 'B')).toThrow(/with B/);
  });

  it('allows adjacent views of one buffer, in either order, and separate buffers', () => {
    expect(() => assertNoOverlap(view(0, 4), view(4, 8), 'A')).not.toThrow();
    expect(() => assertNoOverlap(view(4, 8), view(0, 4), 'A')).not.toThrow();
    expect(() => assertNoOverlap(Matrix.zeros(1, 4), Matrix.zeros(1, 4), 'A')).not.toThrow();
  });

  it('never refuses an empty matrix, even one lying inside the other', () => {
    expect(() => assertNoOverlap(view(2, 2), view(0, 4), 'A')).not.toThrow();
    expect(() => assertNoOverlap(view(0, 4), view(2, 2), 'A')).not.toThrow();
  });
});
