import { describe, expect, it } from 'vitest';
import { Matrix } from '../../src/matrix/matrix.js';
import { multiply, multiplyTransposeA, multiplyTransposeB } from '../../src/matrix/products.js';
import { Random } from '../../src/nn/random.js';
import {
  maxAbsDifference,
  naiveMultiply,
  naiveTranspose,
  randomMatrix,
} from '../helpers/matrix.js';

// [m, k, n]: tiny, odd, and larger than the 256-wide blocks in each dimension without being multiples.
const shapes: [number, number, number][] = [
  [1, 1, 1],
  [7, 13, 5],
  [65, 3, 300],
  [3, 513, 2],
  [10, 17, 257],
  [1, 600, 1],
];

function randomShapes(count: number, random: Random): [number, number, number][] {
  return Array.from({ length: count }, () => [
    1 + random.integer(40),
    1 + random.integer(300),
    1 + random.integer(300),
  ]);
}

const allShapes = [...shapes, ...randomShapes(8, new Random(11))];

describe('matrix products agree with the textbook triple loop', () => {
  const random = new Random(7);
  for (const [m, k, n] of allShapes) {
    it(`A·B, Aᵀ·B, A·Bᵀ for m=${m} k=${k} n=${n}`, () => {
      const A = randomMatrix(random, m, k);
      const B = randomMatrix(random, k, n);
      const expected = naiveMultiply(A, B);
      const tolerance = 1e-12 * k;

      const out = Matrix.zeros(m, n);
      out.data.fill(99); // kernels must overwrite, not accumulate into, the output
      multiply(out, A, B);
      expect(maxAbsDifference(out.data, expected.data)).toBeLessThan(tolerance);

      out.data.fill(99);
      multiplyTransposeA(out, naiveTranspose(A), B);
      expect(maxAbsDifference(out.data, expected.data)).toBeLessThan(tolerance);

      out.data.fill(99);
      multiplyTransposeB(out, A, naiveTranspose(B));
      expect(maxAbsDifference(out.data, expected.data)).toBeLessThan(tolerance);
    });
  }

  it('gives exact integer results on a 2×3 by 3×2 example', () => {
    const A = Matrix.from(2, 3, [1, 2, 3, 4, 5, 6]);
    const B = Matrix.from(3, 2, [7, 8, 9, 10, 11, 12]);
    const out = Matrix.zeros(2, 2);
    multiply(out, A, B);
    expect(Array.from(out.data)).toEqual([58, 64, 139, 154]);
  });
});

describe('matrix product argument checks', () => {
  it('rejects mismatched shapes', () => {
    expect(() => multiply(Matrix.zeros(2, 2), Matrix.zeros(2, 3), Matrix.zeros(2, 2))).toThrow(
      /B must be 3×2/,
    );
    expect(() =>
      multiplyTransposeA(Matrix.zeros(2, 2), Matrix.zeros(3, 2), Matrix.zeros(2, 2)),
    ).toThrow(/B must be 3×2/);
    expect(() =>
      multiplyTransposeB(Matrix.zeros(3, 2), Matrix.zeros(2, 4), Matrix.zeros(2, 4)),
    ).toThrow(/out must be 2×2/);
  });

  it('refuses out aliasing an input, including a view of the same buffer', () => {
    const A = Matrix.from(2, 2, [1, 2, 3, 4]);
    expect(() => multiply(A, A, Matrix.zeros(2, 2))).toThrow(/share memory/);
    const buffer = new Float64Array(8);
    const left = new Matrix(2, 2, buffer.subarray(0, 4));
    const right = new Matrix(2, 2, buffer.subarray(4, 8));
    const overlapping = new Matrix(2, 2, buffer.subarray(2, 6));
    expect(() => multiplyTransposeB(overlapping, left, Matrix.zeros(2, 2))).toThrow(/share memory/);
    // Disjoint views of one buffer are fine (e.g. all layers packed in one SharedArrayBuffer).
    expect(() => multiplyTransposeA(right, left, Matrix.zeros(2, 2))).not.toThrow();
  });
});
