/**
 * The output layer's softmax with its cost (docs/math.md, Cost and Backward) over one block, as
 * WebAssembly: per sample the argmax, e = exp(Z − max) two lanes at a time, their sum, and
 * Δ⁽ᴸ⁾ = e/sum − Y. The exponential is fdlibm's (e_exp.c), the algorithm behind V8's Math.exp,
 * written with the same operations in the same order, so every e is Math.exp's to the bit and
 * the kernel's results are those of the JavaScript loop it replaces: exact against the
 * reference engine in f64. The log of the cost stays Math.log, one per sample (ChunkRunner).
 */
import type { FloatArray } from './input-kernels.js';
import type { Code, FloatType, Local } from './wasm-module.js';
import {
  FunctionBuilder,
  buildModule,
  code,
  f32 as f32Ops,
  f64,
  f64x2,
  floatType,
  forEach,
  forEachPair,
  forRange,
  get,
  i32,
  ifThen,
  i64x2,
  rowAddress,
  select,
  set,
  v128,
} from './wasm-module.js';
import type { Precision } from './wasm-module.js';
import type { WasmMemory } from './wasm.js';
import { KernelModule, address } from './wasm.js';

/** The cost kernels of one precision. */
export interface CostKernels {
  /**
   * For each of `count` samples (rows of Z and Δ, n long): argmaxes[s] = the first index of
   * the row's largest Z, sums[s] = Σᵢ exp(Zᵢ − max) added in order, and Δ = exp(Z − max)/sum
   * with 1 taken off at the label (labels[firstLabel + s]). Z and Δ are in the kernels'
   * precision; each e is stored to Δ (rounded, in f32) before Δ is scaled, as the JavaScript
   * loop did.
   */
  softmax(
    Z: FloatArray,
    delta: FloatArray,
    labels: Uint8Array,
    firstLabel: number,
    count: number,
    n: number,
    sums: Float64Array,
    argmaxes: Int32Array,
  ): void;
  /** out[i] = Math.exp(x[i]) bit for bit, for `length` numbers (the kernel's exp, for tests). */
  exp(out: Float64Array, x: Float64Array, length: number): void;
}

/** An f64 from its high and low 32-bit words (how fdlibm writes its thresholds). */
function fromWords(high: number, low: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, high);
  view.setUint32(4, low);
  return view.getFloat64(0);
}

// fdlibm e_exp.c's constants.
const LN2_HI = 6.9314718036912381649e-1;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.442695040888963387;
const P = [
  1.66666666666666019037e-1, -2.77777777770155933842e-3, 6.61375632143793436117e-5,
  -1.6533902205465251539e-6, 4.13813679705723846039e-8,
];
const OVERFLOW = 7.09782712893383973096e2;
const UNDERFLOW = -7.4513321910194110842e2;
const TWO_M1000 = 2 ** -1000;
const TWO_1023 = 2 ** 1023;
/** |x| from which fdlibm reduces the argument (high word above 0x3fd62e42: 0.5·ln 2). */
const REDUCE_FROM = fromWords(0x3fd62e43, 0);
/** |x| below which exp(x) is 1 + x (high word below 0x3e300000: 2⁻²⁸). */
const TINY = fromWords(0x3e300000, 0);
/**
 * From ORDINARY_LOW to ORDINARY_HIGH, k = trunc(x/ln 2 ± ½) stays within −1021 .. 1023, where
 * 2ᵏ is a normal number and fdlibm scales by it directly.
 */
const ORDINARY_LOW = -708;
const ORDINARY_HIGH = 709;
/** Added to k + 1023 (a whole number below 2⁵²), it leaves k + 1023 in the low mantissa bits. */
const EXPONENT_MAGIC = 2 ** 52;

/** The v128 locals of the exponential: its constants (splatted once) and its working values. */
interface ExpLocals {
  readonly constants: ReadonlyMap<number, Local>;
  readonly x: Local;
  readonly k: Local;
  readonly hi: Local;
  readonly lo: Local;
  readonly r: Local;
  readonly t: Local;
  readonly c: Local;
  readonly y: Local;
}

