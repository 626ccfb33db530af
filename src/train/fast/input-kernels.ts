/**
 * The first layer's hot loops, as WebAssembly with 128-bit SIMD, generated once per group width
 * and arithmetic. Each vector of a group's neurons (2 in f64, 4 in f32) shares one v128
 * accumulator local (the last neurons that do not fill one get scalar ones), so every non-zero
 * pixel costs one splat and width/lanes vector multiply-adds. In f64 without fusion, lane by lane
 * the arithmetic is the JavaScript `a += v * w` in the same order, so results are exact; in any
 * arithmetic they are independent of the thread count.
 *
 * Passes over the whole set use paired kernels for groups of PAIRED_VECTORS vectors: two samples
 * (forward) or two pixels (backward) per entry, so each row of weights or of Δ⁽¹⁾ is loaded
 * once for 2 × PAIRED_VECTORS multiply-adds into as many independent accumulators — enough to
 * keep both of x64's vector multiply-add units busy, where the single kernels wait on the latency
 * of their 6 sums. Two neighbouring pixels are mostly both zero or both not (a pair's entries on
 * Fashion-MNIST are 90% useful work), two samples less so (75%).
 */
import type { Arithmetic, FloatType, Local } from './wasm-module.js';
import {
  EXACT_F64,
  f64x2,
  FunctionBuilder,
  buildModule,
  code,
  floatType,
  get,
  i32,
  multiplyAdd as multiplyAddCode,
  unless,
  increment,
  set,
  v128,
  doWhile,
} from './wasm-module.js';
import type { WasmMemory } from './wasm.js';
import { KernelModule, address } from './wasm.js';
import { PAIRED_ROW_BYTES, PAIRED_VECTORS } from './plan.js';

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

/**
 * Non-zero pixels by pairs (sparse-input.ts, PairedInput): pair k's entries are start[k] ..
 * start[k+1]−1, each three 32-bit numbers in `triples`: an i32 byte offset (index ·
 * PAIRED_ROW_BYTES: the row of the pixel's weights, or of the sample's Δ⁽¹⁾) and the pair's two
 * pixel bytes as f32 (either may be 0).
 */
export interface PairedEntries {
  readonly start: Int32Array;
  readonly triples: Int32Array;
}

/** A matrix of the engine's compute precision (f64 or f32). */
export type FloatArray = Float64Array | Float32Array;

/** A column slice of a row-major matrix: `width` columns from `column` of rows `rowLength` long. */
export interface ColumnSlice {
  readonly matrix: FloatArray;
  readonly column: number;
  readonly rowLength: number;
}

/**
 * The two first-layer kernels of one group of `width` neurons, over the sparse input's entries:
 * `Rows` sample-major, `Columns` pixel-major by block.
 */
export interface FirstLayerKernels<Rows, Columns> {
  /**
   * Z⁽¹⁾ = W⁽¹⁾A⁽⁰⁾ + B⁽¹⁾ for the group over samples first .. first+count−1 of `rows` (docs/math.md,
   * Forward), reading only their non-zero pixels. weights: (W⁽¹⁾)ᵀ/255 of the group (n₀ ×
   * width); bias: the group's b⁽¹⁾ (width); Z: the group's columns, one row per sample.
   */
  forward(
    Z: ColumnSlice,
    rows: Rows,
    first: number,
    count: number,
    weights: FloatArray,
    bias: FloatArray,
  ): void;
  /**
   * ∂C/∂W⁽¹⁾ += Δ⁽¹⁾(A⁽⁰⁾)ᵀ·255 for the group over block `block` of `columns` (docs/math.md,
   * Backward), pixel by pixel over the samples where that pixel is non-zero; the 1/(255·N) scale
   * is applied when the chunk sums are added. gradient: the group's n₀ × width sums
   * ((∂C/∂W⁽¹⁾)ᵀ-shaped, n₀ = pixelCount); delta: the group's columns of Δ⁽¹⁾, one row per
   * sample of the block (`sampleCount` rows), first copied into `deltaCopy` (sampleCount ×
   * width) without the other neurons' columns unless they are whole rows: read there, the rows
   * do not crowd a few sets of the L1 cache as rows a power of two apart do. With `first`,
   * gradient = instead of += (and 0 for pixels the block lacks): the first block of a chunk.
   */
  backward(
    gradient: FloatArray,
    columns: Columns,
    block: number,
    pixelCount: number,
    delta: ColumnSlice,
    sampleCount: number,
    deltaCopy: FloatArray,
    first: boolean,
  ): void;
}

