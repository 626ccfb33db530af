/**
 * How the fast engine writes WebAssembly: one table of the instructions its kernels use (the
 * emitters below and the WAT printer in wasm-text.ts both read it), loops that balance their own
 * blocks, functions whose parameters and locals are declared by name where they are allocated,
 * and the module encoder. Kernels compose code as plain byte arrays.
 */
import type { Precision } from '../engine.js';
import { MAX_PAGES } from './wasm.js';

/** Unsigned LEB128. */
export function uleb(value: number): number[] {
  const bytes: number[] = [];
  let rest = value >>> 0;
  do {
    const low = rest & 0x7f;
    rest >>>= 7;
    bytes.push(rest === 0 ? low : low | 0x80);
  } while (rest !== 0);
  return bytes;
}

/** Signed LEB128 of a 32-bit integer. */
export function sleb(value: number): number[] {
  const bytes: number[] = [];
  let rest = value | 0;
  for (;;) {
    const low = rest & 0x7f;
    rest >>= 7;
    const done = (rest === 0 && (low & 0x40) === 0) || (rest === -1 && (low & 0x40) !== 0);
    bytes.push(done ? low : low | 0x80);
    if (done) return bytes;
  }
}

/** The value types a kernel's locals may have, with their binary codes. */
export const ValueType = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b } as const;
export type ValueType = keyof typeof ValueType;

/**
 * What follows an opcode: nothing, an index (local or branch depth, unsigned LEB128), a signed
 * i32, the 4 bytes of an f32 or the 8 of an f64, a memory access (alignment and byte offset), a block type (always
 * "no result" here), the memory index of memory.fill, a lane index, the 16 bytes of a v128
 * constant, or the 16 byte-lane indices of a shuffle.
 */
export type Immediate =
  | 'none'
  | 'local'
  | 'depth'
  | 'i32'
  | 'f32'
  | 'f64'
  | 'memarg'
  | 'blocktype'
  | 'memory'
  | 'lane'
  | 'v128'
  | 'shuffle';

/** One instruction: its opcode (after a 0xfc or 0xfd prefix, if any) and its immediate. */
export interface InstructionSpec {
  readonly prefix?: 0xfc | 0xfd;
  readonly code: number;
  readonly immediate: Immediate;
  /** For memory accesses: the bytes accessed, and the alignment hint emitted (log2 of bytes). */
  readonly width?: number;
  readonly align?: number;
}

