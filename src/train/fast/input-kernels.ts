/**
 * The first layer's hot loops, as WebAssembly with 128-bit SIMD, generated once per group width.
 * Each pair of a group's neurons shares one f64x2 accumulator local (an odd last neuron gets an
 * f64 one), so every non-zero pixel costs one splat and width/2 vector multiply-adds. Lane by
 * lane the arithmetic is the JavaScript `a += v * w` in the same order, so results are exact and
 * independent of the thread count.
 */
import type { Local } from './wasm-module.js';
import {
  FunctionBuilder,
  buildModule,
  code,
  f64,
  f64x2,
  get,
  i32,
  unless,
  increment,
  set,
  v128,
  doWhile,
} from './wasm-module.js';
import type { WasmMemory } from './wasm.js';
import { KernelModule, address } from './wasm.js';

/** Non-zero pixels sample by sample (CSR): sample s's are entries start[s] .. start[s+1]−1, by pixel. */
export interface SparseRows {
  readonly start: Int32Array;
  readonly pixel: Uint16Array;
  /** The pixel byte (A⁽⁰⁾ = byte/255). */
  readonly value: Uint8Array;
}

/**
 * Non-zero pixels pixel by pixel inside blocks of samples (CSC): the samples of block k with
 * pixel j non-zero are entries start[k·n₀ + j] .. start[k·n₀ + j + 1]−1, in sample order.
 */
export interface SparseColumns {
  readonly start: Int32Array;
  /** Index of the sample inside its block (blocks hold at most 256 samples). */
  readonly sample: Uint8Array;
  readonly value: Uint8Array;
}

/** A column slice of a row-major matrix: `width` columns from `column` of rows `rowLength` long. */
export interface ColumnSlice {
  readonly matrix: Float64Array;
  readonly column: number;
  readonly rowLength: number;
}

/** The two first-layer kernels of one group of `width` neurons. */
export interface InputKernels {
  /**
   * Z⁽¹⁾ = W⁽¹⁾A⁽⁰⁾ + B⁽¹⁾ for the group over samples first .. first+count−1 of `rows` (docs/math.md,
   * Forward), reading only their non-zero pixels. weights: (W⁽¹⁾)ᵀ/255 of the group (n₀ ×
   * width); bias: the group's b⁽¹⁾ (width); Z: the group's columns, one row per sample.
   */
  forward(
    Z: ColumnSlice,
    rows: SparseRows,
    first: number,
    count: number,
    weights: Float64Array,
    bias: Float64Array,
  ): void;
  /**
   * ∂C/∂W⁽¹⁾ += Δ⁽¹⁾(A⁽⁰⁾)ᵀ·255 for the group over block `block` of `columns` (docs/math.md,
   * Backward), pixel by pixel over the samples where that pixel is non-zero; the 1/(255·N) scale
   * is applied when the chunk sums are added. gradient: the group's n₀ × width sums
   * ((∂C/∂W⁽¹⁾)ᵀ-shaped); delta: the group's columns of Δ⁽¹⁾, one row per sample of the block.
   * With `first`, gradient = instead of += (and 0 for pixels the block lacks): the first block
   * of a chunk.
   */
  backward(
    gradient: Float64Array,
    columns: SparseColumns,
    block: number,
    pixelCount: number,
    delta: ColumnSlice,
    first: boolean,
  ): void;
}

/** The accumulators of a group: one f64x2 per neuron pair, then an f64 for an odd last neuron. */
interface Accumulators {
  readonly pairs: Local[];
  readonly odd: Local | undefined;
}

/** Declares the accumulator locals of `width` neurons, named after the neurons they hold. */
function accumulators(builder: FunctionBuilder, width: number): Accumulators {
  const pairs = Array.from({ length: width >> 1 }, (_, k) =>
    builder.local(`acc${2 * k}_${2 * k + 1}`, 'v128'),
  );
  const odd = width % 2 === 1 ? builder.local(`acc${width - 1}`, 'f64') : undefined;
  return { pairs, odd };
}

