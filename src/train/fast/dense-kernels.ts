/**
 * The layers after the first over one block of samples, as WebAssembly: one module for every
 * size (per arithmetic), with SIMD along the contiguous dimension. Every output element is
 * summed term by term in the JavaScript order (`sum += x * y` with the same x, y and the same
 * sequence), so in exact f64 the results are the reference engine's, and in any arithmetic they
 * are independent of the thread count. All matrices are sample-major (block samples × n).
 */
import type { FloatArray } from './input-kernels.js';
import type { Arithmetic, Code, FloatType, Local } from './wasm-module.js';
import {
  EXACT_F64,
  FunctionBuilder,
  f64,
  element,
  floatType,
  lanes,
  multiplyAdd,
  rowAddress,
  buildModule,
  code,
  forEach,
  forEachVector,
  get,
  i32,
  ifThen,
  increment,
  memoryFill,
  set,
  v128,
} from './wasm-module.js';
import type { WasmMemory } from './wasm.js';
import { KernelModule, address } from './wasm.js';

/** The block kernels of the dense layers. Each view starts at the kernel's first element. */
export interface DenseKernels {
  /** A = ReLU(Z) = (Z > 0 ? Z : 0) over `length` entries. */
  relu(A: FloatArray, Z: FloatArray, length: number): void;
  /** target = target ⊙ factors over `length` entries (dropout's R/(1 − p) on A and on Δ). */
  multiply(target: FloatArray, factors: FloatArray, length: number): void;
  /**
   * Z = W·A + B for `count` samples (MATH.md, Forward), with WT = Wᵀ (nIn × nOut) so that pairs
   * of neurons read adjacent weights (by rows of WT when it is larger than ROW_ORDER_BYTES);
   * every sum in input order; Z: count × nOut, b: nOut, A: count × nIn.
   */
  forward(
    Z: FloatArray,
    WT: FloatArray,
    b: FloatArray,
    A: FloatArray,
    count: number,
    nOut: number,
    nIn: number,
  ): void;
  /**
   * ∂C/∂W += Δ·Aᵀ and ∂C/∂b += Σ columns of Δ, unscaled, skipping zero Δ entries (MATH.md,
   * Backward); gradientW: nOut × nIn, gradientB: nOut, Δ: count × nOut, A: count × nIn.
   */
  gradient(
    gradientW: FloatArray,
    gradientB: FloatArray,
    delta: FloatArray,
    A: FloatArray,
    count: number,
    nOut: number,
    nIn: number,
  ): void;
  /**
   * Δ⁽ℓ⁻¹⁾ = ReLU′(Z⁽ℓ⁻¹⁾) ⊙ (W⁽ℓ⁾)ᵀΔ⁽ℓ⁾ with ReLU′(0) = 0 (MATH.md, Backward); previous and Z:
   * count × nIn, W: nOut × nIn, Δ: count × nOut.
   */
  backDelta(
    previous: FloatArray,
    W: FloatArray,
    delta: FloatArray,
    Z: FloatArray,
    count: number,
    nOut: number,
    nIn: number,
  ): void;
  /** ∂C/∂b += Σ columns of Δ, unscaled; gradientB: n, Δ: count × n. */
  biasGradient(gradientB: FloatArray, delta: FloatArray, count: number, n: number): void;
}

/** target[k] = target[k] + factor·source[k] for the element(s) at index `k`, vector or scalar. */
function multiplyAddInto(
  arithmetic: Arithmetic,
  target: Local,
  source: Local,
  k: Local,
  factor: Local,
  vector: boolean,
): number[] {
  const { load, store } = lanes(vector, arithmetic.precision);
  const shift = floatType(arithmetic.precision).shift;
  return code(
    element(target, k, shift),
    multiplyAdd(
      arithmetic,
      vector,
      code(element(target, k, shift), load),
      get(factor),
      code(element(source, k, shift), load),
    ),
    store,
  );
}

/**
 * target[0..length) += d · source[0..length), a vector at a time (`dv` gets d splatted); the
 * term order per element is the scalar one, so results do not depend on the vector width.
 */
function addScaledRow(
  arithmetic: Arithmetic,
  target: Local,
  source: Local,
  counter: Local,
  length: Local,
  d: Local,
  dv: Local,
): number[] {
  const type = floatType(arithmetic.precision);
  return code(
    set(dv, code(get(d), type.vector.splat)),
    forEachVector(
      counter,
      length,
      type.lanes,
      multiplyAddInto(arithmetic, target, source, counter, dv, true),
      multiplyAddInto(arithmetic, target, source, counter, d, false),
    ),
  );
}

/**
 * target[k] = source[k] where gate[k] > 0, else +0, for the element(s) at index `k`; branch-free
 * (a comparison mask and a bitwise and), as ReLU's sign pattern is unpredictable.
 */