/** Every constant the exponential uses, splatted into a v128 local each. */
const EXP_CONSTANTS = [
  0.5,
  -0.5,
  1,
  2,
  1000,
  -1021,
  1024,
  1023 + EXPONENT_MAGIC,
  LN2_HI,
  LN2_LO,
  INV_LN2,
  ...P,
  OVERFLOW,
  UNDERFLOW,
  TWO_M1000,
  TWO_1023,
  REDUCE_FROM,
  TINY,
  Math.E,
  Infinity,
  ORDINARY_LOW,
  ORDINARY_HIGH,
];

/** Declares the exponential's locals. */
function expLocals(builder: FunctionBuilder): ExpLocals {
  const constants = new Map(
    EXP_CONSTANTS.map((value, i) => [value, builder.local(`const${i}`, 'v128')]),
  );
  const local = (name: string) => builder.local(name, 'v128');
  return {
    constants,
    x: local('x'),
    k: local('k'),
    hi: local('hi'),
    lo: local('lo'),
    r: local('r'),
    t: local('t'),
    c: local('c'),
    y: local('y'),
  };
}

/** Sets the constant locals (once, before any loop). */
function splatConstants(e: ExpLocals): number[] {
  return code(
    ...[...e.constants].map(([value, local]) => set(local, code(f64.const(value), f64x2.splat))),
  );
}

/** The splat of `value` (+0, or one of EXP_CONSTANTS). */
function splatted(e: ExpLocals, value: number): number[] {
  if (Object.is(value, 0)) return v128.zero;
  const local = e.constants.get(value);
  if (local === undefined) throw new Error(`the exponential has no constant ${value}`);
  return get(local);
}

/** bitselect: `whenTrue` in the lanes where `mask` holds, else `otherwise`. */
function choose(whenTrue: Code, otherwise: Code, mask: Code): number[] {
  return code(whenTrue, otherwise, mask, v128.bitselect);
}

/**
 * e.r = exp(e.x) in both f64 lanes, as fdlibm computes it: k = trunc(x/ln 2 ± ½) (0 for
 * |x| ≤ ½ln 2), hi = x − k·ln2_hi, lo = k·ln2_lo, r = hi − lo, c = r − r²·P(r²),
 * y = 1 − ((lo − r·c/(2 − c)) − hi), exp = y·2ᵏ; then, only if a lane needs them (softmax's
 * rarely do), its special cases by lane. For k = 0 this
 * is fdlibm's other branch exactly: hi = x, lo = +0, and r·c/(c − 2) = −(r·c/(2 − c)). Between
 * ½ln 2 and 1.5·ln 2 fdlibm sets k = ±1 directly, which the formula gives too.
 */
