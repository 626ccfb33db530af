import { describe, expect, it } from 'vitest';
import {
  addColumnVector,
  argmaxColumns,
  argmaxStrided,
  columnLogSumExp,
  columnSoftmax,
  sumColumns,
} from '../../src/matrix/columns.js';
import { Matrix } from '../../src/matrix/matrix.js';
import { Random } from '../../src/nn/random.js';
import { randomMatrix } from '../helpers/matrix.js';

const shapes: [number, number][] = [
  [1, 1],
  [7, 13],
  [65, 3],
  [10, 300],
];

describe('column kernels match naive references', () => {
  const random = new Random(5);
  for (const [rows, cols] of shapes) {
    it(`${rows}×${cols}`, () => {
      const M = randomMatrix(random, rows, cols);
      const v = Float64Array.from({ length: rows }, () => random.uniform(-1, 1));

      const withBias = Matrix.zeros(rows, cols);
      addColumnVector(withBias, M, v);
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) expect(withBias.get(i, j)).toBe(M.get(i, j) + v[i]);
      }
      const inPlace = Matrix.from(rows, cols, M.data);
      addColumnVector(inPlace, inPlace, v);
      expect(inPlace.data).toEqual(withBias.data);

      const softmax = Matrix.zeros(rows, cols);
      columnSoftmax(softmax, M);
      for (let j = 0; j < cols; j++) {
        let denominator = 0;
        for (let i = 0; i < rows; i++) denominator += Math.exp(M.get(i, j));
        for (let i = 0; i < rows; i++) {
          expect(softmax.get(i, j)).toBeCloseTo(Math.exp(M.get(i, j)) / denominator, 14);
        }
        expect(columnLogSumExp(M, j)).toBeCloseTo(Math.log(denominator), 13);
      }
      const softmaxInPlace = Matrix.from(rows, cols, M.data);
      columnSoftmax(softmaxInPlace, softmaxInPlace);
      expect(softmaxInPlace.data).toEqual(softmax.data);

      const sums = new Float64Array(rows);
      sumColumns(sums, M);
      for (let i = 0; i < rows; i++) {
        let sum = 0;
        for (let j = 0; j < cols; j++) sum += M.get(i, j);
        expect(sums[i]).toBe(sum);
      }

      const argmax = new Uint32Array(cols);
      argmaxColumns(argmax, M);
      for (let j = 0; j < cols; j++) {
        const column = Array.from({ length: rows }, (_, i) => M.get(i, j));
        expect(argmax[j]).toBe(column.indexOf(Math.max(...column)));
      }
    });
  }

  it('softmax stays finite and exact for huge logits (1e4), where exp alone overflows', () => {
    const Z = Matrix.from(3, 2, [1e4, -1e4, 1e4 - 1, -1e4, 0, -1e4 + 2]);
    const A = Matrix.zeros(3, 2);
    columnSoftmax(A, Z);
    const e = Math.exp(-1);
    expect(A.get(0, 0)).toBeCloseTo(1 / (1 + e), 15);
    expect(A.get(1, 0)).toBeCloseTo(e / (1 + e), 15);
    expect(A.get(2, 0)).toBe(0); // exp(−1e4) underflows to exactly 0, harmlessly
    expect(A.get(2, 1)).toBeCloseTo(1 / (1 + 2 * Math.exp(-2)), 15);
    expect(columnLogSumExp(Z, 0)).toBeCloseTo(1e4 + Math.log(1 + e), 10);
    expect(A.data.every(Number.isFinite)).toBe(true);
  });

  it('argmax takes the first of equal maxima', () => {
    const out = new Uint32Array(1);
    argmaxColumns(out, Matrix.from(3, 1, [0.2, 0.4, 0.4]));
    expect(out[0]).toBe(1);
  });

  it('argmax of strided values: a row, a column, one value, the first of equal maxima', () => {
    const values = Float64Array.from([9, 0.1, 0.7, 0.3, 0.7, 0.2, -1]);
    expect(argmaxStrided(values, 1, 5, 1)).toBe(1); // 0.1 0.7 0.3 0.7 0.2
    expect(argmaxStrided(values, 1, 3, 2)).toBe(1); // 0.1 0.3 0.2
    expect(argmaxStrided(values, 6, 1, 3)).toBe(0);
    expect(argmaxStrided(values, 0, 7, 1)).toBe(0);
  });

  it('rejects vectors of the wrong length', () => {
    expect(() =>
      addColumnVector(Matrix.zeros(2, 3), Matrix.zeros(2, 3), new Float64Array(3)),
    ).toThrow(/v must have 2/);
    expect(() => sumColumns(new Float64Array(3), Matrix.zeros(2, 3))).toThrow(/out must have 2/);
  });
});
