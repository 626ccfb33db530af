/**
 * Relaxed SIMD (f32x4.relaxed_madd, f64x2.relaxed_madd: a·b + c with one rounding where the
 * machine has fused multiply-add). Node 20's V8 has it behind a flag that may be switched on from
 * inside the process, before the modules that use it are compiled; whether it then validates is
 * what says it is there. Where it is missing, kernels are generated with mul then add instead.
 * The flag is process-wide, so worker threads started afterwards see it too.
 */
import { setFlagsFromString } from 'node:v8';
import { FunctionBuilder, buildModule, code, f32x4, get, v128 } from './wasm-module.js';
import { wasm } from './wasm.js';

let available: boolean | undefined;

/** A module whose one function stores x·x + x for the f32x4 x at an address: a relaxed madd. */
function probeModule(): Uint8Array {
  const builder = new FunctionBuilder('probe');
  const [x] = builder.parameters('x');
  const vector = code(get(x), v128.load());
  return buildModule([
    builder.build(code(get(x), vector, vector, vector, f32x4.relaxed_madd, v128.store())),
  ]);
}

/**
 * Switches relaxed SIMD on (once per process) and says whether this runtime compiles it. Call it
 * before compiling any kernel that uses it.
 */
export function relaxedSimdAvailable(): boolean {
  if (available === undefined) {
    setFlagsFromString('--experimental-wasm-relaxed-simd');
    available = wasm.validate(probeModule());
  }
  return available;
}