/** Every instruction the kernels use, by its WebAssembly text (WAT) name. */
export const INSTRUCTIONS = {
  block: { code: 0x02, immediate: 'blocktype' },
  loop: { code: 0x03, immediate: 'blocktype' },
  if: { code: 0x04, immediate: 'blocktype' },
  end: { code: 0x0b, immediate: 'none' },
  br: { code: 0x0c, immediate: 'depth' },
  br_if: { code: 0x0d, immediate: 'depth' },
  select: { code: 0x1b, immediate: 'none' },
  'local.get': { code: 0x20, immediate: 'local' },
  'local.set': { code: 0x21, immediate: 'local' },
  'i32.load': { code: 0x28, immediate: 'memarg', width: 4, align: 2 },
  'f32.load': { code: 0x2a, immediate: 'memarg', width: 4, align: 2 },
  'f64.load': { code: 0x2b, immediate: 'memarg', width: 8, align: 3 },
  'i32.load8_s': { code: 0x2c, immediate: 'memarg', width: 1, align: 0 },
  'i32.load8_u': { code: 0x2d, immediate: 'memarg', width: 1, align: 0 },
  'i32.load16_u': { code: 0x2f, immediate: 'memarg', width: 2, align: 1 },
  'i32.store': { code: 0x36, immediate: 'memarg', width: 4, align: 2 },
  'f32.store': { code: 0x38, immediate: 'memarg', width: 4, align: 2 },
  'f64.store': { code: 0x39, immediate: 'memarg', width: 8, align: 3 },
  'i32.store8': { code: 0x3a, immediate: 'memarg', width: 1, align: 0 },
  'i32.store16': { code: 0x3b, immediate: 'memarg', width: 2, align: 1 },
  'i32.const': { code: 0x41, immediate: 'i32' },
  'f32.const': { code: 0x43, immediate: 'f32' },
  'f64.const': { code: 0x44, immediate: 'f64' },
  'i32.eqz': { code: 0x45, immediate: 'none' },
  'i32.eq': { code: 0x46, immediate: 'none' },
  'i32.ne': { code: 0x47, immediate: 'none' },
  'i32.lt_u': { code: 0x49, immediate: 'none' },
  'i32.gt_u': { code: 0x4b, immediate: 'none' },
  'i32.ge_u': { code: 0x4f, immediate: 'none' },
  'f32.ne': { code: 0x5c, immediate: 'none' },
  'f32.gt': { code: 0x5e, immediate: 'none' },
  'f64.ne': { code: 0x62, immediate: 'none' },
  'f64.gt': { code: 0x64, immediate: 'none' },
  'i32.add': { code: 0x6a, immediate: 'none' },
  'i32.sub': { code: 0x6b, immediate: 'none' },
  'i32.mul': { code: 0x6c, immediate: 'none' },
  'i32.and': { code: 0x71, immediate: 'none' },
  'i32.or': { code: 0x72, immediate: 'none' },
  'i32.shl': { code: 0x74, immediate: 'none' },
  'f32.sqrt': { code: 0x91, immediate: 'none' },
  'f32.add': { code: 0x92, immediate: 'none' },
  'f32.sub': { code: 0x93, immediate: 'none' },
  'f32.mul': { code: 0x94, immediate: 'none' },
  'f32.div': { code: 0x95, immediate: 'none' },
  'f64.sqrt': { code: 0x9f, immediate: 'none' },
  'f64.add': { code: 0xa0, immediate: 'none' },
  'f64.sub': { code: 0xa1, immediate: 'none' },
  'f64.mul': { code: 0xa2, immediate: 'none' },
  'f64.div': { code: 0xa3, immediate: 'none' },
  'f32.convert_i32_s': { code: 0xb2, immediate: 'none' },
  'f32.convert_i32_u': { code: 0xb3, immediate: 'none' },
  'f32.demote_f64': { code: 0xb6, immediate: 'none' },
  'f64.convert_i32_s': { code: 0xb7, immediate: 'none' },
  'f64.convert_i32_u': { code: 0xb8, immediate: 'none' },
  'f64.promote_f32': { code: 0xbb, immediate: 'none' },
  'memory.fill': { prefix: 0xfc, code: 11, immediate: 'memory' },
  // v128 accesses promise 8-byte alignment only: f64 arrays are 8-byte aligned, rows may not be 16.
  'v128.load': { prefix: 0xfd, code: 0x00, immediate: 'memarg', width: 16, align: 3 },
  'v128.store': { prefix: 0xfd, code: 0x0b, immediate: 'memarg', width: 16, align: 3 },
  'v128.load32_splat': { prefix: 0xfd, code: 0x09, immediate: 'memarg', width: 4, align: 2 },
  'v128.const': { prefix: 0xfd, code: 0x0c, immediate: 'v128' },
  'i8x16.shuffle': { prefix: 0xfd, code: 0x0d, immediate: 'shuffle' },
  'f32x4.splat': { prefix: 0xfd, code: 0x13, immediate: 'none' },
  'f64x2.splat': { prefix: 0xfd, code: 0x14, immediate: 'none' },
  'f32x4.extract_lane': { prefix: 0xfd, code: 0x1f, immediate: 'lane' },
  'f64x2.extract_lane': { prefix: 0xfd, code: 0x21, immediate: 'lane' },
  'f32x4.gt': { prefix: 0xfd, code: 0x44, immediate: 'none' },
  'f64x2.eq': { prefix: 0xfd, code: 0x47, immediate: 'none' },
  'f64x2.ne': { prefix: 0xfd, code: 0x48, immediate: 'none' },
  'f64x2.lt': { prefix: 0xfd, code: 0x49, immediate: 'none' },
  'f64x2.gt': { prefix: 0xfd, code: 0x4a, immediate: 'none' },
  'f64x2.le': { prefix: 0xfd, code: 0x4b, immediate: 'none' },
  'f64x2.ge': { prefix: 0xfd, code: 0x4c, immediate: 'none' },
  'v128.and': { prefix: 0xfd, code: 0x4e, immediate: 'none' },
  'v128.or': { prefix: 0xfd, code: 0x50, immediate: 'none' },
  'v128.bitselect': { prefix: 0xfd, code: 0x52, immediate: 'none' },
  // Two f32s into the low half, then both widened: a pair of f32 partial sums as an f64x2.
  'v128.load64_zero': { prefix: 0xfd, code: 0x5d, immediate: 'memarg', width: 8, align: 2 },
  'f32x4.demote_f64x2_zero': { prefix: 0xfd, code: 0x5e, immediate: 'none' },
  'f64x2.promote_low_f32x4': { prefix: 0xfd, code: 0x5f, immediate: 'none' },
  'f64x2.trunc': { prefix: 0xfd, code: 0x7a, immediate: 'none' },
  'i64x2.all_true': { prefix: 0xfd, code: 0xc3, immediate: 'none' },
  'i64x2.shl': { prefix: 0xfd, code: 0xcb, immediate: 'none' },
  'f32x4.sqrt': { prefix: 0xfd, code: 0xe3, immediate: 'none' },
  'f32x4.add': { prefix: 0xfd, code: 0xe4, immediate: 'none' },
  'f32x4.sub': { prefix: 0xfd, code: 0xe5, immediate: 'none' },
  'f32x4.mul': { prefix: 0xfd, code: 0xe6, immediate: 'none' },
  'f32x4.div': { prefix: 0xfd, code: 0xe7, immediate: 'none' },
  'f64x2.abs': { prefix: 0xfd, code: 0xec, immediate: 'none' },
  'f64x2.sqrt': { prefix: 0xfd, code: 0xef, immediate: 'none' },
  'f64x2.add': { prefix: 0xfd, code: 0xf0, immediate: 'none' },
  'f64x2.sub': { prefix: 0xfd, code: 0xf1, immediate: 'none' },
  'f64x2.mul': { prefix: 0xfd, code: 0xf2, immediate: 'none' },
  'f64x2.div': { prefix: 0xfd, code: 0xf3, immediate: 'none' },
  // Relaxed SIMD (relaxed-simd.ts): a·b + c, fused where the hardware has FMA.
  'f32x4.relaxed_madd': { prefix: 0xfd, code: 0x105, immediate: 'none' },
  'f64x2.relaxed_madd': { prefix: 0xfd, code: 0x107, immediate: 'none' },
} as const satisfies Record<string, InstructionSpec>;