/** Every accumulator = its lanes of the `width` f64s at the address `base`. */
function loadAccumulators(acc: Accumulators, base: Local): number[] {
  return code(
    ...acc.pairs.map((pair, k) => set(pair, code(get(base), v128.load(16 * k)))),
    acc.odd === undefined ? [] : set(acc.odd, code(get(base), f64.load(16 * acc.pairs.length))),
  );
}

/** Every accumulator = 0. */
function zeroAccumulators(acc: Accumulators): number[] {
  return code(
    ...acc.pairs.map((pair) => set(pair, v128.zero)),
    acc.odd === undefined ? [] : set(acc.odd, f64.const(0)),
  );
}

/** acc += v·row for every accumulator: `v` an f64 local, `vv` its splat, `row` an address. */
function multiplyAdd(acc: Accumulators, row: Local, v: Local, vv: Local): number[] {
  return code(
    ...acc.pairs.map((pair, k) =>
      set(pair, code(get(pair), get(vv), get(row), v128.load(16 * k), f64x2.mul, f64x2.add)),
    ),
    acc.odd === undefined
      ? []
      : set(
          acc.odd,
          code(get(acc.odd), get(v), get(row), f64.load(16 * acc.pairs.length), f64.mul, f64.add),
        ),
  );
}

/** The f64 of the pixel byte at values + e (in `v`) and its splat (in `vv`). */
function loadPixel(values: Local, e: Local, v: Local, vv: Local): number[] {
  return code(
    set(v, code(get(values), get(e), i32.add, i32.load8_u(), f64.convert_i32_u)),
    set(vv, code(get(v), f64x2.splat)),
  );
}

/** Stores every accumulator to its place among the `width` f64s at the address `base`. */
function storeAccumulators(acc: Accumulators, base: Local, add: boolean): number[] {
  // With `add`, base[k] + acc in that order, as the chunk sums expect.
  const pairs = acc.pairs.map((pair, k) =>
    add
      ? code(get(base), get(base), v128.load(16 * k), get(pair), f64x2.add, v128.store(16 * k))
      : code(get(base), get(pair), v128.store(16 * k)),
  );
  const offset = 16 * acc.pairs.length;
  const odd =
    acc.odd === undefined
      ? []
      : add
        ? code(get(base), get(base), f64.load(offset), get(acc.odd), f64.add, f64.store(offset))
        : code(get(base), get(acc.odd), f64.store(offset));
  return code(...pairs, odd);
}

/** The forward kernel for groups of `width` neurons; all arguments are byte addresses or counts. */
function forwardFunction(width: number) {
  const builder = new FunctionBuilder('forward');
  const [rowStart, count, rowPixel, rowValue, weights, bias, Z, zStride] = builder.parameters(
    'rowStart', // of the first sample, advanced by one sample per iteration
    'count',
    'rowPixel',
    'rowValue',
    'weights',
    'bias',
    'Z', // of the first sample's first neuron of the group, advanced by zStride bytes
    'zStride',
  );
  const e = builder.local('e', 'i32');
  const end = builder.local('end', 'i32');
  const row = builder.local('row', 'i32');
  const v = builder.local('v', 'f64');
  const vv = builder.local('vv', 'v128');
  const acc = accumulators(builder, width);
  const perEntry = code(
    loadPixel(rowValue, e, v, vv),
    // row = the address of the group's weights of this pixel: weights + pixel·8·width
    set(
      row,
      code(
        get(weights),
        get(rowPixel),
        get(e),
        get(e),
        i32.add,
        i32.add,
        i32.load16_u(),
        i32.const(8 * width),
        i32.mul,
        i32.add,
      ),
    ),
    multiplyAdd(acc, row, v, vv),
    increment(e, 1),
  );
  const perSample = code(
    loadAccumulators(acc, bias),
    set(e, code(get(rowStart), i32.load(0))),
    set(end, code(get(rowStart), i32.load(4))),
    unless(code(get(e), get(end), i32.ge_u), doWhile(perEntry, code(get(e), get(end), i32.ne))),
    storeAccumulators(acc, Z, false),
    increment(Z, get(zStride)),
    increment(rowStart, 4),
    set(count, code(get(count), i32.const(1), i32.sub)),
  );
  return builder.build(unless(code(get(count), i32.eqz), doWhile(perSample, get(count))));
}

