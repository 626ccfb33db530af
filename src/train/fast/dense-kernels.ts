/**
 * The layers after the first over one block of samples, as WebAssembly: one module for every
 * size, with f64x2 SIMD along the contiguous dimension. Every output element is still summed
 * term by term in the JavaScript order (`sum += x * y` with the same x, y and the same sequence),
 * so the results are exact and independent of the thread count. All matrices are sample-major
 * (block samples × n).
 */
import type { Code, Local } from './wasm-module.js';
import {
  FunctionBuilder,
  element,
  lanes,
  rowAddress,
  buildModule,
  code,
  f64,
  f64x2,
  forEach,
  forEachPair,
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
  relu(A: Float64Array, Z: Float64Array, length: number): void;
  /** target = target ⊙ factors over `length` entries (dropout's R/(1 − p) on A and on Δ). */
  multiply(target: Float64Array, factors: Float64Array, length: number): void;
  /**
   * Z = W·A + B for `count` samples (docs/math.md, Forward), with WT = Wᵀ (nIn × nOut) so that pairs
   * of neurons read adjacent weights (by rows of WT when it is larger than ROW_ORDER_BYTES);
   * every sum in input order; Z: count × nOut, b: nOut, A: count × nIn.
   */
  forward(
    Z: Float64Array,
    WT: Float64Array,
    b: Float64Array,
    A: Float64Array,
    count: number,
    nOut: number,
    nIn: number,
  ): void;
  /**
   * ∂C/∂W += Δ·Aᵀ and ∂C/∂b += Σ columns of Δ, unscaled, skipping zero Δ entries (docs/math.md,
   * Backward); gradientW: nOut × nIn, gradientB: nOut, Δ: count × nOut, A: count × nIn.
   */
  gradient(
    gradientW: Float64Array,
    gradientB: Float64Array,
    delta: Float64Array,
    A: Float64Array,
    count: number,
    nOut: number,
    nIn: number,
  ): void;
  /**
   * Δ⁽ℓ⁻¹⁾ = ReLU′(Z⁽ℓ⁻¹⁾) ⊙ (W⁽ℓ⁾)ᵀΔ⁽ℓ⁾ with ReLU′(0) = 0 (docs/math.md, Backward); previous and Z:
   * count × nIn, W: nOut × nIn, Δ: count × nOut.
   */
  backDelta(
    previous: Float64Array,
    W: Float64Array,
    delta: Float64Array,
    Z: Float64Array,
    count: number,
    nOut: number,
    nIn: number,
  ): void;
  /** ∂C/∂b += Σ columns of Δ, unscaled; gradientB: n, Δ: count × n. */
  biasGradient(gradientB: Float64Array, delta: Float64Array, count: number, n: number): void;
}