export type InstructionName = keyof typeof INSTRUCTIONS;

/** Code: instruction bytes, composed by concatenation. */
export type Code = readonly number[];

/** Concatenates code pieces. */
export function code(...parts: Code[]): number[] {
  return parts.flat();
}

/** The 8 bytes of an IEEE 754 double, least significant first (as WebAssembly stores it). */
function littleEndianF64(value: number): number[] {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, value, true);
  return [...bytes];
}

/** The 4 bytes of an IEEE 754 single, least significant first. */
function littleEndianF32(value: number): number[] {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setFloat32(0, value, true);
  return [...bytes];
}

/**
 * The bytes of one instruction with its immediate (`argument`: index, constant or byte offset).
 * The only v128 constant the kernels need is zero.
 */
function emit(name: InstructionName, argument = 0): number[] {
  const spec: InstructionSpec = INSTRUCTIONS[name];
  const opcode = spec.prefix === undefined ? [spec.code] : [spec.prefix, ...uleb(spec.code)];
  switch (spec.immediate) {
    case 'none':
      return opcode;
    case 'local':
    case 'depth':
      return [...opcode, ...uleb(argument)];
    case 'i32':
      return [...opcode, ...sleb(argument)];
    case 'f32':
      return [...opcode, ...littleEndianF32(argument)];
    case 'f64':
      return [...opcode, ...littleEndianF64(argument)];
    case 'memarg':
      return [...opcode, spec.align ?? 0, ...uleb(argument)];
    case 'blocktype':
      return [...opcode, 0x40];
    case 'memory':
      return [...opcode, 0x00];
    case 'lane':
      return [...opcode, argument];
    case 'v128':
      if (argument !== 0) throw new RangeError('only the zero v128 constant is supported');
      return [...opcode, ...new Array<number>(16).fill(0)];
    case 'shuffle':
      throw new RangeError('a shuffle takes its lanes: use shuffleF32');
  }
}

