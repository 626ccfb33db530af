/**
 * The layers after the first over one block of samples, as WebAssembly: one module for every
 * size, with f64x2 SIMD along the contiguous dimension. Every output element is still summed
 * term by term in the JavaScript order (`sum += x * y` with the same x, y and the same sequence),
 * so the results are exact and independent of the thread count. All matrices are sample-major
 * (block samples × n) and all addresses are byte offsets into the shared memory.
 */
import type { WasmMemory } from './wasm.js';
import { F64, I32, V128, buildModule, instantiate, op } from './wasm.js';

/** The block kernels of the dense layers; every address is a byte offset into the shared memory. */
export interface DenseKernels {
  /** A = ReLU(Z) = (Z > 0 ? Z : 0) over `length` entries. */
  relu(A: number, Z: number, length: number): void;
  /**
   * Z = W·A + B for `count` samples (MATH.md, Forward), with WT = Wᵀ (nIn × nOut) so that pairs
   * of neurons read adjacent weights; Z: count × nOut, A: count × nIn.
   */
  forward(
    Z: number,
    WT: number,
    b: number,
    A: number,
    count: number,
    nOut: number,
    nIn: number,
  ): void;
  /**
   * ∂C/∂W += Δ·Aᵀ and ∂C/∂b += Σ columns of Δ, unscaled, skipping zero Δ entries (MATH.md,
   * Backward); gradientW: nOut × nIn, Δ: count × nOut, A: count × nIn.
   */
  gradient(
    gradientW: number,
    gradientB: number,
    delta: number,
    A: number,
    count: number,
    nOut: number,
    nIn: number,
  ): void;
  /**
   * Δ⁽ℓ⁻¹⁾ = ReLU′(Z⁽ℓ⁻¹⁾) ⊙ (W⁽ℓ⁾)ᵀΔ⁽ℓ⁾ with ReLU′(0) = 0 (MATH.md, Backward); previous and Z:
   * count × nIn, W: nOut × nIn, Δ: count × nOut.
   */
  backDelta(
    previous: number,
    W: number,
    delta: number,
    Z: number,
    count: number,
    nOut: number,
    nIn: number,
  ): void;
  /** ∂C/∂b += Σ columns of Δ, unscaled; Δ: count × n. */
  biasGradient(gradientB: number, delta: number, count: number, n: number): void;
  /**
   * total[p] = Σ over chunks c, in chunk order, of partials[c·length + p], for p < length;
   * chunkCount ≥ 1.
   */
  sumChunks(total: number, partials: number, length: number, chunkCount: number): void;
}

type Code = readonly number[];

/** Concatenates code pieces. */
function code(...parts: Code[]): number[] {
  return parts.flat();
}

/** for (counter = 0; counter < limit; counter += 1) body. `body` must not branch out of itself. */
function forEach(counter: number, limit: number, body: Code): number[] {
  return code(
    op.i32Const(0),
    op.set(counter),
    op.block,
    op.loop,
    op.get(counter),
    op.get(limit),
    op.i32GeU,
    op.brIf(1),
    body,
    op.get(counter),
    op.i32Const(1),
    op.i32Add,
    op.set(counter),
    op.br(0),
    op.end,
    op.end,
  );
}

/**
 * for (counter = 0; counter + 1 < limit; counter += 2) pair; then, if limit is odd, one more
 * step `single` at counter = limit − 1.
 */
function forEachPair(counter: number, limit: number, pair: Code, single: Code): number[] {
  return code(
    op.i32Const(0),
    op.set(counter),
    op.block,
    op.loop,
    op.get(counter),
    op.i32Const(1),
    op.i32Add,
    op.get(limit),
    op.i32GeU,
    op.brIf(1),
    pair,
    op.get(counter),
    op.i32Const(2),
    op.i32Add,
    op.set(counter),
    op.br(0),
    op.end,
    op.end,
    op.get(counter),
    op.get(limit),
    op.i32LtU,
    op.if,
    single,
    op.end,
  );
}

/** base + 8·index: the address of element `index` of the f64 array at `base` (both locals). */
function element(base: number, index: number): number[] {
  return code(op.get(base), op.get(index), op.i32Const(3), op.i32Shl, op.i32Add);
}

/** base + 8·row·width: the address of a row (all three locals). */
function rowAddress(base: number, row: number, width: number): number[] {
  return code(
    op.get(base),
    op.get(row),
    op.get(width),
    op.i32Mul,
    op.i32Const(3),
    op.i32Shl,
    op.i32Add,
  );
}

