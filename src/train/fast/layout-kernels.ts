/**
 * Kernels that move numbers between the engine's layouts and the caller's: the chunk sums added
 * into a gradient, and transposes (the first layer's weights are kept as (W⁽¹⁾)ᵀ/255 by neuron
 * group, later layers' as Wᵀ too, for the forward kernels). Each element is computed exactly as
 * the plain loop in its comment, so results do not depend on the vector width or the thread.
 */
import {
  FunctionBuilder,
  buildModule,
  code,
  element,
  rowAddress,
  v128,
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
   * p < length: the chunks' gradient sums added and made a mean. chunkCount ≥ 1.
   */
  sumChunks(
    total: Float64Array,
    partials: Float64Array,
    length: number,
    chunkCount: number,
    stride: number,
    scale: number,
  ): void;
  /**
   * target[j·targetStride + i] = source[i·sourceStride + j] / divisor for i < rows, j < columns:
   * a transpose (of a block of rows), divided on the way (by 1: a copy).
   */
  transpose(
    target: Float64Array,
    targetStride: number,
    source: Float64Array,
    sourceStride: number,
    rows: number,
    columns: number,
    divisor: number,
  ): void;
}

/** The `sumChunks` function. */
function sumChunksFunction() {
  const builder = new FunctionBuilder('sumChunks');
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
    const { load, store, add, mul } = lanes(vector);
    const [sum, factor] = vector ? [pair, scales] : [single, scale];
    return code(
      set(q, element(partials, p)),
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
      set(strideBytes, code(get(stride), i32.const(3), i32.shl)),
      set(more, code(get(chunkCount), i32.const(1), i32.sub)),
      set(scales, code(get(scale), f64x2.splat)),
      forEachPair(p, length, column(true), column(false)),
    ),
  );
}

/**
 * The `transpose` function, or with `divided` the `transposeDivided` one: down each source row
 * two elements at a time (one f64x2 load, and division), then each lane to its target row.
 */
function transposeFunction(divided: boolean) {
  const builder = new FunctionBuilder(divided ? 'transposeDivided' : 'transpose');
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
  const quotient = (vector: boolean) =>
    divisor === undefined
      ? []
      : code(get(vector ? divisors : divisor), vector ? f64x2.div : f64.div);
  const twoColumns = code(
    set(pair, code(get(from), v128.load(), quotient(true))),
    code(get(to), get(pair), f64x2.extract_lane(0), f64.store()),
    increment(to, get(toStep)),
    code(get(to), get(pair), f64x2.extract_lane(1), f64.store()),
    increment(to, get(toStep)),
    increment(from, 16),
  );
  const oneColumn = code(get(to), get(from), f64.load(), quotient(false), f64.store());
  return builder.build(
    code(
      set(toStep, code(get(targetStride), i32.const(3), i32.shl)),
      divisor === undefined ? [] : set(divisors, code(get(divisor), f64x2.splat)),
      forEach(
        i,
        rows,
        code(
          set(from, rowAddress(source, i, sourceStride)),
          set(to, element(target, i)),
          forEachPair(j, columns, twoColumns, oneColumn),
        ),
      ),
    ),
  );
}

let moduleBytes: Uint8Array | undefined;

/** The module of the layout kernels (built once). */
export function layoutModule(): Uint8Array {
  moduleBytes ??= buildModule([
    sumChunksFunction(),
    transposeFunction(false),
    transposeFunction(true),
  ]);
  return moduleBytes;
}

/** The layout kernels over `memory`, called with views into it. */
export function layoutKernels(memory: WasmMemory): LayoutKernels {
  const module = new KernelModule(layoutModule(), memory);
  const sumChunks = module.kernel('sumChunks');
  const transpose = module.kernel('transpose');
  const transposeDivided = module.kernel('transposeDivided');
  return {
    sumChunks(total, partials, length, chunkCount, stride, scale) {
      sumChunks(
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
      if (divisor === 1) transpose(...addresses);
      else transposeDivided(...addresses, divisor);
    },
  };
}