/**
 * i8x16.shuffle of the two v128 on the stack (a, then b) by f32 lanes: lane k of the result is
 * lane lanes[k] of a (0–3) or of b (4–7).
 */
export function shuffleF32(lanes: readonly [number, number, number, number]): number[] {
  if (lanes.some((lane) => !Number.isInteger(lane) || lane < 0 || lane > 7)) {
    throw new RangeError(`f32 shuffle lanes are 0 to 7, got ${lanes.join(', ')}`);
  }
  const spec = INSTRUCTIONS['i8x16.shuffle'];
  const bytes = lanes.flatMap((lane) => [0, 1, 2, 3].map((b) => 4 * lane + b));
  return [spec.prefix, ...uleb(spec.code), ...bytes];
}

/** A parameter or local of a function being built: its index, type and name (for the WAT text). */
export interface Local {
  readonly index: number;
  readonly type: ValueType;
  readonly name: string;
}

/** Reads a local. */
export function get(local: Local): number[] {
  return emit('local.get', local.index);
}

/** Pops the top of the stack into a local. */
export function set(local: Local, value: Code): number[] {
  return code(value, emit('local.set', local.index));
}

/** Integer instructions (names as in WAT; memory offsets in bytes). */
export const i32 = {
  const: (value: number) => emit('i32.const', value),
  load: (offset = 0) => emit('i32.load', offset),
  load8_s: (offset = 0) => emit('i32.load8_s', offset),
  load8_u: (offset = 0) => emit('i32.load8_u', offset),
  load16_u: (offset = 0) => emit('i32.load16_u', offset),
  store: (offset = 0) => emit('i32.store', offset),
  store8: (offset = 0) => emit('i32.store8', offset),
  store16: (offset = 0) => emit('i32.store16', offset),
  eqz: emit('i32.eqz'),
  eq: emit('i32.eq'),
  ne: emit('i32.ne'),
  lt_u: emit('i32.lt_u'),
  gt_u: emit('i32.gt_u'),
  ge_u: emit('i32.ge_u'),
  add: emit('i32.add'),
  sub: emit('i32.sub'),
  mul: emit('i32.mul'),
  and: emit('i32.and'),
  or: emit('i32.or'),
  shl: emit('i32.shl'),
} as const;

/** Scalar float instructions. */
export const f64 = {
  const: (value: number) => emit('f64.const', value),
  load: (offset = 0) => emit('f64.load', offset),
  store: (offset = 0) => emit('f64.store', offset),
  ne: emit('f64.ne'),
  gt: emit('f64.gt'),
  add: emit('f64.add'),
  sub: emit('f64.sub'),
  mul: emit('f64.mul'),
  div: emit('f64.div'),
  sqrt: emit('f64.sqrt'),
  convert_i32_u: emit('f64.convert_i32_u'),
  /** The same for an i32 read as signed (one instruction less on x64 than unsigned). */
  convert_i32_s: emit('f64.convert_i32_s'),
  /** select: the first operand if the i32 on top is non-zero, else the second. */
  select: emit('select'),
} as const;

