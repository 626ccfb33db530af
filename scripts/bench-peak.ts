// The peak of the fast engine's inner kernel on this machine (issue 12): the first layer's
// multiply-add loop (one splat, then for each of VECTORS accumulators a load from an L1-resident
// row and a multiply-add) with nothing else in the way, in f64x2 and f32x4, with plain mul + add
// and with relaxed SIMD's madd. Used by scripts/bench.ts; each thread is its own process.
import type { Arithmetic } from '../src/train/fast/wasm-module.js';
import {
  FunctionBuilder,
  buildModule,
  code,
  floatType,
  get,
  i32,
  increment,
  loopUntil,
  multiplyAdd,
  set,
  v128,
} from '../src/train/fast/wasm-module.js';
import { GROUP_VECTORS } from '../src/train/fast/plan.js';
import { relaxedSimdAvailable } from '../src/train/fast/relaxed-simd.js';
import { KernelModule, MemoryArena, sharedMemory } from '../src/train/fast/wasm.js';

/** Accumulators of the measured loop: as many as the first-layer kernels keep (plan.ts). */
export const PEAK_VECTORS = GROUP_VECTORS;

/** One peak measurement: GFLOP/s of one thread. */
export interface PeakMeasurement {
  readonly gflops: number;
  /** False when relaxed SIMD was asked for but this runtime lacks it (nothing measured). */
  readonly measured: boolean;
}

/** `peak(row, iterations)`: VECTORS accumulators += splat(x)·row[k], `iterations` times. */
function peakModule(arithmetic: Arithmetic): Uint8Array {
  const type = floatType(arithmetic.precision);
  const builder = new FunctionBuilder('peak');
  const [row, iterations] = builder.parameters('row', 'iterations');
  const n = builder.local('n', 'i32');
  const x = builder.local('x', 'v128');
  const accumulators = Array.from({ length: PEAK_VECTORS }, (_, k) =>
    builder.local(`acc${k}`, 'v128'),
  );
  const body = accumulators.map((acc, k) =>
    set(acc, multiplyAdd(arithmetic, true, get(acc), get(x), code(get(row), v128.load(16 * k)))),
  );
  return buildModule([
    builder.build(
      code(
        set(x, code(type.scalar.const(1e-7), type.vector.splat)),
        ...accumulators.map((acc) => set(acc, v128.zero)),
        set(n, i32.const(0)),
        loopUntil(code(get(n), get(iterations), i32.ge_u), code(...body, increment(n, 1))),
        ...accumulators.map((acc, k) => code(get(row), get(acc), v128.store(16 * k))),
      ),
    ),
  ]);
}

/** Measures the kernel for ~`seconds` here: the best of five timed runs. */
export function measurePeak(arithmetic: Arithmetic, seconds = 0.3): PeakMeasurement {
  if (arithmetic.fused && !relaxedSimdAvailable()) return { gflops: 0, measured: false };
  const arena = new MemoryArena(sharedMemory(1));
  const row = arena.allocate(Float64Array, 2 * PEAK_VECTORS).fill(1e-3);
  const peak = new KernelModule(peakModule(arithmetic), arena.memory).kernel('peak');
  const flopsPerIteration = PEAK_VECTORS * floatType(arithmetic.precision).lanes * 2;
  let iterations = 1e5;
  for (;;) {
    const started = performance.now();
    peak(row.byteOffset, iterations);
    const elapsed = (performance.now() - started) / 1000;
    if (elapsed > seconds / 5) break;
    iterations *= 4;
  }
  // CPU time, not wall time: on a shared machine the process is not always running.
  let best = Infinity;
  for (let run = 0; run < 5; run++) {
    const started = process.cpuUsage();
    peak(row.byteOffset, iterations);
    const used = process.cpuUsage(started);
    best = Math.min(best, (used.user + used.system) / 1e6);
  }
  return { gflops: (flopsPerIteration * iterations) / best / 1e9, measured: true };
}
