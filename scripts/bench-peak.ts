// The peak of the fast engine's inner kernels on this machine (issue 12): the first layer's
// multiply-add loops with nothing else in the way, in f64x2 and f32x4, with plain mul + add and
// with relaxed SIMD's madd. Two shapes: `single` (one splat, then for each of PEAK_VECTORS
// accumulators a load from an L1-resident row and a multiply-add: the kernels of batches) and
// `paired` (two splats, then for each of PAIRED_VECTORS loads two multiply-adds into 2 ×
// PAIRED_VECTORS accumulators: the kernels of passes over the whole set). Used by
// scripts/bench.ts; each thread is its own process.
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
import { GROUP_VECTORS, PAIRED_VECTORS } from '../src/train/fast/plan.js';
import { relaxedSimdAvailable } from '../src/train/fast/relaxed-simd.js';
import { KernelModule, MemoryArena, sharedMemory } from '../src/train/fast/wasm.js';

/** Accumulators of the single loop: as many as the first-layer kernels keep (plan.ts). */
export const PEAK_VECTORS = GROUP_VECTORS;

/** The loop measured: the single kernels' or the paired ones'. */
export type PeakShape = 'single' | 'paired';

/** One peak measurement: GFLOP/s of one thread. */
export interface PeakMeasurement {
  readonly gflops: number;
  /** False when relaxed SIMD was asked for but this runtime lacks it (nothing measured). */
  readonly measured: boolean;
}

/**
 * `peak(row, iterations)`: single, PEAK_VECTORS accumulators += splat(x)·row[k]; paired, for
 * each of PAIRED_VECTORS row vectors a[k] += splat(x)·row[k] and b[k] += splat(y)·row[k];
 * `iterations` times.
 */
function peakModule(arithmetic: Arithmetic, shape: PeakShape): Uint8Array {
  const type = floatType(arithmetic.precision);
  const builder = new FunctionBuilder('peak');
  const [row, iterations] = builder.parameters('row', 'iterations');
  const n = builder.local('n', 'i32');
  const x = builder.local('x', 'v128');
  const y = builder.local('y', 'v128');
  const rows = shape === 'single' ? PEAK_VECTORS : PAIRED_VECTORS;
  const splats = shape === 'single' ? [x] : [x, y];
  const accumulators = splats.map((_, s) =>
    Array.from({ length: rows }, (_, k) => builder.local(`acc${s}_${k}`, 'v128')),
  );
  const loaded = Array.from({ length: rows }, (_, k) => builder.local(`row${k}`, 'v128'));
  const body = loaded.map((vector, k) =>
    code(
      set(vector, code(get(row), v128.load(16 * k))),
      ...splats.map((splat, s) =>
        set(
          accumulators[s][k],
          multiplyAdd(arithmetic, true, get(accumulators[s][k]), get(splat), get(vector)),
        ),
      ),
    ),
  );
  const all = accumulators.flat();
  return buildModule([
    builder.build(
      code(
        set(x, code(type.scalar.const(1e-7), type.vector.splat)),
        set(y, code(type.scalar.const(2e-7), type.vector.splat)),
        ...all.map((acc) => set(acc, v128.zero)),
        set(n, i32.const(0)),
        loopUntil(code(get(n), get(iterations), i32.ge_u), code(...body, increment(n, 1))),
        ...all.map((acc, k) => code(get(row), get(acc), v128.store(16 * k))),
      ),
    ),
  ]);
}

/** Multiply-adds per iteration of a shape's loop. */
function vectorMultiplyAdds(shape: PeakShape): number {
  return shape === 'single' ? PEAK_VECTORS : 2 * PAIRED_VECTORS;
}

/** Measures the kernel for ~`seconds` here: the best of five timed runs. */
export function measurePeak(
  arithmetic: Arithmetic,
  shape: PeakShape,
  seconds = 0.3,
): PeakMeasurement {
  if (arithmetic.fused && !relaxedSimdAvailable()) return { gflops: 0, measured: false };
  const arena = new MemoryArena(sharedMemory(1));
  // Room for every accumulator's store at the end.
  const row = arena.allocate(Float64Array, 4 * vectorMultiplyAdds(shape)).fill(1e-3);
  const peak = new KernelModule(peakModule(arithmetic, shape), arena.memory).kernel('peak');
  const flopsPerIteration = vectorMultiplyAdds(shape) * floatType(arithmetic.precision).lanes * 2;
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