/** Scalar single-precision instructions. */
export const f32 = {
  const: (value: number) => emit('f32.const', value),
  load: (offset = 0) => emit('f32.load', offset),
  store: (offset = 0) => emit('f32.store', offset),
  ne: emit('f32.ne'),
  gt: emit('f32.gt'),
  add: emit('f32.add'),
  sub: emit('f32.sub'),
  mul: emit('f32.mul'),
  div: emit('f32.div'),
  sqrt: emit('f32.sqrt'),
  convert_i32_u: emit('f32.convert_i32_u'),
  convert_i32_s: emit('f32.convert_i32_s'),
  /** The f64 on top rounded to the nearest f32. */
  demote_f64: emit('f32.demote_f64'),
  /** The f32 on top as an f64 (exact). */
  promote: emit('f64.promote_f32'),
} as const;

/** 128-bit vector instructions, whatever the lanes. */
export const v128 = {
  /** All bits zero (also [+0, +0] as f64x2 and [+0, +0, +0, +0] as f32x4). */
  zero: emit('v128.const', 0),
  load: (offset = 0) => emit('v128.load', offset),
  /** One f32 (4 bytes) into every lane of an f32x4. */
  load32_splat: (offset = 0) => emit('v128.load32_splat', offset),
  /** Two f32s (8 bytes) into lanes 0 and 1, the rest zero. */
  load64_zero: (offset = 0) => emit('v128.load64_zero', offset),
  store: (offset = 0) => emit('v128.store', offset),
  and: emit('v128.and'),
  or: emit('v128.or'),
  /** bitselect(a, b, mask): a's bits where the mask's are 1, else b's. */
  bitselect: emit('v128.bitselect'),
} as const;

/** Two-lane f64 arithmetic. */
export const f64x2 = {
  splat: emit('f64x2.splat'),
  extract_lane: (lane: 0 | 1) => emit('f64x2.extract_lane', lane),
  eq: emit('f64x2.eq'),
  ne: emit('f64x2.ne'),
  lt: emit('f64x2.lt'),
  gt: emit('f64x2.gt'),
  le: emit('f64x2.le'),
  ge: emit('f64x2.ge'),
  abs: emit('f64x2.abs'),
  /** Rounded toward zero to a whole number (as a C cast to int rounds). */
  trunc: emit('f64x2.trunc'),
  add: emit('f64x2.add'),
  sub: emit('f64x2.sub'),
  mul: emit('f64x2.mul'),
  div: emit('f64x2.div'),
  sqrt: emit('f64x2.sqrt'),
  /** Lanes 0 and 1 of an f32x4 as an f64x2 (exact). */
  promote_low_f32x4: emit('f64x2.promote_low_f32x4'),
  /** a·b + c, fused or not as the machine does it (relaxed SIMD). */
  relaxed_madd: emit('f64x2.relaxed_madd'),
} as const;

/** Two-lane 64-bit integer instructions. */
export const i64x2 = {
  /** Each lane shifted left by the i32 on top. */
  shl: emit('i64x2.shl'),
  /** i32 1 if no lane is 0 (for comparison masks: if every lane holds), else 0. */
  all_true: emit('i64x2.all_true'),
} as const;

/** Four-lane f32 arithmetic. */
export const f32x4 = {
  splat: emit('f32x4.splat'),
  extract_lane: (lane: 0 | 1 | 2 | 3) => emit('f32x4.extract_lane', lane),
  gt: emit('f32x4.gt'),
  add: emit('f32x4.add'),
  sub: emit('f32x4.sub'),
  mul: emit('f32x4.mul'),
  div: emit('f32x4.div'),
  sqrt: emit('f32x4.sqrt'),
  /** Both lanes of an f64x2 rounded to f32 into lanes 0 and 1; lanes 2 and 3 zero. */
  demote_f64x2_zero: emit('f32x4.demote_f64x2_zero'),
  /** a·b + c, fused or not as the machine does it (relaxed SIMD). */
  relaxed_madd: emit('f32x4.relaxed_madd'),
} as const;

