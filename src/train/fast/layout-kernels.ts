/**
 * Kernels that move numbers between the engine's layouts and the caller's: the chunk sums added
 * into a gradient, and transposes (the first layer's weights are kept as (W⁽¹⁾)ᵀ/255 by neuron
 * group, later layers' as Wᵀ too, for the forward kernels). Each element is computed exactly as
 * the plain loop in its comment, so results do not depend on the vector width or the thread.
 * The engine's parameters and gradients are f64; what the kernels compute with may be f32: then
 * the sums are read as f32 and added in f64, and the forward copies rounded to f32 on the way.
 */
import type { FloatArray } from './input-kernels.js';
import type { FloatType } from './wasm-module.js';
import {
  FunctionBuilder,
  buildModule,
  code,
  element,
  floatType,
  rowAddress,
  v128,
  f32,
  f64,
  f64x2,
  forEach,
  forEachPair,
  get,
  i32,
  increment,
  lanes,
  set,
} from './wasm-module.js';
import type { WasmMemory } from './wasm.js';
import { KernelModule, address } from './wasm.js';

/** The layout kernels. Each view starts at the kernel's first element. */
export interface LayoutKernels {
  /**
   * total[p] = (Σ over chunks c, in chunk order, of partials[c·stride + p]) · scale, for
   * p < length: the chunks' gradient sums (f64, or f32 added in f64) added and made a mean.
   * chunkCount ≥ 1.
   */
  sumChunks(
    total: Float64Array,
    partials: FloatArray,
    length: number,
    chunkCount: number,
    stride: number,
    scale: number,
  ): void;
  /**
   * target[j·targetStride + i] = source[i·sourceStride + j] / divisor for i < rows, j < columns:
   * a transpose (of a block of rows), divided on the way (by 1: a copy); an f32 target gets
   * source · (1 / divisor) rounded to f32 (no division per element).
   */
  transpose(
    target: FloatArray,
    targetStride: number,
    source: Float64Array,
    sourceStride: number,
    rows: number,
    columns: number,
    divisor: number,
  ): void;
  /** target[k] = source[k] rounded to the nearest f32, for k < length. */
  narrow(target: Float32Array, source: Float64Array, length: number): void;
}

/** The `sumChunks` function for f64 partial sums, or `sumChunksF32` for f32 ones. */
function sumChunksFunction(partialType: FloatType) {
  const narrow = partialType.precision === 'f32';
  const builder = new FunctionBuilder(narrow ? 'sumChunksF32' : 'sumChunks');
  const [total, partials, length, chunkCount, stride] = builder.parameters(
    'total',
    'partials',
    'length',
    'chunkCount',
    'stride',
  );
  const [scale] = builder.floatParameters('scale');
  const p = builder.local('p', 'i32');
  const c = builder.local('c', 'i32');
  const q = builder.local('q', 'i32'); // the address of partials[c·stride + p]
  const strideBytes = builder.local('strideBytes', 'i32');
  const more = builder.local('more', 'i32'); // chunks after the first
  const pair = builder.local('pair', 'v128');
  const single = builder.local('single', 'f64');
  const scales = builder.local('scales', 'v128');
  // sum = partials[p]; sum += partials[c·stride + p] for c = 1, 2, … (the JavaScript order).
  const column = (vector: boolean): number[] => {
    const { store, add, mul } = lanes(vector);
    const wide = vector
      ? code(v128.load64_zero(), f64x2.promote_low_f32x4)
      : f32.load().concat(f32.promote);
    const load = narrow ? wide : lanes(vector).load;
    const [sum, factor] = vector ? [pair, scales] : [single, scale];
    return code(
      set(q, element(partials, p, partialType.shift)),
      set(sum, code(get(q), load)),
      forEach(
        c,
        more,
        code(increment(q, get(strideBytes)), set(sum, code(get(sum), get(q), load, add))),
      ),
      element(total, p),
      get(sum),
      get(factor),
      mul,
      store,
    );
  };
  return builder.build(
    code(
      set(strideBytes, code(get(stride), i32.const(partialType.shift), i32.shl)),
      set(more, code(get(chunkCount), i32.const(1), i32.sub)),
      set(scales, code(get(scale), f64x2.splat)),
      forEachPair(p, length, column(true), column(false)),
    ),
  );
}

/**
 * The `transpose` function, or with `divided` the `transposeDivided` one (with an f32 target,
 * `transposeF32` and `transposeDividedF32`): down each source row two elements at a time (one
 * f64x2 load, and division), then each lane to its target row.
 */
