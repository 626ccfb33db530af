import { describe, expect, it } from 'vitest';
import { Random } from '../../../src/nn/random.js';
import { denseKernels } from '../../../src/train/fast/dense-kernels.js';
import { tileKernels } from '../../../src/train/fast/tile-kernels.js';
import type { SparseColumns, SparseRows } from '../../../src/train/fast/input-kernels.js';
import { inputKernels } from '../../../src/train/fast/input-kernels.js';
import { maxGroupWidth } from '../../../src/train/fast/plan.js';
import { relaxedSimdAvailable } from '../../../src/train/fast/relaxed-simd.js';
import type { Arithmetic } from '../../../src/train/fast/wasm-module.js';
import {
  expectWithinF32Rounding,
  kernelArena,
  randomFloat32s,
} from '../../helpers/kernel-memory.js';

// The f32 kernels against plain loops computed in f64 from the same f32 inputs. A sum computed
// in f32 differs from that by rounding only, so each result must lie within the bound of
// recursive summation, (terms + 1)·2⁻²⁴·Σ|terms|; that holds with and without fused
// multiply-adds (relaxed_madd rounds once or twice depending on the machine's FMA). Shapes:
// sizes that fill no vector, one, and several with scalars left over (f32x4: 1, 3, 4, 7, 9).
const SIZES = [1, 3, 4, 7, 9];
const COUNTS = [1, 2, 5];
const PIXELS = 11;

const ARITHMETICS: Arithmetic[] = [
  { precision: 'f32', fused: false },
  ...(relaxedSimdAvailable() ? [{ precision: 'f32' as const, fused: true }] : []),
];

/** Every (count, nOut, nIn) combination of the sizes above. */
function shapes(): [count: number, nOut: number, nIn: number][] {
  return COUNTS.flatMap((count) =>
    SIZES.flatMap((nOut) => SIZES.map((nIn): [number, number, number] => [count, nOut, nIn])),
  );
}

/** Random pixel bytes, about half 0. */
function randomBytes(length: number, random: Random): Uint8Array {
  return Uint8Array.from({ length }, () => (random.next() < 0.5 ? 0 : 1 + random.integer(255)));
}