/** select: the first operand if the i32 on top is non-zero, else the second (any value type). */
export const select = emit('select');

/** memory.fill(address, byte, length) from the stack. */
export const memoryFill = emit('memory.fill');

/** local += step for an i32 local. */
export function increment(local: Local, step: Code | number): number[] {
  const amount = typeof step === 'number' ? i32.const(step) : step;
  return set(local, code(get(local), amount, i32.add));
}

// Control flow. Every helper closes the blocks it opens and computes its own branch depths;
// there is no raw branch to escape with, so code built from them is balanced. Two loop shapes,
// each where it measured fastest: loopUntil (test at the top) in the dense kernels, doWhile
// (test at the bottom, after an `unless` guard) in the first layer's entry loops. Exits are
// written as the comparison that leaves (i32.ge_u), not as a negated one: V8 compiled
// `i32.lt_u, i32.eqz, br_if` about 10% slower in backDelta.

/** until (exit) body, i.e. while (!exit) body: the i32 `exit` is tested before every iteration. */
export function loopUntil(exit: Code, body: Code): number[] {
  return code(
    emit('block'),
    emit('loop'),
    exit,
    emit('br_if', 1), // leave the block: the loop is done
    body,
    emit('br', 0), // back to the top of the loop
    emit('end'),
    emit('end'),
  );
}

/**
 * do body while (again): runs `body` at least once and tests the i32 `again` after it, so an
 * iteration costs one branch; for hot loops whose first test the caller has already made.
 */
export function doWhile(body: Code, again: Code): number[] {
  return code(emit('loop'), body, again, emit('br_if', 0), emit('end'));
}

/** if (!skip) body, for an i32 `skip`: a block that `skip` branches out of. */
export function unless(skip: Code, body: Code): number[] {
  return code(emit('block'), skip, emit('br_if', 0), body, emit('end'));
}

/** if (condition) body, for an i32 `condition`. */
export function ifThen(condition: Code, body: Code): number[] {
  return code(condition, emit('if'), body, emit('end'));
}

/** for (counter = start; counter < end; counter += 1) body, unsigned comparison. */
export function forRange(counter: Local, start: Code, end: Code, body: Code): number[] {
  return code(
    set(counter, start),
    loopUntil(code(get(counter), end, i32.ge_u), code(body, increment(counter, 1))),
  );
}

/** for (counter = 0; counter < limit; counter += 1) body. */
export function forEach(counter: Local, limit: Local, body: Code): number[] {
  return forRange(counter, i32.const(0), get(limit), body);
}

/**
 * for (counter = 0; counter + 1 < limit; counter += 2) pair; then, if limit is odd, `single`
 * once more at counter = limit − 1: the shape of every two-lane SIMD loop.
 */
export function forEachPair(counter: Local, limit: Local, pair: Code, single: Code): number[] {
  return forEachVector(counter, limit, 2, pair, single);
}

/**
 * for (counter = 0; counter + lanes ≤ limit; counter += lanes) vector; then `single` for each
 * counter left below limit (at most lanes − 1 of them): the shape of every SIMD loop.
 */
export function forEachVector(
  counter: Local,
  limit: Local,
  laneCount: number,
  vector: Code,
  single: Code,
): number[] {
  const rest =
    laneCount === 2
      ? ifThen(code(get(counter), get(limit), i32.lt_u), single)
      : loopUntil(code(get(counter), get(limit), i32.ge_u), code(single, increment(counter, 1)));
  return code(
    set(counter, i32.const(0)),
    loopUntil(
      code(get(counter), i32.const(laneCount - 1), i32.add, get(limit), i32.ge_u),
      code(vector, increment(counter, laneCount)),
    ),
    rest,
  );
}

/** base + (index << shift): the address of element `index` of an array of 2^shift-byte floats (f64: 3). */
export function element(base: Local, index: Local, shift = 3): number[] {
  return code(get(base), get(index), i32.const(shift), i32.shl, i32.add);
}