/** target[k] = target[k] + factor·source[k] for the element(s) at index `k`, vector or scalar. */
function multiplyAddInto(
  target: Local,
  source: Local,
  k: Local,
  factor: Local,
  vector: boolean,
): number[] {
  const { load, store, mul, add } = lanes(vector);
  return code(
    element(target, k),
    element(target, k),
    load,
    get(factor),
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
  target: Local,
  source: Local,
  counter: Local,
  length: Local,
  d: Local,
  dv: Local,
): number[] {
  return code(
    set(dv, code(get(d), f64x2.splat)),
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
  target: Local,
  source: Local,
  gate: Local,
  k: Local,
  vector: boolean,
): number[] {
  if (vector) {
    return code(
      element(target, k),
      element(source, k),
      v128.load(),
      element(gate, k),
      v128.load(),
      v128.zero,
      f64x2.gt,
      v128.and,
      v128.store(),
    );
  }
  return code(
    element(target, k),
    element(source, k),
    f64.load(),
    f64.const(0),
    element(gate, k),
    f64.load(),
    f64.const(0),
    f64.gt,
    f64.select,
    f64.store(),
  );
}

/** keepPositive over the `length` elements of three arrays, two at a time. */
function keepPositiveRow(
  target: Local,
  source: Local,
  gate: Local,
  k: Local,
  length: Local,
): number[] {
  return forEachPair(
    k,
    length,
    keepPositive(target, source, gate, k, true),
    keepPositive(target, source, gate, k, false),
  );
}

/** The `relu` function. */
function reluFunction() {
  const builder = new FunctionBuilder('relu');
  const [A, Z, length] = builder.parameters('A', 'Z', 'length');
  const k = builder.local('k', 'i32');
  return builder.build(keepPositiveRow(A, Z, Z, k, length));
}

/** The `multiply` function. */
function multiplyFunction() {
  const builder = new FunctionBuilder('multiply');
  const [target, factors, length] = builder.parameters('target', 'factors', 'length');
  const k = builder.local('k', 'i32');
  const product = (vector: boolean): number[] => {
    const { load, store, mul } = lanes(vector);
    return code(
      element(target, k),
      element(target, k),
      load,
      element(factors, k),
      load,
      mul,
      store,
    );
  };
  return builder.build(forEachPair(k, length, product(true), product(false)));
}

/** The `forward` function. */
function forwardFunction() {
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
  const pair = builder.local('pair', 'v128');
  const single = builder.local('single', 'f64');
  // One output (or pair) over all inputs: sum = b; sum += A[j]·WT[j] for j ascending.
  const dot = (vector: boolean): number[] => {
    const { load, store, mul, add } = lanes(vector);
    const [sum, splat] = vector ? [pair, f64x2.splat] : [single, []];
    return code(
      set(sum, code(element(b, i), load)),
      set(w, element(WT, i)),
      forEach(
        j,
        nIn,
        code(
          set(sum, code(get(sum), element(aRow, j), f64.load(), splat, get(w), load, mul, add)),
          increment(w, get(rowBytes)),
        ),
      ),
      element(zRow, i),
      get(sum),
      store,
    );
  };
  return builder.build(
    code(
      set(rowBytes, code(get(nOut), i32.const(3), i32.shl)),
      forEach(
        s,
        count,
        code(
          set(zRow, rowAddress(Z, s, nOut)),
          set(aRow, rowAddress(A, s, nIn)),
          forEachPair(i, nOut, dot(true), dot(false)),
        ),
      ),
    ),
  );
}

/** if (d ≠ 0) body, for the f64 local d: a zero factor adds nothing. */
function ifNonZero(d: Local, body: Code): number[] {
  return ifThen(code(get(d), f64.const(0), f64.ne), body);
}

/**
 * The `forwardRows` function, for a Wᵀ too big for the cache: per sample, Z row = b, then Z row
 * += A[j]·(row j of Wᵀ) for j ascending, zero activations skipped. Every output's sum comes in
 * the dot product's order (the same bits), but Wᵀ is read row by row instead of down its columns,
 * where each 64-byte line would give only the 16 bytes of one pair of outputs.
 */
function forwardRowsFunction() {
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
  const a = builder.local('a', 'f64');
  const av = builder.local('av', 'v128');
  const copyBias = (vector: boolean): number[] => {
    const { load, store } = lanes(vector);
    return code(element(zRow, k), element(b, k), load, store);
  };
  const perInput = code(
    set(a, code(element(aRow, j), f64.load())),
    ifNonZero(
      a,
      code(set(wRow, rowAddress(WT, j, nOut)), addScaledRow(zRow, wRow, k, nOut, a, av)),
    ),
  );
  return builder.build(
    forEach(
      s,
      count,
      code(
        set(zRow, rowAddress(Z, s, nOut)),
        set(aRow, rowAddress(A, s, nIn)),
        forEachPair(k, nOut, copyBias(true), copyBias(false)),
        forEach(j, nIn, perInput),
      ),
    ),
  );
}

/** The `gradient` function. */
function gradientFunction() {
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
  const d = builder.local('d', 'f64');
  const dv = builder.local('dv', 'v128');
  const perOutput = code(
    set(d, code(element(dRow, i), f64.load())),
    ifNonZero(
      d,
      code(
        element(gB, i),
        element(gB, i),
        f64.load(),
        get(d),
        f64.add,
        f64.store(),
        set(gRow, rowAddress(gW, i, nIn)),
        addScaledRow(gRow, aRow, j, nIn, d, dv),
      ),
    ),
  );
  return builder.build(
    forEach(
      s,
      count,
      code(
        set(dRow, rowAddress(delta, s, nOut)),
        set(aRow, rowAddress(A, s, nIn)),
        forEach(i, nOut, perOutput),
      ),
    ),
  );
}

/** The `backDelta` function. */
function backDeltaFunction() {
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
  const d = builder.local('d', 'f64');
  const dv = builder.local('dv', 'v128');
  const perOutput = code(
    set(d, code(element(dRow, i), f64.load())),
    ifNonZero(d, code(set(wRow, rowAddress(W, i, nIn)), addScaledRow(pRow, wRow, j, nIn, d, dv))),
  );
  return builder.build(
    forEach(
      s,
      count,
      code(
        set(pRow, rowAddress(previous, s, nIn)),
        set(dRow, rowAddress(delta, s, nOut)),
        set(zRow, rowAddress(Z, s, nIn)),
        // previous row = 0, then += Δᵢ·W row i for every i
        get(pRow),
        i32.const(0),
        get(nIn),
        i32.const(3),
        i32.shl,
        memoryFill,
        forEach(i, nOut, perOutput),
        // previous = 0 where Z ≤ 0 (or NaN), as `if (!(Z > 0)) previous = 0`.
        keepPositiveRow(pRow, pRow, zRow, j, nIn),
      ),
    ),
  );
}

/** The `biasGradient` function. */
function biasGradientFunction() {
  const builder = new FunctionBuilder('biasGradient');
  const [gB, delta, count, n] = builder.parameters('gB', 'delta', 'count', 'n');
  const s = builder.local('s', 'i32');
  const k = builder.local('k', 'i32');
  const dRow = builder.local('dRow', 'i32');
  const add = code(
    element(gB, k),
    element(gB, k),
    f64.load(),
    element(dRow, k),
    f64.load(),
    f64.add,
    f64.store(),
  );
  return builder.build(
    forEach(s, count, code(set(dRow, rowAddress(delta, s, n)), forEach(k, n, add))),
  );
}

/**
 * Above this size of Wᵀ (half the 512 KiB L2 cache of the development machine) the forward
 * kernel reads Wᵀ by rows: 784-512-256-10's 1 MiB W⁽²⁾ steps took 25% less time; below it the
 * dot products keep their sums in registers and are faster (784-64-32-10: 17%).
 */
export const ROW_ORDER_BYTES = 256 * 1024;

let moduleBytes: Uint8Array | undefined;

/** The module of the dense-layer kernels (built once). */
export function denseModule(): Uint8Array {
  moduleBytes ??= buildModule([
    reluFunction(),
    multiplyFunction(),
    forwardFunction(),
    forwardRowsFunction(),
    gradientFunction(),
    backDeltaFunction(),
    biasGradientFunction(),
  ]);
  return moduleBytes;
}

/** The dense-layer kernels over `memory`, called with views into it. */
export function denseKernels(memory: WasmMemory): DenseKernels {
  const module = new KernelModule(denseModule(), memory);
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
      // Past the cache, Wᵀ read down its columns costs a line per pair of outputs: by rows then.
      const byRows = 8 * nIn * nOut > ROW_ORDER_BYTES;
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