function keepPositive(
  type: FloatType,
  target: Local,
  source: Local,
  gate: Local,
  k: Local,
  vector: boolean,
): number[] {
  const at = (base: Local) => element(base, k, type.shift);
  if (vector) {
    return code(
      at(target),
      at(source),
      v128.load(),
      at(gate),
      v128.load(),
      v128.zero,
      type.vector.gt,
      v128.and,
      v128.store(),
    );
  }
  const { scalar } = type;
  return code(
    at(target),
    at(source),
    scalar.load(),
    scalar.const(0),
    at(gate),
    scalar.load(),
    scalar.const(0),
    scalar.gt,
    SELECT,
    scalar.store(),
  );
}

/** select: the first operand if the i32 on top is non-zero, else the second (any value type). */
const SELECT = f64.select;

/** keepPositive over the `length` elements of three arrays, a vector at a time. */
function keepPositiveRow(
  type: FloatType,
  target: Local,
  source: Local,
  gate: Local,
  k: Local,
  length: Local,
): number[] {
  return forEachVector(
    k,
    length,
    type.lanes,
    keepPositive(type, target, source, gate, k, true),
    keepPositive(type, target, source, gate, k, false),
  );
}

/** The `relu` function. */
function reluFunction(type: FloatType) {
  const builder = new FunctionBuilder('relu');
  const [A, Z, length] = builder.parameters('A', 'Z', 'length');
  const k = builder.local('k', 'i32');
  return builder.build(keepPositiveRow(type, A, Z, Z, k, length));
}

/** The `multiply` function. */
function multiplyFunction(type: FloatType) {
  const builder = new FunctionBuilder('multiply');
  const [target, factors, length] = builder.parameters('target', 'factors', 'length');
  const k = builder.local('k', 'i32');
  const product = (vector: boolean): number[] => {
    const { load, store, mul } = lanes(vector, type.precision);
    return code(
      element(target, k, type.shift),
      element(target, k, type.shift),
      load,
      element(factors, k, type.shift),
      load,
      mul,
      store,
    );
  };
  return builder.build(forEachVector(k, length, type.lanes, product(true), product(false)));
}

/** The `forward` function. */
function forwardFunction(arithmetic: Arithmetic) {
  const type = floatType(arithmetic.precision);
  const builder = new FunctionBuilder('forward');
  const [Z, WT, b, A, count, nOut, nIn] = builder.parameters(
    'Z',
    'WT',
    'b',
    'A',
    'count',
    'nOut',
    'nIn',
  );
  const s = builder.local('s', 'i32');
  const i = builder.local('i', 'i32');
  const j = builder.local('j', 'i32');
  const zRow = builder.local('zRow', 'i32');
  const aRow = builder.local('aRow', 'i32');
  const w = builder.local('w', 'i32'); // the address of WT[j][i]
  const rowBytes = builder.local('rowBytes', 'i32'); // of a row of WT
  const vectorSum = builder.local('vectorSum', 'v128');
  const scalarSum = builder.local('scalarSum', type.valueType);
  // One output (or vector of them) over all inputs: sum = b; sum += A[j]·WT[j] for j ascending.
  const dot = (vector: boolean): number[] => {
    const { load, store } = lanes(vector, type.precision);
    const [sum, splat] = vector ? [vectorSum, type.vector.splat] : [scalarSum, []];
    return code(
      set(sum, code(element(b, i, type.shift), load)),
      set(w, element(WT, i, type.shift)),
      forEach(
        j,
        nIn,
        code(
          set(
            sum,
            multiplyAdd(
              arithmetic,
              vector,
              get(sum),
              code(element(aRow, j, type.shift), type.scalar.load(), splat),
              code(get(w), load),
            ),
          ),
          increment(w, get(rowBytes)),
        ),
      ),
      element(zRow, i, type.shift),
      get(sum),
      store,
    );
  };
  return builder.build(
    code(
      set(rowBytes, code(get(nOut), i32.const(type.shift), i32.shl)),
      forEach(
        s,
        count,
        code(
          set(zRow, rowAddress(Z, s, nOut, type.shift)),
          set(aRow, rowAddress(A, s, nIn, type.shift)),
          forEachVector(i, nOut, type.lanes, dot(true), dot(false)),
        ),
      ),
    ),
  );
}

/** if (d ≠ 0) body, for the scalar local d: a zero factor adds nothing. */
function ifNonZero(type: FloatType, d: Local, body: Code): number[] {
  return ifThen(code(get(d), type.scalar.const(0), type.scalar.ne), body);
}