/** base + row·width·2^shift: the address of row `row` of a float matrix of rows `width` long. */
export function rowAddress(base: Local, row: Local, width: Local, shift = 3): number[] {
  return code(get(base), get(row), get(width), i32.mul, i32.const(shift), i32.shl, i32.add);
}

/** Loads, stores and arithmetic of either two lanes (f64x2) or one (f64), for code written once for both. */
export function lanes(vector: boolean, precision: Precision = 'f64') {
  const type = floatType(precision);
  const ops = vector ? type.vector : type.scalar;
  return {
    load: vector ? v128.load() : type.scalar.load(),
    store: vector ? v128.store() : type.scalar.store(),
    add: ops.add,
    sub: ops.sub,
    mul: ops.mul,
    div: ops.div,
    sqrt: ops.sqrt,
  };
}

export type { Precision };

/** How a kernel computes: its float type, and whether its vector multiply-adds are fused. */
export interface Arithmetic {
  readonly precision: Precision;
  /** Vector a·b + c as relaxed_madd (one rounding where the machine has FMA), else mul then add. */
  readonly fused: boolean;
}

/** f64 without fusion: every sum as the reference engine makes it. The kernels' default. */
export const EXACT_F64: Arithmetic = { precision: 'f64', fused: false };

/** The scalar instructions both float types have. */
interface ScalarOps {
  const(value: number): number[];
  load(offset?: number): number[];
  store(offset?: number): number[];
  readonly ne: number[];
  readonly gt: number[];
  readonly add: number[];
  readonly sub: number[];
  readonly mul: number[];
  readonly div: number[];
  readonly sqrt: number[];
  readonly convert_i32_u: number[];
  readonly convert_i32_s: number[];
}

/** The vector instructions both lane shapes have. */
interface VectorOps {
  readonly splat: number[];
  readonly gt: number[];
  readonly add: number[];
  readonly sub: number[];
  readonly mul: number[];
  readonly div: number[];
  readonly sqrt: number[];
  readonly relaxed_madd: number[];
}

/** One float type's sizes and instructions. */
export interface FloatType {
  readonly precision: Precision;
  readonly valueType: ValueType;
  /** Bytes per number, and its log2 (for addresses). */
  readonly bytes: number;
  readonly shift: number;
  /** Numbers per v128. */
  readonly lanes: number;
  readonly scalar: ScalarOps;
  readonly vector: VectorOps;
}

const FLOAT_TYPES: Record<Precision, FloatType> = {
  f64: {
    precision: 'f64',
    valueType: 'f64',
    bytes: 8,
    shift: 3,
    lanes: 2,
    scalar: f64,
    vector: f64x2,
  },
  f32: {
    precision: 'f32',
    valueType: 'f32',
    bytes: 4,
    shift: 2,
    lanes: 4,
    scalar: f32,
    vector: f32x4,
  },
};

/** The sizes and instructions of `precision`. */
export function floatType(precision: Precision): FloatType {
  return FLOAT_TYPES[precision];
}

/**
 * acc + x·y for code computing each of them: relaxed_madd when `arithmetic` is fused and the
 * operands are vectors (WebAssembly has no scalar relaxed madd), else mul then add.
 */
export function multiplyAdd(
  arithmetic: Arithmetic,
  vector: boolean,
  acc: Code,
  x: Code,
  y: Code,
): number[] {
  const type = floatType(arithmetic.precision);
  if (vector && arithmetic.fused) return code(x, y, acc, type.vector.relaxed_madd);
  const ops = vector ? type.vector : type.scalar;
  return code(acc, x, y, ops.mul, ops.add);
}

/** A function ready to encode: i32 and f64 parameters, no result. */
export interface WasmFunction {
  readonly name: string;
  readonly params: readonly Local[];
  readonly locals: readonly Local[];
  readonly body: Code;
}

