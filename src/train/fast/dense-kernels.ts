/**
 * The element-wise kernels of the layers after the first over one block of samples, as
 * WebAssembly (their products: tile-kernels.ts): one module for every size (per arithmetic),
 * with SIMD along the contiguous dimension. Every output element is computed as the JavaScript
 * loop computes it, so in exact f64 the results are the reference engine's, and in any
 * arithmetic they are independent of the thread count. All matrices are sample-major
 * (block samples × n).
 */
import type { FloatArray } from './input-kernels.js';
import type { Arithmetic, FloatType, Local } from './wasm-module.js';
import {
  EXACT_F64,
  FunctionBuilder,
  element,
  floatType,
  lanes,
  rowAddress,
  select,
  buildModule,
  code,
  forEach,
  forEachVector,
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
  /** ∂C/∂b += Σ columns of Δ, unscaled; gradientB: n, Δ: count × n. */
  biasGradient(gradientB: FloatArray, delta: FloatArray, count: number, n: number): void;
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
    select,
    scalar.store(),
  );
}

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

/** The `biasGradient` function: gB += each row of Δ in turn, a vector of columns at a time. */
function biasGradientFunction(type: FloatType) {
  const builder = new FunctionBuilder('biasGradient');
  const [gB, delta, count, n] = builder.parameters('gB', 'delta', 'count', 'n');
  const s = builder.local('s', 'i32');
  const k = builder.local('k', 'i32');
  const dRow = builder.local('dRow', 'i32');
  const add = (vector: boolean): number[] => {
    const { load, store, add: plus } = lanes(vector, type.precision);
    return code(
      element(gB, k, type.shift),
      element(gB, k, type.shift),
      load,
      element(dRow, k, type.shift),
      load,
      plus,
      store,
    );
  };
  return builder.build(
    forEach(
      s,
      count,
      code(
        set(dRow, rowAddress(delta, s, n, type.shift)),
        forEachVector(k, n, type.lanes, add(true), add(false)),
      ),
    ),
  );
}

const modules = new Map<string, Uint8Array>();

/** The module of the dense-layer kernels (built once per arithmetic). */
export function denseModule(arithmetic: Arithmetic = EXACT_F64): Uint8Array {
  const key = `${arithmetic.precision} ${arithmetic.fused}`;
  let bytes = modules.get(key);
  if (bytes === undefined) {
    const type = floatType(arithmetic.precision);
    bytes = buildModule([reluFunction(type), multiplyFunction(type), biasGradientFunction(type)]);
    modules.set(key, bytes);
  }
  return bytes;
}

/** The dense-layer kernels over `memory`, in `arithmetic`, called with views into it. */
export function denseKernels(memory: WasmMemory, arithmetic: Arithmetic = EXACT_F64): DenseKernels {
  const module = new KernelModule(denseModule(arithmetic), memory);
  const relu = module.kernel('relu');
  const multiply = module.kernel('multiply');
  const biasGradient = module.kernel('biasGradient');
  return {
    relu(A, Z, length) {
      relu(address(A, 0, length), address(Z, 0, length), length);
    },
    multiply(target, factors, length) {
      multiply(address(target, 0, length), address(factors, 0, length), length);
    },
    biasGradient(gradientB, delta, count, n) {
      biasGradient(address(gradientB, 0, n), address(delta, 0, count * n), count, n);
    },
  };
}