/** The single kernels: one sample (forward) or one pixel (backward) at a time. */
export type InputKernels = FirstLayerKernels<SparseRows, SparseColumns>;

/**
 * The first-layer kernels of a paired group (PAIRED_VECTORS vectors of neurons) over the paired
 * input: the same sums as InputKernels', two rows at a time, each row of weights or of Δ⁽¹⁾
 * loaded once for both. A pair's entry where one of the two is zero adds 0·w to that one's
 * sums: the same sums, for finite weights (but for the sign of a zero sum). `first` and
 * `pixelCount` must be even; with an odd count, the forward kernel writes Z's row `count` too
 * (the sums of no pixels), which Z must have; a pixel pair that no sample of a block has gets
 * += 0.
 */
export type PairedKernels = FirstLayerKernels<PairedEntries, PairedEntries>;

/**
 * The accumulators of a group: one v128 per `lanes` neurons, then a scalar for each neuron left
 * over; and the arithmetic they are generated for.
 */
interface Accumulators {
  readonly vectors: Local[];
  readonly scalars: Local[];
  readonly arithmetic: Arithmetic;
  readonly type: FloatType;
}

/** Declares the accumulator locals of `width` neurons, named after the neurons they hold. */
function accumulators(
  builder: FunctionBuilder,
  width: number,
  arithmetic: Arithmetic,
): Accumulators {
  const type = floatType(arithmetic.precision);
  const lanes = type.lanes;
  const vectors = Array.from({ length: Math.floor(width / lanes) }, (_, k) =>
    builder.local(`acc${lanes * k}_${lanes * k + lanes - 1}`, 'v128'),
  );
  const scalars = Array.from({ length: width % lanes }, (_, k) =>
    builder.local(`acc${lanes * vectors.length + k}`, type.valueType),
  );
  return { vectors, scalars, arithmetic, type };
}

/** Byte offset of scalar accumulator k among the group's numbers. */
function scalarOffset(acc: Accumulators, k: number): number {
  return 16 * acc.vectors.length + acc.type.bytes * k;
}

/** Every vector of `vectors` = the v128 at base + offset + 16·k (k: its index). */
function loadVectors(vectors: Local[], base: Local, offset: number): number[] {
  return code(...vectors.map((v, k) => set(v, code(get(base), v128.load(offset + 16 * k)))));
}

/**
 * Stores every vector of `vectors` at base + offset + 16·k; with `add`, base[k] + vector in that
 * order, as the chunk sums expect.
 */
function storeVectors(
  type: FloatType,
  vectors: Local[],
  base: Local,
  offset: number,
  add: boolean,
): number[] {
  return code(
    ...vectors.map((v, k) =>
      add
        ? code(
            get(base),
            get(base),
            v128.load(offset + 16 * k),
            get(v),
            type.vector.add,
            v128.store(offset + 16 * k),
          )
        : code(get(base), get(v), v128.store(offset + 16 * k)),
    ),
  );
}

/** Every accumulator = its lanes of the `width` numbers at the address `base`. */
function loadAccumulators(acc: Accumulators, base: Local): number[] {
  return code(
    loadVectors(acc.vectors, base, 0),
    ...acc.scalars.map((scalar, k) =>
      set(scalar, code(get(base), acc.type.scalar.load(scalarOffset(acc, k)))),
    ),
  );
}

/** Every accumulator = 0. */
function zeroAccumulators(acc: Accumulators): number[] {
  return code(
    ...acc.vectors.map((vector) => set(vector, v128.zero)),
    ...acc.scalars.map((scalar) => set(scalar, acc.type.scalar.const(0))),
  );
}

/** acc += v·row for every accumulator: `v` a scalar local, `vv` its splat, `row` an address. */
function multiplyAdd(acc: Accumulators, row: Local, v: Local, vv: Local): number[] {
  const { arithmetic, type } = acc;
  return code(
    ...acc.vectors.map((vector, k) =>
      set(
        vector,
        multiplyAddCode(arithmetic, true, get(vector), get(vv), code(get(row), v128.load(16 * k))),
      ),
    ),
    ...acc.scalars.map((scalar, k) =>
      set(
        scalar,
        multiplyAddCode(
          arithmetic,
          false,
          get(scalar),
          get(v),
          code(get(row), type.scalar.load(scalarOffset(acc, k))),
        ),
      ),
    ),
  );
}