/** target[k] = target[k] + factor·source[k] for the element(s) at index `k`, vector or scalar. */
function multiplyAddInto(
  target: number,
  source: number,
  k: number,
  factor: number,
  vector: boolean,
): number[] {
  const [load, store, mul, add] = vector
    ? [op.v128Load(), op.v128Store(), op.f64x2Mul, op.f64x2Add]
    : [op.f64Load(), op.f64Store(), op.f64Mul, op.f64Add];
  return code(
    element(target, k),
    element(target, k),
    load,
    op.get(factor),
    element(source, k),
    load,
    mul,
    add,
    store,
  );
}

/**
 * target[0..length) += d · source[0..length), two lanes at a time (`dv` gets d splatted); the
 * term order per element is the scalar one, so results do not depend on the vector width.
 */
function addScaledRow(
  target: number,
  source: number,
  counter: number,
  length: number,
  d: number,
  dv: number,
): number[] {
  return code(
    op.get(d),
    op.f64x2Splat,
    op.set(dv),
    forEachPair(
      counter,
      length,
      multiplyAddInto(target, source, counter, dv, true),
      multiplyAddInto(target, source, counter, d, false),
    ),
  );
}

/**
 * target[k] = source[k] where gate[k] > 0, else +0, for the element(s) at index `k`; branch-free
 * (a comparison mask and a bitwise and), as ReLU's sign pattern is unpredictable.
 */
function keepPositive(
  target: number,
  source: number,
  gate: number,
  k: number,
  vector: boolean,
): number[] {
  if (vector) {
    return code(
      element(target, k),
      element(source, k),
      op.v128Load(),
      element(gate, k),
      op.v128Load(),
      op.v128Const0,
      op.f64x2Gt,
      op.v128And,
      op.v128Store(),
    );
  }
  return code(
    element(target, k),
    element(source, k),
    op.f64Load(),
    op.f64Const0,
    element(gate, k),
    op.f64Load(),
    op.f64Const0,
    op.f64Gt,
    op.select,
    op.f64Store(),
  );
}

/** The `relu` function. */
function reluFunction() {
  const [A, Z, length, k] = [0, 1, 2, 3];
  const body = forEachPair(
    k,
    length,
    keepPositive(A, Z, Z, k, true),
    keepPositive(A, Z, Z, k, false),
  );
  return { exportName: 'relu', params: 3, locals: [[1, I32]] as const, body };
}

/** The `forward` function. */
function forwardFunction() {
  const [Z, WT, b, A, count, nOut, nIn] = [0, 1, 2, 3, 4, 5, 6];
  const [s, i, j, zRow, aRow, w, rowBytes, acc, sum] = [7, 8, 9, 10, 11, 12, 13, 14, 15];
  // One output (or pair) over all inputs: acc = b; acc += A[j]·WT[j] for j ascending.
  const dot = (vector: boolean): number[] => {
    const [load, store, splat, mul, add, target] = vector
      ? [op.v128Load(), op.v128Store(), op.f64x2Splat, op.f64x2Mul, op.f64x2Add, acc]
      : [op.f64Load(), op.f64Store(), [], op.f64Mul, op.f64Add, sum];
    return code(
      element(b, i),
      load,
      op.set(target),
      element(WT, i),
      op.set(w),
      forEach(
        j,
        nIn,
        code(
          op.get(target),
          element(aRow, j),
          op.f64Load(),
          splat,
          op.get(w),
          load,
          mul,
          add,
          op.set(target),
          op.get(w),
          op.get(rowBytes),
          op.i32Add,
          op.set(w),
        ),
      ),
      element(zRow, i),
      op.get(target),
      store,
    );
  };
  const body = code(
    op.get(nOut),
    op.i32Const(3),
    op.i32Shl,
    op.set(rowBytes),
    forEach(
      s,
      count,
      code(
        rowAddress(Z, s, nOut),
        op.set(zRow),
        rowAddress(A, s, nIn),
        op.set(aRow),
        forEachPair(i, nOut, dot(true), dot(false)),
      ),
    ),
  );
  return {
    exportName: 'forward',
    params: 7,
    locals: [
      [7, I32],
      [1, V128],
      [1, F64],
    ] as const,
    body,
  };
}

/** The `gradient` function. */
function gradientFunction() {
  const [gW, gB, delta, A, count, nOut, nIn] = [0, 1, 2, 3, 4, 5, 6];
  const [s, i, j, dRow, aRow, gRow, d, dv] = [7, 8, 9, 10, 11, 12, 13, 14];
  const perOutput = code(
    element(dRow, i),
    op.f64Load(),
    op.set(d),
    op.get(d),
    op.f64Const0,
    op.f64Ne,
    op.if,
    element(gB, i),
    element(gB, i),
    op.f64Load(),
    op.get(d),
    op.f64Add,
    op.f64Store(),
    rowAddress(gW, i, nIn),
    op.set(gRow),
    addScaledRow(gRow, aRow, j, nIn, d, dv),
    op.end,
  );
  const body = forEach(
    s,
    count,
    code(
      rowAddress(delta, s, nOut),
      op.set(dRow),
      rowAddress(A, s, nIn),
      op.set(aRow),
      forEach(i, nOut, perOutput),
    ),
  );
  return {
    exportName: 'gradient',
    params: 7,
    locals: [
      [6, I32],
      [1, F64],
      [1, V128],
    ] as const,
    body,
  };
}