/**
 * The `forwardRows` function, for a Wᵀ too big for the cache: per sample, Z row = b, then Z row
 * += A[j]·(row j of Wᵀ) for j ascending, zero activations skipped. Every output's sum comes in
 * the dot product's order (the same bits), but Wᵀ is read row by row instead of down its columns,
 * where each 64-byte line would give only the 16 bytes of one vector of outputs.
 */
function forwardRowsFunction(arithmetic: Arithmetic) {
  const type = floatType(arithmetic.precision);
  const builder = new FunctionBuilder('forwardRows');
  const [Z, WT, b, A, count, nOut, nIn] = builder.parameters(
    'Z',
    'WT',
    'b',
    'A',
    'count',
    'nOut',
    'nIn',
  );
  const s = builder.local('s', 'i32');
  const j = builder.local('j', 'i32');
  const k = builder.local('k', 'i32');
  const zRow = builder.local('zRow', 'i32');
  const aRow = builder.local('aRow', 'i32');
  const wRow = builder.local('wRow', 'i32'); // row j of Wᵀ
  const a = builder.local('a', type.valueType);
  const av = builder.local('av', 'v128');
  const copyBias = (vector: boolean): number[] => {
    const { load, store } = lanes(vector, type.precision);
    return code(element(zRow, k, type.shift), element(b, k, type.shift), load, store);
  };
  const perInput = code(
    set(a, code(element(aRow, j, type.shift), type.scalar.load())),
    ifNonZero(
      type,
      a,
      code(
        set(wRow, rowAddress(WT, j, nOut, type.shift)),
        addScaledRow(arithmetic, zRow, wRow, k, nOut, a, av),
      ),
    ),
  );
  return builder.build(
    forEach(
      s,
      count,
      code(
        set(zRow, rowAddress(Z, s, nOut, type.shift)),
        set(aRow, rowAddress(A, s, nIn, type.shift)),
        forEachVector(k, nOut, type.lanes, copyBias(true), copyBias(false)),
        forEach(j, nIn, perInput),
      ),
    ),
  );
}

/** The `gradient` function. */
function gradientFunction(arithmetic: Arithmetic) {
  const type = floatType(arithmetic.precision);
  const { scalar } = type;
  const builder = new FunctionBuilder('gradient');
  const [gW, gB, delta, A, count, nOut, nIn] = builder.parameters(
    'gW',
    'gB',
    'delta',
    'A',
    'count',
    'nOut',
    'nIn',
  );
  const s = builder.local('s', 'i32');
  const i = builder.local('i', 'i32');
  const j = builder.local('j', 'i32');
  const dRow = builder.local('dRow', 'i32');
  const aRow = builder.local('aRow', 'i32');
  const gRow = builder.local('gRow', 'i32');
  const d = builder.local('d', type.valueType);
  const dv = builder.local('dv', 'v128');
  const perOutput = code(
    set(d, code(element(dRow, i, type.shift), scalar.load())),
    ifNonZero(
      type,
      d,
      code(
        element(gB, i, type.shift),
        element(gB, i, type.shift),
        scalar.load(),
        get(d),
        scalar.add,
        scalar.store(),
        set(gRow, rowAddress(gW, i, nIn, type.shift)),
        addScaledRow(arithmetic, gRow, aRow, j, nIn, d, dv),
      ),
    ),
  );
  return builder.build(
    forEach(
      s,
      count,
      code(
        set(dRow, rowAddress(delta, s, nOut, type.shift)),
        set(aRow, rowAddress(A, s, nIn, type.shift)),
        forEach(i, nOut, perOutput),
      ),
    ),
  );
}

/** The `backDelta` function. */
function backDeltaFunction(arithmetic: Arithmetic) {
  const type = floatType(arithmetic.precision);
  const builder = new FunctionBuilder('backDelta');
  const [previous, W, delta, Z, count, nOut, nIn] = builder.parameters(
    'previous',
    'W',
    'delta',
    'Z',
    'count',
    'nOut',
    'nIn',
  );
  const s = builder.local('s', 'i32');
  const i = builder.local('i', 'i32');
  const j = builder.local('j', 'i32');
  const pRow = builder.local('pRow', 'i32');
  const dRow = builder.local('dRow', 'i32');
  const wRow = builder.local('wRow', 'i32');
  const zRow = builder.local('zRow', 'i32');
  const d = builder.local('d', type.valueType);
  const dv = builder.local('dv', 'v128');
  const perOutput = code(
    set(d, code(element(dRow, i, type.shift), type.scalar.load())),
    ifNonZero(
      type,
      d,
      code(
        set(wRow, rowAddress(W, i, nIn, type.shift)),
        addScaledRow(arithmetic, pRow, wRow, j, nIn, d, dv),
      ),
    ),
  );
  return builder.build(
    forEach(
      s,
      count,
      code(
        set(pRow, rowAddress(previous, s, nIn, type.shift)),
        set(dRow, rowAddress(delta, s, nOut, type.shift)),
        set(zRow, rowAddress(Z, s, nIn, type.shift)),
        // previous row = 0, then += Δᵢ·W row i for every i
        get(pRow),
        i32.const(0),
        get(nIn),
        i32.const(type.shift),
        i32.shl,
        memoryFill,
        forEach(i, nOut, perOutput),
        // previous = 0 where Z ≤ 0 (or NaN), as `if (!(Z > 0)) previous = 0`.
        keepPositiveRow(type, pRow, pRow, zRow, j, nIn),
      ),
    ),
  );
}

