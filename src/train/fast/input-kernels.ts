/**
 * The first layer's hot loops, as WebAssembly with 128-bit SIMD, generated once per group width.
 * Each pair of a group's neurons shares one f64x2 accumulator local (an odd last neuron gets an
 * f64 one), so every non-zero pixel costs one splat and width/2 vector multiply-adds. Lane by
 * lane the arithmetic is the JavaScript `a += v * w` in the same order, so results are exact and
 * independent of the thread count. All addresses are byte offsets into the shared memory.
 */
import type { WasmMemory } from './wasm.js';
import { F64, I32, V128, buildModule, instantiate, op } from './wasm.js';

/**
 * Z⁽¹⁾ = W⁽¹⁾A⁽⁰⁾ + B⁽¹⁾ for one neuron group over `count` samples (MATH.md, Forward), reading only
 * non-zero pixels (sample-major form). rowStart: address of the first sample's row start (Int32);
 * weights: (W⁽¹⁾)ᵀ/255 of the group (n₀ × width f64); bias: the group's b⁽¹⁾; Z: the first
 * sample's first neuron of the group, rows zStride bytes apart.
 */
export type InputForwardKernel = (
  rowStart: number,
  count: number,
  rowPixel: number,
  rowValue: number,
  weights: number,
  bias: number,
  Z: number,
  zStride: number,
) => void;

/**
 * ∂C/∂W⁽¹⁾ += Δ⁽¹⁾(A⁽⁰⁾)ᵀ·255 for one neuron group over one block (MATH.md, Backward), pixel by
 * pixel over the samples where that pixel is non-zero (pixel-major form); the 1/(255·N) scale is
 * applied once when the chunk sums are added. columnStart: address of the block's first pixel
 * start (Int32); delta: the block's first sample at the group's first neuron, rows deltaStride
 * bytes apart; gradient: the group's n₀ × width f64 sums.
 */
export type InputBackwardKernel = (
  columnStart: number,
  pixelCount: number,
  columnSample: number,
  columnValue: number,
  delta: number,
  deltaStride: number,
  gradient: number,
) => void;

/** The accumulator locals of a group: one v128 per neuron pair, then an f64 for an odd neuron. */
interface Accumulators {
  readonly pairs: number[];
  readonly odd: number | undefined;
}

/** Allocates accumulator local indices from `next` for `width` neurons. */
function accumulators(width: number, next: number): Accumulators {
  const pairs = Array.from({ length: width >> 1 }, (_, k) => next + k);
  return { pairs, odd: width % 2 === 1 ? next + pairs.length : undefined };
}

/** The locals declaration for `acc` after `i32Count` i32 locals, an f64 `v` and a v128 splat. */
function locals(i32Count: number, acc: Accumulators): [number, number][] {
  return [
    [i32Count, I32],
    [1, F64],
    [1 + acc.pairs.length, V128],
    ...(acc.odd === undefined ? [] : [[1, F64] as [number, number]]),
  ];
}

/**
 * acc += v·row for every accumulator, row at the address in local `row` (the f64 in local `v`,
 * its splat in local `vv`).
 */
function multiplyAdd(acc: Accumulators, row: number, v: number, vv: number): number[] {
  const code: number[] = [];
  acc.pairs.forEach((local, k) => {
    code.push(...op.get(local), ...op.get(vv), ...op.get(row), ...op.v128Load(16 * k));
    code.push(...op.f64x2Mul, ...op.f64x2Add, ...op.set(local));
  });
  if (acc.odd !== undefined) {
    code.push(...op.get(acc.odd), ...op.get(v), ...op.get(row));
    code.push(...op.f64Load(16 * acc.pairs.length), ...op.f64Mul, ...op.f64Add, ...op.set(acc.odd));
  }
  return code;
}

/** Generates the forward kernel for groups of `width` neurons. */
function forwardFunction(width: number) {
  // Parameters 0–7 as in InputForwardKernel; then e, end, row (i32), v (f64), vv, accumulators.
  const [rowStart, count, rowPixel, rowValue, weights, bias, Z, zStride] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [e, end, row, v, vv] = [8, 9, 10, 11, 12];
  const acc = accumulators(width, 13);
  const body: number[] = [...op.block, ...op.get(count), ...op.i32Eqz, ...op.brIf(0), ...op.loop];
  acc.pairs.forEach((local, k) =>
    body.push(...op.get(bias), ...op.v128Load(16 * k), ...op.set(local)),
  );
  if (acc.odd !== undefined)
    body.push(...op.get(bias), ...op.f64Load(16 * acc.pairs.length), ...op.set(acc.odd));
  body.push(...op.get(rowStart), ...op.i32Load(0), ...op.set(e));
  body.push(...op.get(rowStart), ...op.i32Load(4), ...op.set(end));
  body.push(...op.block, ...op.get(e), ...op.get(end), ...op.i32GeU, ...op.brIf(0), ...op.loop);
  body.push(
    ...op.get(rowValue),
    ...op.get(e),
    ...op.i32Add,
    ...op.i32Load8U(),
    ...op.f64ConvertI32U,
  );
  body.push(...op.set(v), ...op.get(v), ...op.f64x2Splat, ...op.set(vv));
  body.push(...op.get(weights), ...op.get(rowPixel), ...op.get(e), ...op.get(e), ...op.i32Add);
  body.push(...op.i32Add, ...op.i32Load16U(), ...op.i32Const(8 * width), ...op.i32Mul);
  body.push(...op.i32Add, ...op.set(row));
  body.push(...multiplyAdd(acc, row, v, vv));
  body.push(...op.get(e), ...op.i32Const(1), ...op.i32Add, ...op.set(e));
  body.push(...op.get(e), ...op.get(end), ...op.i32Ne, ...op.brIf(0), ...op.end, ...op.end);
  acc.pairs.forEach((local, k) =>
    body.push(...op.get(Z), ...op.get(local), ...op.v128Store(16 * k)),
  );
  if (acc.odd !== undefined)
    body.push(...op.get(Z), ...op.get(acc.odd), ...op.f64Store(16 * acc.pairs.length));
  body.push(...op.get(Z), ...op.get(zStride), ...op.i32Add, ...op.set(Z));
  body.push(...op.get(rowStart), ...op.i32Const(4), ...op.i32Add, ...op.set(rowStart));
  body.push(...op.get(count), ...op.i32Const(1), ...op.i32Sub, ...op.set(count));
  body.push(...op.get(count), ...op.brIf(0), ...op.end, ...op.end);
  return { exportName: 'forward', params: 8, locals: locals(3, acc), body };
}

