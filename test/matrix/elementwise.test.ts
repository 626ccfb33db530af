import { describe, expect, it } from 'vitest';
import { scale } from '../../src/matrix/elementwise.js';
import { Matrix } from '../../src/matrix/matrix.js';
import { Random } from '../../src/nn/random.js';
import { randomMatrix } from '../helpers/matrix.js';

const shapes: [number, number][] = [
  [1, 1],
  [7, 13],
  [65, 3],
];

describe('element-wise kernels match a per-element reference, also in place', () => {
  const random = new Random(3);
  for (const [rows, cols] of shapes) {
    it(`${rows}×${cols}`, () => {
      const A = randomMatrix(random, rows, cols);
      const expectEach = (actual: Matrix, f: (i: number) => number) =>
        actual.data.forEach((value, i) => expect(value).toBe(f(i)));

      const out = Matrix.zeros(rows, cols);
      scale(out, A, -2.5);
      expectEach(out, (i) => -2.5 * A.data[i]);

      // In place: out is the same matrix as the input.
      const inPlace = Matrix.from(rows, cols, A.data);
      scale(inPlace, inPlace, -2.5);
      expectEach(inPlace, (i) => -2.5 * A.data[i]);
    });
  }

  it('rejects mismatched shapes', () => {
    expect(() => scale(Matrix.zeros(1, 2), Matrix.zeros(2, 1), 1)).toThrow(/out must be 2×1/);
  });
});
