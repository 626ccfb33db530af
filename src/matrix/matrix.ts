/**
 * A dense matrix of Float64 numbers stored row-major: element (i, j) is `data[i * cols + j]`.
 * In mnn's column-wise convention a matrix like A⁽ℓ⁾ has one column per sample (docs/math.md, Notation).
 */
export class Matrix {
  constructor(
    readonly rows: number,
    readonly cols: number,
    /** rows·cols numbers, row-major; may be a view of another array (e.g. a layer of `Parameters`). */
    readonly data: Float64Array,
  ) {
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
      throw new RangeError(`Matrix shape must be whole numbers, got ${rows}×${cols}`);
    }
    if (data.length !== rows * cols) {
      throw new RangeError(
        `Matrix ${rows}×${cols} needs ${rows * cols} numbers, got ${data.length}`,
      );
    }
  }

  /** A rows × cols matrix of zeros. */
  static zeros(rows: number, cols: number): Matrix {
    return new Matrix(rows, cols, new Float64Array(rows * cols));
  }

  /** A rows × cols matrix holding a copy of `values` (row-major). */
  static from(rows: number, cols: number, values: ArrayLike<number>): Matrix {
    return new Matrix(rows, cols, Float64Array.from(values));
  }

  /** Element (i, j). */
  get(i: number, j: number): number {
    return this.data[i * this.cols + j];
  }
}

/** Throws unless `M` is rows × cols; kernels call it on every argument so a shape bug fails loudly. */
export function assertShape(M: Matrix, rows: number, cols: number, name: string): void {
  if (M.rows !== rows || M.cols !== cols) {
    throw new RangeError(`${name} must be ${rows}×${cols}, got ${M.rows}×${M.cols}`);
  }
}

/** Throws if `out` shares memory with `input`; for kernels that read an input after writing the output. */
export function assertNoOverlap(out: Matrix, input: Matrix, name: string): void {
  const a = out.data;
  const b = input.data;
  const overlaps =
    a.buffer === b.buffer &&
    a.byteOffset < b.byteOffset + b.byteLength &&
    b.byteOffset < a.byteOffset + a.byteLength;
  if (overlaps && a.length > 0 && b.length > 0) {
    throw new RangeError(`out must not share memory with ${name} in this kernel`);
  }
}