/** Generates the backward kernel for groups of `width` neurons. */
function backwardFunction(width: number) {
  // Parameters 0–6 as in InputBackwardKernel; then e, end, row (i32), v (f64), vv, accumulators.
  const [columnStart, pixelCount, columnSample, columnValue, delta, deltaStride, gradient] = [
    0, 1, 2, 3, 4, 5, 6,
  ];
  const [e, end, row, v, vv] = [7, 8, 9, 10, 11];
  const acc = accumulators(width, 12);
  const body: number[] = [...op.block, ...op.get(pixelCount), ...op.i32Eqz, ...op.brIf(0)];
  body.push(...op.loop, ...op.get(columnStart), ...op.i32Load(0), ...op.set(e));
  body.push(...op.get(columnStart), ...op.i32Load(4), ...op.set(end));
  body.push(...op.block, ...op.get(e), ...op.get(end), ...op.i32GeU, ...op.brIf(0));
  for (const local of acc.pairs) body.push(...op.v128Const0, ...op.set(local));
  if (acc.odd !== undefined) body.push(...op.f64Const0, ...op.set(acc.odd));
  body.push(...op.loop);
  body.push(...op.get(columnValue), ...op.get(e), ...op.i32Add, ...op.i32Load8U());
  body.push(...op.f64ConvertI32U, ...op.set(v), ...op.get(v), ...op.f64x2Splat, ...op.set(vv));
  body.push(...op.get(delta), ...op.get(columnSample), ...op.get(e), ...op.i32Add);
  body.push(...op.i32Load8U(), ...op.get(deltaStride), ...op.i32Mul, ...op.i32Add, ...op.set(row));
  body.push(...multiplyAdd(acc, row, v, vv));
  body.push(...op.get(e), ...op.i32Const(1), ...op.i32Add, ...op.set(e));
  body.push(...op.get(e), ...op.get(end), ...op.i32Ne, ...op.brIf(0), ...op.end);
  // gradient += acc, in the order gradient[k] + a_k as the chunk sums expect.
  acc.pairs.forEach((local, k) => {
    body.push(...op.get(gradient), ...op.get(gradient), ...op.v128Load(16 * k));
    body.push(...op.get(local), ...op.f64x2Add, ...op.v128Store(16 * k));
  });
  if (acc.odd !== undefined) {
    const offset = 16 * acc.pairs.length;
    body.push(...op.get(gradient), ...op.get(gradient), ...op.f64Load(offset));
    body.push(...op.get(acc.odd), ...op.f64Add, ...op.f64Store(offset));
  }
  body.push(...op.end);
  body.push(...op.get(gradient), ...op.i32Const(8 * width), ...op.i32Add, ...op.set(gradient));
  body.push(...op.get(columnStart), ...op.i32Const(4), ...op.i32Add, ...op.set(columnStart));
  body.push(...op.get(pixelCount), ...op.i32Const(1), ...op.i32Sub, ...op.set(pixelCount));
  body.push(...op.get(pixelCount), ...op.brIf(0), ...op.end, ...op.end);
  return { exportName: 'backward', params: 7, locals: locals(3, acc), body };
}

/** The two first-layer kernels of one group width. */
export interface InputKernels {
  readonly forward: InputForwardKernel;
  readonly backward: InputBackwardKernel;
}

const modules = new Map<number, Uint8Array>();

/** The kernels for groups of `width` neurons over `memory` (the module is built once per width). */
export function inputKernels(width: number, memory: WasmMemory): InputKernels {
  let bytes = modules.get(width);
  if (bytes === undefined) {
    bytes = buildModule([forwardFunction(width), backwardFunction(width)]);
    modules.set(width, bytes);
  }
  const exports = instantiate(bytes, memory);
  return {
    forward: exports.forward as InputForwardKernel,
    backward: exports.backward as InputBackwardKernel,
  };
}