/** The `biasGradient` function. */
function biasGradientFunction(type: FloatType) {
  const builder = new FunctionBuilder('biasGradient');
  const [gB, delta, count, n] = builder.parameters('gB', 'delta', 'count', 'n');
  const s = builder.local('s', 'i32');
  const k = builder.local('k', 'i32');
  const dRow = builder.local('dRow', 'i32');
  const { scalar } = type;
  const add = code(
    element(gB, k, type.shift),
    element(gB, k, type.shift),
    scalar.load(),
    element(dRow, k, type.shift),
    scalar.load(),
    scalar.add,
    scalar.store(),
  );
  return builder.build(
    forEach(s, count, code(set(dRow, rowAddress(delta, s, n, type.shift)), forEach(k, n, add))),
  );
}

/**
 * Above this size of Wᵀ (half the 512 KiB L2 cache of the development machine) the forward
 * kernel reads Wᵀ by rows: 784-512-256-10's 1 MiB W⁽²⁾ steps took 25% less time; below it the
 * dot products keep their sums in registers and are faster (784-64-32-10: 17%).
 */
export const ROW_ORDER_BYTES = 256 * 1024;

const modules = new Map<string, Uint8Array>();

/** The module of the dense-layer kernels (built once per arithmetic). */
export function denseModule(arithmetic: Arithmetic = EXACT_F64): Uint8Array {
  const key = `${arithmetic.precision} ${arithmetic.fused}`;
  let bytes = modules.get(key);
  if (bytes === undefined) {
    const type = floatType(arithmetic.precision);
    bytes = buildModule([
      reluFunction(type),
      multiplyFunction(type),
      forwardFunction(arithmetic),
      forwardRowsFunction(arithmetic),
      gradientFunction(arithmetic),
      backDeltaFunction(arithmetic),
      biasGradientFunction(type),
    ]);
    modules.set(key, bytes);
  }
  return bytes;
}

/** The dense-layer kernels over `memory`, in `arithmetic`, called with views into it. */
export function denseKernels(memory: WasmMemory, arithmetic: Arithmetic = EXACT_F64): DenseKernels {
  const module = new KernelModule(denseModule(arithmetic), memory);
  const relu = module.kernel('relu');
  const multiply = module.kernel('multiply');
  const forward = module.kernel('forward');
  const forwardRows = module.kernel('forwardRows');
  const gradient = module.kernel('gradient');
  const backDelta = module.kernel('backDelta');
  const biasGradient = module.kernel('biasGradient');
  return {
    relu(A, Z, length) {
      relu(address(A, 0, length), address(Z, 0, length), length);
    },
    multiply(target, factors, length) {
      multiply(address(target, 0, length), address(factors, 0, length), length);
    },
    forward(Z, WT, b, A, count, nOut, nIn) {
      // Past the cache, Wᵀ read down its columns costs a line per vector of outputs: by rows then.
      const byRows = WT.BYTES_PER_ELEMENT * nIn * nOut > ROW_ORDER_BYTES;
      (byRows ? forwardRows : forward)(
        address(Z, 0, count * nOut),
        address(WT, 0, nIn * nOut),
        address(b, 0, nOut),
        address(A, 0, count * nIn),
        count,
        nOut,
        nIn,
      );
    },
    gradient(gradientW, gradientB, delta, A, count, nOut, nIn) {
      gradient(
        address(gradientW, 0, nOut * nIn),
        address(gradientB, 0, nOut),
        address(delta, 0, count * nOut),
        address(A, 0, count * nIn),
        count,
        nOut,
        nIn,
      );
    },
    backDelta(previous, W, delta, Z, count, nOut, nIn) {
      backDelta(
        address(previous, 0, count * nIn),
        address(W, 0, nOut * nIn),
        address(delta, 0, count * nOut),
        address(Z, 0, count * nIn),
        count,
        nOut,
        nIn,
      );
    },
    biasGradient(gradientB, delta, count, n) {
      biasGradient(address(gradientB, 0, n), address(delta, 0, count * n), count, n);
    },
  };
}
