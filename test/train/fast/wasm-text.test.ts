import { describe, expect, it } from 'vitest';
import { costModule } from '../../../src/train/fast/cost-kernels.js';
import { denseModule } from '../../../src/train/fast/dense-kernels.js';
import { inputModule, pairedInputModule } from '../../../src/train/fast/input-kernels.js';
import { layoutModule } from '../../../src/train/fast/layout-kernels.js';
import { updateModule } from '../../../src/train/fast/update-kernels.js';
import { MAX_GROUP_WIDTH, maxGroupWidth } from '../../../src/train/fast/plan.js';
import { relaxedSimdAvailable } from '../../../src/train/fast/relaxed-simd.js';
import { tileModule } from '../../../src/train/fast/tile-kernels.js';
import type { Arithmetic } from '../../../src/train/fast/wasm-module.js';
import {
  FunctionBuilder,
  buildModule,
  code,
  f64,
  forRange,
  get,
  i32,
  memoryFill,
  set,
  v128,
} from '../../../src/train/fast/wasm-module.js';
import { moduleText } from '../../../src/train/fast/wasm-text.js';

/** A small module that uses every kind of immediate. */
function sampleModule(): Uint8Array {
  const builder = new FunctionBuilder('sample');
  const [base, n] = builder.parameters('base', 'n');
  const k = builder.local('k', 'i32');
  const x = builder.local('x', 'f64');
  const pair = builder.local('pair', 'v128');
  return buildModule([
    builder.build(
      code(
        set(pair, v128.zero),
        forRange(k, i32.const(-3), get(n), set(x, code(get(base), f64.load(8)))),
        get(base),
        get(pair),
        v128.store(16),
        get(base),
        f64.const(-0),
        f64.store(),
        get(base),
        i32.const(0),
        get(n),
        memoryFill,
      ),
    ),
  ]);
}

const SAMPLE_TEXT = `(module
  (import "env" "memory" (memory 0 32768 shared))
  (func $sample (export "sample") (param $base i32) (param $n i32)
    (local $k i32)
    (local $x f64)
    (local $pair v128)
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $pair
    i32.const -3
    local.set $k
    block
      loop
        local.get $k
        local.get $n
        i32.ge_u
        br_if 1
        local.get $base
        f64.load offset=8
        local.set $x
        local.get $k
        i32.const 1
        i32.add
        local.set $k
        br 0
      end
    end
    local.get $base
    local.get $pair
    v128.store offset=16 align=8
    local.get $base
    f64.const -0
    f64.store
    local.get $base
    i32.const 0
    local.get $n
    memory.fill
  )
)
`;

describe('moduleText', () => {
  it('prints a module as WAT with the names of its functions, parameters and locals', () => {
    // This text, assembled by wabt's wat2wasm (--enable-threads), gives the same bytes back.
    expect(moduleText(sampleModule())).toBe(SAMPLE_TEXT);
  });

  it('decodes every kernel module to its last byte', () => {
    const f32: Arithmetic = { precision: 'f32', fused: relaxedSimdAvailable() };
    const modules: [Uint8Array, string[]][] = [
      [denseModule(), ['relu', 'multiply', 'biasGradient']],
      [denseModule(f32), ['relu', 'multiply', 'biasGradient']],
      [tileModule(), ['forward', 'gradient', 'backDelta']],
      [tileModule(f32), ['forward', 'gradient', 'backDelta']],
      [layoutModule(), ['sumChunks', 'transpose', 'sumChunksF32', 'transposeDividedF32', 'narrow']],
      [updateModule(), ['gradientDescent', 'momentum', 'adam', 'adamF32', 'adamGroupF32']],
      [costModule(), ['softmax', 'exp']],
      [costModule('f32'), ['softmax', 'exp']],
      [pairedInputModule(), ['forward', 'backward', 'backwardFirst']],
      [pairedInputModule(f32), ['forward', 'backward', 'backwardFirst']],
    ];
    for (const [bytes, names] of modules) {
      const text = moduleText(bytes);
      for (const name of names) expect(text).toContain(`(func $${name} (export "${name}")`);
    }
    expect(moduleText(updateModule())).toContain('(param $alpha f64)');
    // [w(j,p), w(j+1,p), w(j,p+1), w(j+1,p+1)]: f32 lanes 0, 4, 1, 5 as their 16 bytes
    expect(moduleText(updateModule())).toContain(
      'i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23',
    );
    expect(moduleText(costModule())).toContain('i64x2.shl');
    // The pair's values: f32 splats, widened to f64x2 in f64.
    expect(moduleText(pairedInputModule(f32))).toContain('v128.load32_splat offset=8');
    expect(moduleText(pairedInputModule())).toContain('f64x2.promote_low_f32x4');
    for (let width = 1; width <= MAX_GROUP_WIDTH; width++) {
      const input = moduleText(inputModule(width));
      expect(input).toContain('(func $forward (export "forward") (param $rowStart i32)');
      expect(input).toContain(`i32.const ${8 * width}`);
    }
    for (let width = 1; width <= maxGroupWidth('f32'); width++) {
      const input = moduleText(inputModule(width, f32));
      expect(input).toContain(`i32.const ${4 * width}`);
      if (width >= 4) expect(input).toContain(f32.fused ? 'f32x4.relaxed_madd' : 'f32x4.mul');
    }
  });

  it('rejects bytes it does not know', () => {
    const bytes = sampleModule();
    const broken = Uint8Array.from(bytes);
    broken[broken.indexOf(0xfc)] = 0xff; // memory.fill's prefix becomes an unknown opcode
    expect(() => moduleText(broken)).toThrow(/unknown opcode/);
    expect(() => moduleText(bytes.subarray(4))).toThrow(/not a WebAssembly/);
  });
});