describe.each(ARITHMETICS)('f32 kernels (fused: $fused) against f64 plain loops', (arithmetic) => {
  const arena = kernelArena();
  const random = new Random(29);
  const dense = denseKernels(arena.memory, arithmetic);
  const tiles = tileKernels(arena.memory, arithmetic);

  it('first layer, forward: Z = b + Σ byte·(W)ᵀ over non-zero pixels, groups up to the widest', () => {
    for (const width of [1, 3, 4, 9, maxGroupWidth('f32')]) {
      const kernels = inputKernels(width, arena.memory, arithmetic);
      const count = 3;
      const images = randomBytes(count * PIXELS, random);
      const rows: SparseRows = {
        start: arena.allocate(Int32Array, count + 1),
        pixel: arena.allocate(Uint16Array, images.length),
        value: arena.allocate(Uint8Array, images.length),
      };
      let e = 0;
      for (let s = 0; s < count; s++) {
        rows.start[s] = e;
        for (let j = 0; j < PIXELS; j++) {
          const v = images[s * PIXELS + j];
          if (v !== 0) [rows.pixel[e], rows.value[e], e] = [j, v, e + 1];
        }
      }
      rows.start[count] = e;
      const weights = randomFloat32s(arena, PIXELS * width, random);
      const bias = randomFloat32s(arena, width, random);
      const Z = randomFloat32s(arena, count * width, random);
      kernels.forward({ matrix: Z, column: 0, rowLength: width }, rows, 0, count, weights, bias);
      const exact = new Float64Array(count * width);
      const magnitude = new Float64Array(count * width);
      for (let s = 0; s < count; s++) {
        for (let i = 0; i < width; i++) {
          let [z, m] = [bias[i], Math.abs(bias[i])];
          for (let j = 0; j < PIXELS; j++) {
            const v = images[s * PIXELS + j];
            z += v * weights[j * width + i];
            m += v * Math.abs(weights[j * width + i]);
          }
          [exact[s * width + i], magnitude[s * width + i]] = [z, m];
        }
      }
      expectWithinF32Rounding(Z, exact, magnitude, PIXELS + 1);
    }
  });

  it('first layer, backward: ∂C/∂W += Σ byte·Δ per pixel, and = Σ for a first block', () => {
    for (const width of [1, 5, maxGroupWidth('f32')]) {
      const kernels = inputKernels(width, arena.memory, arithmetic);
      for (const first of [false, true]) {
        const count = 6;
        const images = randomBytes(count * PIXELS, random);
        const columns: SparseColumns = {
          start: arena.allocate(Int32Array, PIXELS + 1),
          sample: arena.allocate(Uint8Array, images.length),
          value: arena.allocate(Uint8Array, images.length),
        };
        let e = 0;
        for (let j = 0; j < PIXELS; j++) {
          columns.start[j] = e;
          for (let s = 0; s < count; s++) {
            const v = images[s * PIXELS + j];
            if (v !== 0) [columns.sample[e], columns.value[e], e] = [s, v, e + 1];
          }
        }
        columns.start[PIXELS] = e;
        const delta = randomFloat32s(arena, count * width, random, 0.2);
        const gradient = randomFloat32s(arena, PIXELS * width, random);
        const exact = first ? new Float64Array(PIXELS * width) : Float64Array.from(gradient);
        const magnitude = exact.map(Math.abs);
        kernels.backward(
          gradient,
          columns,
          0,
          PIXELS,
          { matrix: delta, column: 0, rowLength: width },
          count,
          randomFloat32s(arena, count * width, random),
          first,
        );
        for (let j = 0; j < PIXELS; j++) {
          for (let s = 0; s < count; s++) {
            const v = images[s * PIXELS + j];
            for (let i = 0; i < width; i++) {
              exact[j * width + i] += v * delta[s * width + i];
              magnitude[j * width + i] += v * Math.abs(delta[s * width + i]);
            }
          }
        }
        expectWithinF32Rounding(gradient, exact, magnitude, count + 1);
      }
    }
  });

  it('tiled forward: Z = W·A + B', () => {
    for (const [count, nOut, nIn] of [...shapes(), [9, 301, 250]]) {
      const WT = randomFloat32s(arena, nIn * nOut, random);
      const b = randomFloat32s(arena, nOut, random);
      const A = randomFloat32s(arena, count * nIn, random, 0.3);
      const Z = randomFloat32s(arena, count * nOut, random);
      tiles.forward(Z, WT, b, A, count, nOut, nIn);
      const exact = new Float64Array(count * nOut);
      const magnitude = new Float64Array(count * nOut);
      for (let s = 0; s < count; s++) {
        for (let i = 0; i < nOut; i++) {
          let [z, m] = [b[i], Math.abs(b[i])];
          for (let j = 0; j < nIn; j++) {
            z += A[s * nIn + j] * WT[j * nOut + i];
            m += Math.abs(A[s * nIn + j] * WT[j * nOut + i]);
          }
          [exact[s * nOut + i], magnitude[s * nOut + i]] = [z, m];
        }
      }
      expectWithinF32Rounding(Z, exact, magnitude, nIn + 1);
    }
  });

  it('tiled gradient and backDelta, biasGradient: ∂C/∂W += Δ·Aᵀ, ∂C/∂b += Σ Δ, Δ⁽ℓ⁻¹⁾ = ReLU′(Z) ⊙ WᵀΔ', () => {
    for (const [count, nOut, nIn] of shapes()) {
      const delta = randomFloat32s(arena, count * nOut, random, 0.3);
      const A = randomFloat32s(arena, count * nIn, random);
      const gW = randomFloat32s(arena, nOut * nIn, random);
      const gB = randomFloat32s(arena, nOut, random);
      const [exactW, exactB] = [Float64Array.from(gW), Float64Array.from(gB)];
      const [magnitudeW, magnitudeB] = [exactW.map(Math.abs), exactB.map(Math.abs)];
      tiles.gradient(gW, delta, A, count, nOut, nIn);
      dense.biasGradient(gB, delta, count, nOut);
      for (let s = 0; s < count; s++) {
        for (let i = 0; i < nOut; i++) {
          const d = delta[s * nOut + i];
          exactB[i] += d;
          magnitudeB[i] += Math.abs(d);
          for (let j = 0; j < nIn; j++) {
            exactW[i * nIn + j] += d * A[s * nIn + j];
            magnitudeW[i * nIn + j] += Math.abs(d * A[s * nIn + j]);
          }
        }
      }
      expectWithinF32Rounding(gW, exactW, magnitudeW, count + 1);
      expectWithinF32Rounding(gB, exactB, magnitudeB, count + 1);

      const W = randomFloat32s(arena, nOut * nIn, random);
      const Z = randomFloat32s(arena, count * nIn, random, 0.2);
      const previous = randomFloat32s(arena, count * nIn, random);
      tiles.backDelta(previous, W, delta, Z, count, nOut, nIn);
      const exact = new Float64Array(count * nIn);
      const magnitude = new Float64Array(count * nIn);
      for (let s = 0; s < count; s++) {
        for (let j = 0; j < nIn; j++) {
          if (!(Z[s * nIn + j] > 0)) continue;
          for (let i = 0; i < nOut; i++) {
            exact[s * nIn + j] += delta[s * nOut + i] * W[i * nIn + j];
            magnitude[s * nIn + j] += Math.abs(delta[s * nOut + i] * W[i * nIn + j]);
          }
        }
      }
      expectWithinF32Rounding(previous, exact, magnitude, nOut + 1);
    }
  });

  it('relu, multiply and a one-sample biasGradient: one rounding each, or exact', () => {
    for (const length of SIZES) {
      const Z = randomFloat32s(arena, length, random, 0.2);
      const A = randomFloat32s(arena, length, random);
      dense.relu(A, Z, length);
      expect([...A]).toEqual([...Z].map((z) => (z > 0 ? z : 0)));
      const factors = randomFloat32s(arena, length, random, 0.5);
      const product = A.map((a, k) => Math.fround(a * factors[k]));
      dense.multiply(A, factors, length);
      expect([...A]).toEqual([...product]);
      const gB = randomFloat32s(arena, length, random);
      const exact = Float64Array.from(gB);
      const magnitude = exact.map(Math.abs);
      dense.biasGradient(gB, factors, 1, length);
      factors.forEach((f, k) => ((exact[k] += f), (magnitude[k] += Math.abs(f))));
      expectWithinF32Rounding(gB, exact, magnitude, 2);
    }
  });
});