/** Builds one function: parameters first, then locals, each named where it is allocated. */
export class FunctionBuilder {
  private readonly params: Local[] = [];
  private readonly locals: Local[] = [];

  /** A function exported as `name`. */
  constructor(private readonly name: string) {}

  /** Declares i32 parameters (addresses and counts), in call order. */
  parameters<const N extends readonly string[]>(...names: N): { [K in keyof N]: Local } {
    return this.declareParameters(names, 'i32');
  }

  /** Declares f64 parameters (constants of the arithmetic), in call order after the others. */
  floatParameters<const N extends readonly string[]>(...names: N): { [K in keyof N]: Local } {
    return this.declareParameters(names, 'f64');
  }

  /** Declares a local of `type`. */
  local(name: string, type: ValueType): Local {
    return this.allocate(this.locals, name, type);
  }

  /** The finished function with `body`. */
  build(body: Code): WasmFunction {
    return { name: this.name, params: [...this.params], locals: [...this.locals], body };
  }

  private declareParameters<const N extends readonly string[]>(
    names: N,
    type: ValueType,
  ): { [K in keyof N]: Local } {
    if (this.locals.length > 0) throw new Error('parameters must be declared before locals');
    return names.map((name) => this.allocate(this.params, name, type)) as {
      [K in keyof N]: Local;
    };
  }

  private allocate(list: Local[], name: string, type: ValueType): Local {
    const local = { index: this.params.length + this.locals.length, type, name };
    list.push(local);
    return local;
  }
}

/** A length-prefixed UTF-8 name. */
function name(text: string): number[] {
  const bytes = [...Buffer.from(text, 'utf8')];
  return [...uleb(bytes.length), ...bytes];
}

/** A section: id, byte length, contents. */
function section(id: number, contents: Code): number[] {
  return [id, ...uleb(contents.length), ...contents];
}

/** A vector: element count, then the elements. */
function vector(items: Code[]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** The locals declaration: runs of equal type, in index order. */
function localRuns(locals: readonly Local[]): number[][] {
  const runs: [count: number, type: ValueType][] = [];
  for (const local of locals) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last[1] === local.type) last[0]++;
    else runs.push([1, local.type]);
  }
  return runs.map(([count, type]) => [...uleb(count), ValueType[type]]);
}

/** The custom "name" section: function names and local names, so the WAT text shows them. */
function nameSection(functions: readonly WasmFunction[]): number[] {
  const functionNames = vector(functions.map((f, i) => [...uleb(i), ...name(f.name)]));
  const localNames = vector(
    functions.map((f, i) => [
      ...uleb(i),
      ...vector(
        [...f.params, ...f.locals].map((local) => [...uleb(local.index), ...name(local.name)]),
      ),
    ]),
  );
  return section(0, [...name('name'), ...section(1, functionNames), ...section(2, localNames)]);
}

/** A module that imports `env.memory` (shared, MAX_PAGES at most) and exports `functions`. */
export function buildModule(functions: readonly WasmFunction[]): Uint8Array {
  // One function type per parameter list (no results), as a WAT assembler would write.
  const signature = (f: WasmFunction) => f.params.map((param) => param.type).join();
  const signatures = [...new Set(functions.map(signature))];
  const types = signatures.map((key) => {
    const params = functions.find((f) => signature(f) === key)?.params ?? [];
    return [0x60, ...vector(params.map((param) => [ValueType[param.type]])), 0];
  });
  const imports = [[...name('env'), ...name('memory'), 0x02, 0x03, 0, ...uleb(MAX_PAGES)]];
  const exports = functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]);
  const bodies = functions.map((f) => {
    const body = [...vector(localRuns(f.locals)), ...f.body, ...emit('end')];
    return [...uleb(body.length), ...body];
  });
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types)),
    ...section(2, vector(imports)),
    ...section(3, vector(functions.map((f) => uleb(signatures.indexOf(signature(f)))))),
    ...section(7, vector(exports)),
    ...section(10, vector(bodies)),
    ...nameSection(functions),
  ]);
}