/** The `backDelta` function. */
function backDeltaFunction() {
  const [previous, W, delta, Z, count, nOut, nIn] = [0, 1, 2, 3, 4, 5, 6];
  const [s, i, j, pRow, dRow, wRow, zRow, d, dv] = [7, 8, 9, 10, 11, 12, 13, 14, 15];
  const perOutput = code(
    element(dRow, i),
    op.f64Load(),
    op.set(d),
    op.get(d),
    op.f64Const0,
    op.f64Ne,
    op.if,
    rowAddress(W, i, nIn),
    op.set(wRow),
    addScaledRow(pRow, wRow, j, nIn, d, dv),
    op.end,
  );
  // previous = 0 where Z ≤ 0 (or NaN), as `if (!(Z > 0)) previous = 0`.
  const mask = forEachPair(
    j,
    nIn,
    keepPositive(pRow, pRow, zRow, j, true),
    keepPositive(pRow, pRow, zRow, j, false),
  );
  const body = forEach(
    s,
    count,
    code(
      rowAddress(previous, s, nIn),
      op.set(pRow),
      rowAddress(delta, s, nOut),
      op.set(dRow),
      rowAddress(Z, s, nIn),
      op.set(zRow),
      op.get(pRow),
      op.i32Const(0),
      op.get(nIn),
      op.i32Const(3),
      op.i32Shl,
      op.memoryFill,
      forEach(i, nOut, perOutput),
      mask,
    ),
  );
  return {
    exportName: 'backDelta',
    params: 7,
    locals: [
      [7, I32],
      [1, F64],
      [1, V128],
    ] as const,
    body,
  };
}

/** The `biasGradient` function. */
function biasGradientFunction() {
  const [gB, delta, count, n, s, k, dRow] = [0, 1, 2, 3, 4, 5, 6];
  const add = code(
    element(gB, k),
    element(gB, k),
    op.f64Load(),
    element(dRow, k),
    op.f64Load(),
    op.f64Add,
    op.f64Store(),
  );
  const body = forEach(s, count, code(rowAddress(delta, s, n), op.set(dRow), forEach(k, n, add)));
  return { exportName: 'biasGradient', params: 4, locals: [[3, I32]] as const, body };
}

/** The `sumChunks` function. */
function sumChunksFunction() {
  const [total, partials, length, chunkCount, p, c, q, rowBytes, more, acc, sum] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
  ];
  // sum = partials[p]; sum += partials[c·length + p] for c = 1, 2, … (the JavaScript order).
  const column = (vector: boolean): number[] => {
    const [load, store, add, target] = vector
      ? [op.v128Load(), op.v128Store(), op.f64x2Add, acc]
      : [op.f64Load(), op.f64Store(), op.f64Add, sum];
    return code(
      element(partials, p),
      op.set(q),
      op.get(q),
      load,
      op.set(target),
      forEach(
        c,
        more,
        code(
          op.get(q),
          op.get(rowBytes),
          op.i32Add,
          op.set(q),
          op.get(target),
          op.get(q),
          load,
          add,
          op.set(target),
        ),
      ),
      element(total, p),
      op.get(target),
      store,
    );
  };
  const body = code(
    op.get(length),
    op.i32Const(3),
    op.i32Shl,
    op.set(rowBytes),
    op.get(chunkCount),
    op.i32Const(1),
    op.i32Sub,
    op.set(more),
    forEachPair(p, length, column(true), column(false)),
  );
  return {
    exportName: 'sumChunks',
    params: 4,
    locals: [
      [5, I32],
      [1, V128],
      [1, F64],
    ] as const,
    body,
  };
}

let moduleBytes: Uint8Array | undefined;

/** The dense-layer kernels over `memory` (the module is built once). */
export function denseKernels(memory: WasmMemory): DenseKernels {
  moduleBytes ??= buildModule([
    reluFunction(),
    forwardFunction(),
    gradientFunction(),
    backDeltaFunction(),
    biasGradientFunction(),
    sumChunksFunction(),
  ]);
  return instantiate(moduleBytes, memory) as unknown as DenseKernels;
}