function exponential(e: ExpLocals): number[] {
  const { x, k, hi, lo, r, t, c, y } = e;
  const K = (value: number) => splatted(e, value);
  const half = choose(K(-0.5), K(0.5), code(get(x), K(0), f64x2.lt));
  // P(t) = P1 + t·(P2 + t·(P3 + t·(P4 + t·P5))), innermost first
  let polynomial = code(get(t), K(P[4]), f64x2.mul);
  for (let i = 3; i >= 0; i--) {
    polynomial = code(K(P[i]), polynomial, f64x2.add);
    if (i > 0) polynomial = code(get(t), polynomial, f64x2.mul);
  }
  const low = code(get(k), K(-1021), f64x2.lt);
  // 2 to the whole number on the stack: k + 1023 + 2⁵² leaves k + 1023 in the low bits
  const twoToThe = code(K(1023 + EXPONENT_MAGIC), f64x2.add, i32.const(52), i64x2.shl);
  // lanes fdlibm takes no special path for, with k from −1021 to 1023: everything else below
  const ordinary = code(
    code(get(x), K(ORDINARY_LOW), f64x2.ge, get(x), K(ORDINARY_HIGH), f64x2.le, v128.and),
    code(get(x), K(1), f64x2.ne, v128.and),
    code(get(x), f64x2.abs, K(TINY), f64x2.ge, get(x), v128.zero, f64x2.eq, v128.or, v128.and),
  );
  const specialCases = code(
    // k below −1021: y·2ᵏ⁺¹⁰⁰⁰·2⁻¹⁰⁰⁰; k = 1024: y·2·2¹⁰²³
    set(r, code(get(y), get(k), choose(K(1000), K(0), low), f64x2.add, twoToThe, f64x2.mul)),
    set(r, choose(code(get(r), K(TWO_M1000), f64x2.mul), get(r), low)),
    set(
      r,
      choose(
        code(get(y), K(2), f64x2.mul, K(TWO_1023), f64x2.mul),
        get(r),
        code(get(k), K(1024), f64x2.eq),
      ),
    ),
    // the special cases, the later ones first in fdlibm's order of tests
    set(
      r,
      choose(code(K(1), get(x), f64x2.add), get(r), code(get(x), f64x2.abs, K(TINY), f64x2.lt)),
    ),
    set(r, choose(K(Math.E), get(r), code(get(x), K(1), f64x2.eq))),
    set(r, choose(K(Infinity), get(r), code(get(x), K(OVERFLOW), f64x2.gt))),
    set(r, choose(K(0), get(r), code(get(x), K(UNDERFLOW), f64x2.lt))),
    set(r, choose(code(get(x), get(x), f64x2.add), get(r), code(get(x), get(x), f64x2.ne))),
  );
  return code(
    // k = trunc(x·invln2 ± ½) where |x| ≥ REDUCE_FROM, else +0
    set(
      k,
      choose(
        code(K(INV_LN2), get(x), f64x2.mul, half, f64x2.add, f64x2.trunc),
        K(0),
        code(get(x), f64x2.abs, K(REDUCE_FROM), f64x2.ge),
      ),
    ),
    set(hi, code(get(x), get(k), K(LN2_HI), f64x2.mul, f64x2.sub)),
    set(lo, code(get(k), K(LN2_LO), f64x2.mul)),
    set(r, code(get(hi), get(lo), f64x2.sub)),
    set(t, code(get(r), get(r), f64x2.mul)),
    set(c, code(get(r), get(t), polynomial, f64x2.mul, f64x2.sub)),
    // y = 1 − ((lo − (r·c)/(2 − c)) − hi)
    set(
      y,
      code(
        K(1),
        get(lo),
        get(r),
        get(c),
        f64x2.mul,
        K(2),
        get(c),
        f64x2.sub,
        f64x2.div,
        f64x2.sub,
        get(hi),
        f64x2.sub,
        f64x2.sub,
      ),
    ),
    // exp = y·2ᵏ, 2ᵏ from its bits (k + 1023) << 52: where no lane is a special case
    set(r, code(get(y), get(k), twoToThe, f64x2.mul)),
    ifThen(code(ordinary, i64x2.all_true, i32.eqz), specialCases),
  );
}

/** Loads and stores of one precision's numbers as f64 (f32 widened, exactly, and rounded back). */
function widened(type: FloatType) {
  const f32 = type.precision === 'f32';
  return {
    /** The number at `address` as an f64. */
    load: (address: Code) => code(address, type.scalar.load(), f32 ? f32Ops.promote : []),
    /** Two numbers from `address` as an f64x2. */
    loadPair: (address: Code) =>
      f32 ? code(address, v128.load64_zero(), f64x2.promote_low_f32x4) : code(address, v128.load()),
    /** Stores the f64 `value` at `address` (rounded to f32 in f32). */
    store: (address: Code, value: Code) =>
      code(address, value, f32 ? f32Ops.demote_f64 : [], type.scalar.store()),
  };
}

/** The `exp` function: out[i] = exp(x[i]), two at a time. */
function expFunction() {
  const builder = new FunctionBuilder('exp');
  const [out, x, length] = builder.parameters('out', 'x', 'length');
  const i = builder.local('i', 'i32');
  const e = expLocals(builder);
  const at = (base: Local) => code(get(base), get(i), i32.const(3), i32.shl, i32.add);
  return builder.build(
    code(
      splatConstants(e),
      forEachPair(
        i,
        length,
        code(set(e.x, code(at(x), v128.load())), exponential(e), at(out), get(e.r), v128.store()),
        code(
          set(e.x, code(at(x), f64.load(), f64x2.splat)),
          exponential(e),
          at(out),
          get(e.r),
          f64x2.extract_lane(0),
          f64.store(),
        ),
      ),
    ),
  );
}