/**
 * The backward kernel for groups of `width` neurons; all arguments are byte addresses or counts.
 * As `backwardFirst` it stores the block's sums instead of adding them, and zeros for pixels the
 * block lacks: the first block of a chunk so fills the chunk's sums, which then need no
 * clearing. (A sum that starts at +0 is never −0, so 0 + sums is the sums, bit for bit.)
 */
function backwardFunction(width: number, first: boolean) {
  const builder = new FunctionBuilder(first ? 'backwardFirst' : 'backward');
  const [columnStart, pixelCount, columnSample, columnValue, delta, deltaStride, gradient] =
    builder.parameters(
      'columnStart', // of the block's first pixel, advanced by one pixel per iteration
      'pixelCount',
      'columnSample',
      'columnValue',
      'delta', // of the block's first sample at the group's first neuron
      'deltaStride',
      'gradient', // the group's sums of the current pixel, advanced by one pixel per iteration
    );
  const e = builder.local('e', 'i32');
  const end = builder.local('end', 'i32');
  const row = builder.local('row', 'i32');
  const v = builder.local('v', 'f64');
  const vv = builder.local('vv', 'v128');
  const acc = accumulators(builder, width);
  const perEntry = code(
    loadPixel(columnValue, e, v, vv),
    // row = the address of this sample's Δ⁽¹⁾ of the group: delta + sample·deltaStride
    set(
      row,
      code(
        get(delta),
        get(columnSample),
        get(e),
        i32.add,
        i32.load8_u(),
        get(deltaStride),
        i32.mul,
        i32.add,
      ),
    ),
    multiplyAdd(acc, row, v, vv),
    increment(e, 1),
  );
  const entries = doWhile(perEntry, code(get(e), get(end), i32.ne));
  const noEntries = code(get(e), get(end), i32.ge_u);
  const perPixel = code(
    set(e, code(get(columnStart), i32.load(0))),
    set(end, code(get(columnStart), i32.load(4))),
    first
      ? code(
          zeroAccumulators(acc),
          unless(noEntries, entries),
          storeAccumulators(acc, gradient, false),
        )
      : // A pixel that no sample of the block has adds nothing: skip its loads and stores.
        unless(
          noEntries,
          code(zeroAccumulators(acc), entries, storeAccumulators(acc, gradient, true)),
        ),
    increment(gradient, 8 * width),
    increment(columnStart, 4),
    set(pixelCount, code(get(pixelCount), i32.const(1), i32.sub)),
  );
  return builder.build(unless(code(get(pixelCount), i32.eqz), doWhile(perPixel, get(pixelCount))));
}

const modules = new Map<number, Uint8Array>();

/** The module of the two kernels for groups of `width` neurons (built once per width). */
export function inputModule(width: number): Uint8Array {
  let bytes = modules.get(width);
  if (bytes === undefined) {
    bytes = buildModule([
      forwardFunction(width),
      backwardFunction(width, false),
      backwardFunction(width, true),
    ]);
    modules.set(width, bytes);
  }
  return bytes;
}

/** The kernels for groups of `width` neurons over `memory`. */
export function inputKernels(width: number, memory: WasmMemory): InputKernels {
  const module = new KernelModule(inputModule(width), memory);
  const forward = module.kernel('forward');
  const backward = module.kernel('backward');
  const backwardFirst = module.kernel('backwardFirst');
  return {
    forward(Z, rows, first, count, weights, bias) {
      if (count === 0) return;
      forward(
        address(rows.start, first, count + 1),
        count,
        rows.pixel.byteOffset,
        rows.value.byteOffset,
        address(weights, 0, width),
        address(bias, 0, width),
        address(Z.matrix, Z.column, (count - 1) * Z.rowLength + width),
        8 * Z.rowLength,
      );
    },
    backward(gradient, columns, block, pixelCount, delta, first) {
      if (pixelCount === 0) return;
      (first ? backwardFirst : backward)(
        address(columns.start, block * pixelCount, pixelCount + 1),
        pixelCount,
        columns.sample.byteOffset,
        columns.value.byteOffset,
        address(delta.matrix, delta.column, width),
        8 * delta.rowLength,
        address(gradient, 0, pixelCount * width),
      );
    },
  };
}
