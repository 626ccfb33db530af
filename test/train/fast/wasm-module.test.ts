import { describe, expect, it } from 'vitest';
import type { Local } from '../../../src/train/fast/wasm-module.js';
import {
  FunctionBuilder,
  buildModule,
  code,
  f64,
  forEachPair,
  forRange,
  get,
  i32,
  ifThen,
  increment,
  shuffleF32,
  set,
  sleb,
  uleb,
  doWhile,
  loopUntil,
  unless,
} from '../../../src/train/fast/wasm-module.js';
import { KernelModule } from '../../../src/train/fast/wasm.js';
import { kernelArena } from '../../helpers/kernel-memory.js';

describe('LEB128', () => {
  it('encodes unsigned values in 7-bit groups, low first', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(127)).toEqual([0x7f]);
    expect(uleb(128)).toEqual([0x80, 0x01]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
  });

  it('encodes signed values with the sign in bit 6 of the last byte', () => {
    expect(sleb(0)).toEqual([0]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  });
});

/** out[index] = value, for an f64 array at the address in `out`. */
function store(out: Local, index: Code, value: Code): number[] {
  return code(get(out), index, i32.const(3), i32.shl, i32.add, value, f64.store());
}
type Code = readonly number[];

describe('shuffleF32', () => {
  it('picks f32 lanes of a (0–3) and b (4–7) as their four bytes each', () => {
    expect(shuffleF32([0, 4, 1, 5])).toEqual([
      0xfd, 0x0d, 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23,
    ]);
    expect(() => shuffleF32([0, 8, 1, 5])).toThrow(RangeError);
    expect(() => shuffleF32([0, 1.5, 1, 5])).toThrow(RangeError);
  });
});

describe('loops that balance themselves', () => {
  const arena = kernelArena();

  /** Builds and instantiates one function `mark(out, a, b)` with the given body. */
  function mark(body: (out: Local, a: Local, b: Local, k: Local) => Code) {
    const builder = new FunctionBuilder('mark');
    const [out, a, b] = builder.parameters('out', 'a', 'b');
    const k = builder.local('k', 'i32');
    const module = new KernelModule(buildModule([builder.build(body(out, a, b, k))]), arena.memory);
    const kernel = module.kernel('mark');
    return (a: number, b: number): number[] => {
      const out = arena.allocate(Float64Array, 8);
      kernel(out.byteOffset, a, b);
      return [...out];
    };
  }

  it('forRange visits start .. end−1, and nothing when start ≥ end', () => {
    const run = mark((out, a, b, k) =>
      forRange(k, get(a), get(b), store(out, get(k), code(get(k), f64.convert_i32_u))),
    );
    expect(run(2, 5)).toEqual([0, 0, 2, 3, 4, 0, 0, 0]);
    expect(run(3, 3)).toEqual(new Array(8).fill(0));
    expect(run(5, 2)).toEqual(new Array(8).fill(0));
  });

  it('forEachPair runs the pair step at 0, 2, … and the single step once for an odd limit', () => {
    const two = code(i32.const(2), f64.convert_i32_u);
    const one = code(i32.const(1), f64.convert_i32_u);
    const run = mark((out, a, _b, k) =>
      forEachPair(k, a, store(out, get(k), two), store(out, get(k), one)),
    );
    expect(run(5, 0)).toEqual([2, 0, 2, 0, 1, 0, 0, 0]);
    expect(run(4, 0)).toEqual([2, 0, 2, 0, 0, 0, 0, 0]);
    expect(run(1, 0)).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(run(0, 0)).toEqual(new Array(8).fill(0));
  });

  it('loopUntil tests before every iteration; ifThen and unless nest inside it', () => {
    // k counts down from a; out[k] = a where k < b, and out[k] = 1 where k is 5.
    const five = code(i32.const(1), f64.convert_i32_u);
    const run = mark((out, a, b, k) =>
      code(
        set(k, get(a)),
        loopUntil(
          code(get(k), i32.eqz),
          code(
            set(k, code(get(k), i32.const(1), i32.sub)),
            ifThen(
              code(get(k), get(b), i32.lt_u),
              store(out, get(k), code(get(a), f64.convert_i32_u)),
            ),
            unless(code(get(k), i32.const(5), i32.ne), store(out, get(k), five)),
          ),
        ),
      ),
    );
    expect(run(6, 3)).toEqual([6, 6, 6, 0, 0, 1, 0, 0]);
    expect(run(0, 3)).toEqual(new Array(8).fill(0));
  });

  it('doWhile runs its body once before the first test', () => {
    // out[k] = k for k = a, a+1, … while k < b, but always at least k = a.
    const run = mark((out, a, b, k) =>
      code(
        set(k, get(a)),
        doWhile(
          code(store(out, get(k), code(get(k), f64.convert_i32_u)), increment(k, 1)),
          code(get(k), get(b), i32.lt_u),
        ),
      ),
    );
    expect(run(2, 4)).toEqual([0, 0, 2, 3, 0, 0, 0, 0]);
    expect(run(5, 1)).toEqual([0, 0, 0, 0, 0, 5, 0, 0]);
  });
});

describe('FunctionBuilder', () => {
  it('numbers parameters first, then locals in the order they are declared', () => {
    const builder = new FunctionBuilder('f');
    const [x, y] = builder.parameters('x', 'y');
    const v = builder.local('v', 'f64');
    const w = builder.local('w', 'v128');
    expect([x, y, v, w].map((local) => [local.index, local.type, local.name])).toEqual([
      [0, 'i32', 'x'],
      [1, 'i32', 'y'],
      [2, 'f64', 'v'],
      [3, 'v128', 'w'],
    ]);
    expect(() => builder.parameters('z')).toThrow(/before locals/);
  });

  it('encodes runs of equal local types and one function type per parameter count', () => {
    const first = new FunctionBuilder('first');
    first.parameters('a');
    first.local('i', 'i32');
    first.local('j', 'i32');
    first.local('v', 'f64');
    const second = new FunctionBuilder('second');
    second.parameters('b');
    const bytes = buildModule([first.build([]), second.build([])]);
    // type section: one type (i32) → ()
    expect([...bytes.subarray(8, 15)]).toEqual([1, 5, 1, 0x60, 1, 0x7f, 0]);
    const body = [6, 2, 2, 0x7f, 1, 0x7c, 0x0b]; // 6 bytes: 2 runs (2 × i32, 1 × f64), end
    expect(Buffer.from(bytes).includes(Buffer.from(body))).toBe(true);
  });
});