/**
 * The number of the pixel byte at the address `value` (in `v`) and its splat (in `vv`). A byte is
 * read as a signed i32 (the same number): x64 converts that without first widening it.
 */
function loadPixel(type: FloatType, value: Local, v: Local, vv: Local): number[] {
  return code(
    set(v, code(get(value), i32.load8_u(), type.scalar.convert_i32_s)),
    set(vv, code(get(v), type.vector.splat)),
  );
}

/** Stores every accumulator to its place among the `width` numbers at the address `base`. */
function storeAccumulators(acc: Accumulators, base: Local, add: boolean): number[] {
  const { type } = acc;
  // With `add`, base[k] + acc in that order, as the chunk sums expect.
  const scalars = acc.scalars.map((scalar, k) => {
    const offset = scalarOffset(acc, k);
    return add
      ? code(
          get(base),
          get(base),
          type.scalar.load(offset),
          get(scalar),
          type.scalar.add,
          type.scalar.store(offset),
        )
      : code(get(base), get(scalar), type.scalar.store(offset));
  });
  return code(storeVectors(type, acc.vectors, base, 0, add), ...scalars);
}

/** The forward kernel for groups of `width` neurons; all arguments are byte addresses or counts. */
function forwardFunction(width: number, arithmetic: Arithmetic) {
  const type = floatType(arithmetic.precision);
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
  // The entry's value and pixel addresses walk the two arrays (cheaper than indexing both).
  const value = builder.local('value', 'i32');
  const end = builder.local('end', 'i32');
  const pixel = builder.local('pixel', 'i32');
  const row = builder.local('row', 'i32');
  const v = builder.local('v', type.valueType);
  const vv = builder.local('vv', 'v128');
  const acc = accumulators(builder, width, arithmetic);
  const perEntry = code(
    loadPixel(type, value, v, vv),
    // row = the address of the group's weights of this pixel: weights + pixel·bytes·width
    set(
      row,
      code(
        get(weights),
        get(pixel),
        i32.load16_u(),
        i32.const(type.bytes * width),
        i32.mul,
        i32.add,
      ),
    ),
    multiplyAdd(acc, row, v, vv),
    increment(value, 1),
    increment(pixel, 2),
  );
  const perSample = code(
    loadAccumulators(acc, bias),
    set(value, code(get(rowStart), i32.load(0), get(rowValue), i32.add)),
    set(end, code(get(rowStart), i32.load(4), get(rowValue), i32.add)),
    set(pixel, code(get(rowStart), i32.load(0), i32.const(1), i32.shl, get(rowPixel), i32.add)),
    unless(
      code(get(value), get(end), i32.ge_u),
      doWhile(perEntry, code(get(value), get(end), i32.ne)),
    ),
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
function backwardFunction(width: number, arithmetic: Arithmetic, first: boolean) {
  const type = floatType(arithmetic.precision);
  const builder = new FunctionBuilder(first ? 'backwardFirst' : 'backward');
  const [
    columnStart,
    pixelCount,
    columnSample,
    columnValue,
    deltaRows,
    deltaStride,
    sampleCount,
    delta,
    gradient,
  ] = builder.parameters(
    'columnStart', // of the block's first pixel, advanced by one pixel per iteration
    'pixelCount',
    'columnSample',
    'columnValue',
    'deltaRows', // of the block's first sample at the group's first neuron
    'deltaStride',
    'sampleCount',
    'delta', // the copy of the rows, width numbers each
    'gradient', // the group's sums of the current pixel, advanced by one pixel per iteration
  );
  // The entry's sample and value addresses walk the two arrays (cheaper than indexing both).
  const sample = builder.local('sample', 'i32');
  const end = builder.local('end', 'i32');
  const value = builder.local('value', 'i32');
  const row = builder.local('row', 'i32');
  const v = builder.local('v', type.valueType);
  const vv = builder.local('vv', 'v128');
  const acc = accumulators(builder, width, arithmetic);
  const rowBytes = type.bytes * width;
  // The copy goes through the accumulators: whole vectors, then the neurons left over.
  const copyRow = code(
    loadAccumulators(acc, deltaRows),
    storeAccumulators(acc, row, false),
    increment(deltaRows, get(deltaStride)),
    increment(row, rowBytes),
    set(sampleCount, code(get(sampleCount), i32.const(1), i32.sub)),
  );
  const copyDelta = code(
    set(row, get(delta)),
    unless(code(get(sampleCount), i32.eqz), doWhile(copyRow, get(sampleCount))),
  );
  const perEntry = code(
    loadPixel(type, value, v, vv),
    // row = the address of this sample's Δ⁽¹⁾ of the group: delta + sample·bytes·width
    set(row, code(get(delta), get(sample), i32.load8_u(), i32.const(rowBytes), i32.mul, i32.add)),
    multiplyAdd(acc, row, v, vv),
    increment(sample, 1),
    increment(value, 1),
  );
  const entries = doWhile(perEntry, code(get(sample), get(end), i32.ne));
  const noEntries = code(get(sample), get(end), i32.ge_u);
  const perPixel = code(
    set(sample, code(get(columnStart), i32.load(0), get(columnSample), i32.add)),
    set(end, code(get(columnStart), i32.load(4), get(columnSample), i32.add)),
    set(value, code(get(columnStart), i32.load(0), get(columnValue), i32.add)),
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
    increment(gradient, type.bytes * width),
    increment(columnStart, 4),
    set(pixelCount, code(get(pixelCount), i32.const(1), i32.sub)),
  );
  return builder.build(
    code(copyDelta, unless(code(get(pixelCount), i32.eqz), doWhile(perPixel, get(pixelCount)))),
  );
}

/** The splat of the f32 at `offset` from the address in `entry`, in `type`'s lanes. */
function splatValue(type: FloatType, entry: Local, offset: number): number[] {
  const splat = code(get(entry), v128.load32_splat(offset));
  return type.precision === 'f32' ? splat : code(splat, f64x2.promote_low_f32x4);
}

/** The locals of a paired kernel's loop: its two accumulator sets, the row and value splats. */
interface PairLocals {
  readonly a: Local[];
  readonly b: Local[];
  readonly loaded: Local[];
  readonly entry: Local;
  readonly end: Local;
  readonly row: Local;
  readonly va: Local;
  readonly vb: Local;
}

/** Declares a paired kernel's loop locals, named for the WAT text. */
function pairLocals(builder: FunctionBuilder): PairLocals {
  const vectors = (name: string) =>
    Array.from({ length: PAIRED_VECTORS }, (_, k) => builder.local(`${name}${k}`, 'v128'));
  return {
    a: vectors('a'),
    b: vectors('b'),
    loaded: vectors('row'),
    entry: builder.local('entry', 'i32'),
    end: builder.local('end', 'i32'),
    row: builder.local('rowAddress', 'i32'),
    va: builder.local('va', 'v128'),
    vb: builder.local('vb', 'v128'),
  };
}

/**
 * The loop over the entries from `entry` to `end` (addresses in the triples): row = base +
 * offset, then a += va·row and b += vb·row vector by vector, each row vector loaded once.
 */
function pairedEntries(arithmetic: Arithmetic, l: PairLocals, base: Local): number[] {
  const type = floatType(arithmetic.precision);
  const perEntry = code(
    set(l.row, code(get(l.entry), i32.load(0), get(base), i32.add)),
    set(l.va, splatValue(type, l.entry, 4)),
    set(l.vb, splatValue(type, l.entry, 8)),
    ...l.loaded.map((loaded, k) =>
      code(
        set(loaded, code(get(l.row), v128.load(16 * k))),
        set(l.a[k], multiplyAddCode(arithmetic, true, get(l.a[k]), get(l.va), get(loaded))),
        set(l.b[k], multiplyAddCode(arithmetic, true, get(l.b[k]), get(l.vb), get(loaded))),
      ),
    ),
    increment(l.entry, 12),
  );
  return unless(
    code(get(l.entry), get(l.end), i32.ge_u),
    doWhile(perEntry, code(get(l.entry), get(l.end), i32.ne)),
  );
}

/** entry and end = the addresses of pair `start`'s entries (start: the address of its start). */
function pairRange(l: PairLocals, start: Local, triples: Local): number[] {
  const at = (offset: number) =>
    code(get(start), i32.load(offset), i32.const(12), i32.mul, get(triples), i32.add);
  return code(set(l.entry, at(0)), set(l.end, at(4)));
}

/** The paired forward kernel; all arguments are byte addresses or counts. */
function pairedForwardFunction(arithmetic: Arithmetic) {
  const type = floatType(arithmetic.precision);
  const builder = new FunctionBuilder('forward');
  const [pairStart, pairCount, triples, weights, bias, Z, zStride] = builder.parameters(
    'pairStart', // of the first pair, advanced by one pair per iteration
    'pairCount',
    'triples',
    'weights',
    'bias',
    'Z', // of the pair's first sample's first neuron of the group
    'zStride',
  );
  const l = pairLocals(builder);
  const perPair = code(
    loadVectors(l.a, bias, 0),
    loadVectors(l.b, bias, 0),
    pairRange(l, pairStart, triples),
    pairedEntries(arithmetic, l, weights),
    storeVectors(type, l.a, Z, 0, false),
    increment(Z, get(zStride)),
    storeVectors(type, l.b, Z, 0, false),
    increment(Z, get(zStride)),
    increment(pairStart, 4),
    set(pairCount, code(get(pairCount), i32.const(1), i32.sub)),
  );
  return builder.build(unless(code(get(pairCount), i32.eqz), doWhile(perPair, get(pairCount))));
}

/**
 * The paired backward kernel; all arguments are byte addresses or counts. As `backwardFirst`
 * it stores the block's sums instead of adding them (see backwardFunction).
 */
function pairedBackwardFunction(arithmetic: Arithmetic, first: boolean) {
  const type = floatType(arithmetic.precision);
  const builder = new FunctionBuilder(first ? 'backwardFirst' : 'backward');
  const [pairStart, pairCount, triples, deltaRows, deltaStride, sampleCount, delta, gradient] =
    builder.parameters(
      'pairStart', // of the block's first pixel pair, advanced by one pair per iteration
      'pairCount',
      'triples',
      'deltaRows', // of the block's first sample at the group's first neuron
      'deltaStride',
      'sampleCount',
      'delta', // the copy of the rows, PAIRED_ROW_BYTES each
      'gradient', // the group's sums of the pair's first pixel, advanced by two pixels per pair
    );
  const l = pairLocals(builder);
  const copy = code(
    set(l.row, get(delta)),
    unless(
      code(get(sampleCount), i32.eqz),
      doWhile(
        code(
          loadVectors(l.a, deltaRows, 0),
          storeVectors(type, l.a, l.row, 0, false),
          increment(deltaRows, get(deltaStride)),
          increment(l.row, PAIRED_ROW_BYTES),
          set(sampleCount, code(get(sampleCount), i32.const(1), i32.sub)),
        ),
        get(sampleCount),
      ),
    ),
  );
  const zero = code(...[...l.a, ...l.b].map((v) => set(v, v128.zero)));
  const store = code(
    storeVectors(type, l.a, gradient, 0, !first),
    storeVectors(type, l.b, gradient, PAIRED_ROW_BYTES, !first),
  );
  const perPair = code(
    pairRange(l, pairStart, triples),
    first
      ? code(zero, pairedEntries(arithmetic, l, delta), store)
      : // A pair that no sample of the block has adds nothing: skip its loads and stores.
        unless(
          code(get(l.entry), get(l.end), i32.ge_u),
          code(zero, pairedEntries(arithmetic, l, delta), store),
        ),
    increment(gradient, 2 * PAIRED_ROW_BYTES),
    increment(pairStart, 4),
    set(pairCount, code(get(pairCount), i32.const(1), i32.sub)),
  );
  return builder.build(
    code(copy, unless(code(get(pairCount), i32.eqz), doWhile(perPair, get(pairCount)))),
  );
}

const pairedModules = new Map<string, Uint8Array>();

/** The module of the paired kernels (built once per arithmetic). */
export function pairedInputModule(arithmetic: Arithmetic = EXACT_F64): Uint8Array {
  const key = `${arithmetic.precision} ${arithmetic.fused}`;
  let bytes = pairedModules.get(key);
  if (bytes === undefined) {
    bytes = buildModule([
      pairedForwardFunction(arithmetic),
      pairedBackwardFunction(arithmetic, false),
      pairedBackwardFunction(arithmetic, true),
    ]);
    pairedModules.set(key, bytes);
  }
  return bytes;
}

/** The paired kernels over `memory`, in `arithmetic`. */
export function pairedInputKernels(
  memory: WasmMemory,
  arithmetic: Arithmetic = EXACT_F64,
): PairedKernels {
  const module = new KernelModule(pairedInputModule(arithmetic), memory);
  const forward = module.kernel('forward');
  const backward = module.kernel('backward');
  const backwardFirst = module.kernel('backwardFirst');
  const width = PAIRED_ROW_BYTES / floatType(arithmetic.precision).bytes;
  const even = (name: string, value: number) => {
    if (value % 2 !== 0)
      throw new RangeError(`the paired kernels take an even ${name}, got ${value}`);
  };
  return {
    forward(Z, rows, first, count, weights, bias) {
      even('first sample', first);
      const pairs = Math.ceil(count / 2);
      if (pairs === 0) return;
      forward(
        address(rows.start, first / 2, pairs + 1),
        pairs,
        rows.triples.byteOffset,
        address(weights, 0, width),
        address(bias, 0, width),
        address(Z.matrix, Z.column, (2 * pairs - 1) * Z.rowLength + width),
        Z.matrix.BYTES_PER_ELEMENT * Z.rowLength,
      );
    },
    backward(gradient, columns, block, pixelCount, delta, sampleCount, deltaCopy, first) {
      even('pixel count', pixelCount);
      const pixelPairs = pixelCount / 2;
      if (pixelPairs === 0) return;
      const rows = Math.max(0, sampleCount - 1) * delta.rowLength + width;
      (first ? backwardFirst : backward)(
        address(columns.start, block * pixelPairs, pixelPairs + 1),
        pixelPairs,
        columns.triples.byteOffset,
        address(delta.matrix, delta.column, sampleCount === 0 ? 0 : rows),
        delta.matrix.BYTES_PER_ELEMENT * delta.rowLength,
        sampleCount,
        address(deltaCopy, 0, sampleCount * width),
        address(gradient, 0, 2 * pixelPairs * width),
      );
    },
  };
}

const modules = new Map<string, Uint8Array>();

/** The module of the kernels for groups of `width` neurons (built once per width and arithmetic). */
export function inputModule(width: number, arithmetic: Arithmetic = EXACT_F64): Uint8Array {
  const key = `${width} ${arithmetic.precision} ${arithmetic.fused}`;
  let bytes = modules.get(key);
  if (bytes === undefined) {
    bytes = buildModule([
      forwardFunction(width, arithmetic),
      backwardFunction(width, arithmetic, false),
      backwardFunction(width, arithmetic, true),
    ]);
    modules.set(key, bytes);
  }
  return bytes;
}

/** The kernels for groups of `width` neurons over `memory`, in `arithmetic`. */
export function inputKernels(
  width: number,
  memory: WasmMemory,
  arithmetic: Arithmetic = EXACT_F64,
): InputKernels {
  const module = new KernelModule(inputModule(width, arithmetic), memory);
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
        Z.matrix.BYTES_PER_ELEMENT * Z.rowLength,
      );
    },
    backward(gradient, columns, block, pixelCount, delta, sampleCount, deltaCopy, first) {
      if (pixelCount === 0) return;
      const rows = Math.max(0, sampleCount - 1) * delta.rowLength + width;
      const deltaRows = address(delta.matrix, delta.column, sampleCount === 0 ? 0 : rows);
      // A group that has whole rows of Δ⁽¹⁾ reads them where they are: they are compact.
      const inPlace = delta.rowLength === width;
      (first ? backwardFirst : backward)(
        address(columns.start, block * pixelCount, pixelCount + 1),
        pixelCount,
        columns.sample.byteOffset,
        columns.value.byteOffset,
        deltaRows,
        delta.matrix.BYTES_PER_ELEMENT * delta.rowLength,
        inPlace ? 0 : sampleCount,
        inPlace ? deltaRows : address(deltaCopy, 0, sampleCount * width),
        address(gradient, 0, pixelCount * width),
      );
    },
  };
}