/** The `softmax` function in `precision` (CostKernels.softmax; addresses and counts). */
function softmaxFunction(precision: Precision) {
  const type = floatType(precision);
  const number = widened(type);
  const builder = new FunctionBuilder('softmax');
  const [Z, delta, labels, count, n, sums, argmaxes] = builder.parameters(
    'Z',
    'delta',
    'labels',
    'count',
    'n',
    'sums',
    'argmaxes',
  );
  const s = builder.local('s', 'i32');
  const k = builder.local('k', 'i32');
  const zRow = builder.local('zRow', 'i32');
  const dRow = builder.local('dRow', 'i32');
  const best = builder.local('best', 'i32');
  const greater = builder.local('greater', 'i32');
  const label = builder.local('label', 'i32');
  const value = builder.local('value', 'f64');
  const bestValue = builder.local('bestValue', 'f64');
  const sum = builder.local('sum', 'f64');
  const inverse = builder.local('inverse', 'f64');
  const lane = builder.local('lane', 'f64');
  const max = builder.local('max', 'v128');
  const e = expLocals(builder);
  const z = (index: Code) => code(get(zRow), index, i32.const(type.shift), i32.shl, i32.add);
  const d = (index: Code) => code(get(dRow), index, i32.const(type.shift), i32.shl, i32.add);
  // the first index of the largest Z, as argmaxStrided: a later one only if strictly greater
  const argmax = code(
    set(best, i32.const(0)),
    set(bestValue, number.load(z(i32.const(0)))),
    forRange(
      k,
      i32.const(1),
      get(n),
      code(
        set(value, number.load(z(get(k)))),
        set(greater, code(get(value), get(bestValue), f64.gt)),
        set(best, code(get(k), get(best), get(greater), select)),
        set(bestValue, code(get(value), get(bestValue), get(greater), select)),
      ),
    ),
    set(max, code(get(bestValue), f64x2.splat)),
  );
  // Δ = e, stored lane by lane; sum += e in index order
  const keep = (laneIndex: 0 | 1) =>
    code(
      set(lane, code(get(e.r), f64x2.extract_lane(laneIndex))),
      number.store(d(code(get(k), i32.const(laneIndex), i32.add)), get(lane)),
      set(sum, code(get(sum), get(lane), f64.add)),
    );
  const exponentials = code(
    set(sum, f64.const(0)),
    forEachPair(
      k,
      n,
      code(
        set(e.x, code(number.loadPair(z(get(k))), get(max), f64x2.sub)),
        exponential(e),
        keep(0),
        keep(1),
      ),
      code(
        set(e.x, code(number.load(z(get(k))), f64x2.splat, get(max), f64x2.sub)),
        exponential(e),
        keep(0),
      ),
    ),
  );
  const normalize = code(
    set(inverse, code(f64.const(1), get(sum), f64.div)),
    forEach(k, n, number.store(d(get(k)), code(number.load(d(get(k))), get(inverse), f64.mul))),
    set(label, code(get(labels), get(s), i32.add, i32.load8_u())),
    number.store(d(get(label)), code(number.load(d(get(label))), f64.const(1), f64.sub)),
  );
  const perSample = code(
    set(zRow, rowAddress(Z, s, n, type.shift)),
    set(dRow, rowAddress(delta, s, n, type.shift)),
    argmax,
    exponentials,
    normalize,
    code(get(sums), get(s), i32.const(3), i32.shl, i32.add, get(sum), f64.store()),
    code(get(argmaxes), get(s), i32.const(2), i32.shl, i32.add, get(best), i32.store()),
  );
  return builder.build(code(splatConstants(e), forEach(s, count, perSample)));
}

const modules = new Map<Precision, Uint8Array>();

/** The module of the cost kernels (built once per precision). */
export function costModule(precision: Precision = 'f64'): Uint8Array {
  let bytes = modules.get(precision);
  if (bytes === undefined) {
    bytes = buildModule([softmaxFunction(precision), expFunction()]);
    modules.set(precision, bytes);
  }
  return bytes;
}

/** The cost kernels over `memory` for Z and Δ in `precision`, called with views into it. */
export function costKernels(memory: WasmMemory, precision: Precision = 'f64'): CostKernels {
  const module = new KernelModule(costModule(precision), memory);
  const softmax = module.kernel('softmax');
  const exp = module.kernel('exp');
  return {
    softmax(Z, delta, labels, firstLabel, count, n, sums, argmaxes) {
      if (count === 0) return;
      softmax(
        address(Z, 0, count * n),
        address(delta, 0, count * n),
        address(labels, firstLabel, count),
        count,
        n,
        address(sums, 0, count),
        address(argmaxes, 0, count),
      );
    },
    exp(out, x, length) {
      exp(address(out, 0, length), address(x, 0, length), length);
    },
  };
}