function transposeFunction(divided: boolean, targetType: FloatType) {
  const narrow = targetType.precision === 'f32';
  const name = `${divided ? 'transposeDivided' : 'transpose'}${narrow ? 'F32' : ''}`;
  const builder = new FunctionBuilder(name);
  const [target, targetStride, source, sourceStride, rows, columns] = builder.parameters(
    'target',
    'targetStride',
    'source',
    'sourceStride',
    'rows',
    'columns',
  );
  const [divisor] = divided ? builder.floatParameters('divisor') : [];
  const i = builder.local('i', 'i32');
  const j = builder.local('j', 'i32');
  const from = builder.local('from', 'i32'); // the address of source[i·sourceStride + j]
  const to = builder.local('to', 'i32'); // the address of target[j·targetStride + i]
  const toStep = builder.local('toStep', 'i32');
  const pair = builder.local('pair', 'v128');
  const divisors = builder.local('divisors', 'v128');
  // An f32 target takes the f64 product with 1 / divisor, rounded once to f32: within f32's
  // rounding of the quotient, without a division per pair (as adamGroupF32 makes the copies).
  const reciprocal = builder.local('reciprocal', 'f64');
  const quotient = (vector: boolean) => {
    if (divisor === undefined) return [];
    if (narrow) return code(get(vector ? divisors : reciprocal), vector ? f64x2.mul : f64.mul);
    return code(get(vector ? divisors : divisor), vector ? f64x2.div : f64.div);
  };
  // An f64 on the stack stored to the target: as is, or rounded to f32.
  const store = narrow ? code(f32.demote_f64, f32.store()) : f64.store();
  const twoColumns = code(
    set(pair, code(get(from), v128.load(), quotient(true))),
    code(get(to), get(pair), f64x2.extract_lane(0), store),
    increment(to, get(toStep)),
    code(get(to), get(pair), f64x2.extract_lane(1), store),
    increment(to, get(toStep)),
    increment(from, 16),
  );
  const oneColumn = code(get(to), get(from), f64.load(), quotient(false), store);
  return builder.build(
    code(
      set(toStep, code(get(targetStride), i32.const(targetType.shift), i32.shl)),
      divisor === undefined
        ? []
        : code(
            narrow ? set(reciprocal, code(f64.const(1), get(divisor), f64.div)) : [],
            set(divisors, code(get(narrow ? reciprocal : divisor), f64x2.splat)),
          ),
      forEach(
        i,
        rows,
        code(
          set(from, rowAddress(source, i, sourceStride)),
          set(to, element(target, i, targetType.shift)),
          forEachPair(j, columns, twoColumns, oneColumn),
        ),
      ),
    ),
  );
}

/** The `narrow` function: f64 to f32, one number at a time. */
function narrowFunction() {
  const builder = new FunctionBuilder('narrow');
  const [target, source, length] = builder.parameters('target', 'source', 'length');
  const k = builder.local('k', 'i32');
  return builder.build(
    forEach(
      k,
      length,
      code(element(target, k, 2), element(source, k), f64.load(), f32.demote_f64, f32.store()),
    ),
  );
}

let moduleBytes: Uint8Array | undefined;

/** The module of the layout kernels (built once). */
export function layoutModule(): Uint8Array {
  const [f64Type, f32Type] = [floatType('f64'), floatType('f32')];
  moduleBytes ??= buildModule([
    sumChunksFunction(f64Type),
    transposeFunction(false, f64Type),
    transposeFunction(true, f64Type),
    sumChunksFunction(f32Type),
    transposeFunction(false, f32Type),
    transposeFunction(true, f32Type),
    narrowFunction(),
  ]);
  return moduleBytes;
}

/** The layout kernels over `memory`, called with views into it. */
export function layoutKernels(memory: WasmMemory): LayoutKernels {
  const module = new KernelModule(layoutModule(), memory);
  // Each kernel by whether the array it reads or writes in the compute precision is f32.
  const variants = (name: string) => [module.kernel(name), module.kernel(`${name}F32`)] as const;
  const sumChunks = variants('sumChunks');
  const transpose = variants('transpose');
  const transposeDivided = variants('transposeDivided');
  const narrow = module.kernel('narrow');
  return {
    sumChunks(total, partials, length, chunkCount, stride, scale) {
      sumChunks[partials instanceof Float32Array ? 1 : 0](
        address(total, 0, length),
        address(partials, 0, (chunkCount - 1) * stride + length),
        length,
        chunkCount,
        stride,
        scale,
      );
    },
    transpose(target, targetStride, source, sourceStride, rows, columns, divisor) {
      if (rows === 0 || columns === 0) return;
      const addresses = [
        address(target, 0, (columns - 1) * targetStride + rows),
        targetStride,
        address(source, 0, (rows - 1) * sourceStride + columns),
        sourceStride,
        rows,
        columns,
      ];
      // x / 1 is x: a plain copy then, without the divisions.
      const variant = target instanceof Float32Array ? 1 : 0;
      if (divisor === 1) transpose[variant](...addresses);
      else transposeDivided[variant](...addresses, divisor);
    },
    narrow(target, source, length) {
      narrow(address(target, 0, length), address(source, 0, length), length);
    },
  };
}
