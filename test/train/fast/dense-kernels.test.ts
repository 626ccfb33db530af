import { describe, expect, it } from 'vitest';
import { Random } from '../../../src/nn/random.js';
import { ROW_ORDER_BYTES, denseKernels } from '../../../src/train/fast/dense-kernels.js';
import {
  copyInto,
  expectSameBits,
  kernelArena,
  randomFloats,
} from '../../helpers/kernel-memory.js';

// Each dense kernel against the plain loop it replaces, term for term, so the bits must match.
// Sizes: 1, even, odd (a last scalar lane after the f64x2 pairs), several samples.
const SIZES = [1, 2, 3, 7];
const COUNTS = [1, 2, 5];

/** Every (count, nOut, nIn) combination of the sizes above. */
function shapes(): [count: number, nOut: number, nIn: number][] {
  return COUNTS.flatMap((count) =>
    SIZES.flatMap((nOut) => SIZES.map((nIn): [number, number, number] => [count, nOut, nIn])),
  );
}

describe('dense kernels against plain loops', () => {
  const arena = kernelArena();
  const kernels = denseKernels(arena.memory);
  const random = new Random(17);

  it('relu: A = Z > 0 ? Z : 0, with −0 and NaN giving +0', () => {
    for (const length of [1, 2, 3, 8, 11]) {
      const Z = randomFloats(arena, length, random, 0.2);
      Z[0] = -0;
      if (length > 2) Z[2] = NaN;
      const A = randomFloats(arena, length, random);
      kernels.relu(A, Z, length);
      expectSameBits(
        A,
        Z.map((z) => (z > 0 ? z : 0)),
      );
    }
  });

  it('forward: Z = W·A + B summed in input order (by rows of Wᵀ past ROW_ORDER_BYTES)', () => {
    const large: [number, number, number] = [3, 201, 170];
    expect(8 * large[1] * large[2]).toBeGreaterThan(ROW_ORDER_BYTES);
    for (const [count, nOut, nIn] of [...shapes(), large]) {
      const WT = randomFloats(arena, nIn * nOut, random);
      const b = randomFloats(arena, nOut, random);
      const A = randomFloats(arena, count * nIn, random, 0.3);
      const Z = randomFloats(arena, count * nOut, random);
      kernels.forward(Z, WT, b, A, count, nOut, nIn);
      const expected = new Float64Array(count * nOut);
      for (let s = 0; s < count; s++) {
        for (let i = 0; i < nOut; i++) {
          let z = b[i];
          for (let j = 0; j < nIn; j++) z += A[s * nIn + j] * WT[j * nOut + i];
          expected[s * nOut + i] = z;
        }
      }
      expectSameBits(Z, expected);
    }
  });

  it('gradient: ∂C/∂W += Δ·Aᵀ and ∂C/∂b += Σ Δ, skipping zero Δ', () => {
    for (const [count, nOut, nIn] of shapes()) {
      const delta = randomFloats(arena, count * nOut, random, 0.3);
      const A = randomFloats(arena, count * nIn, random);
      const gW = randomFloats(arena, nOut * nIn, random);
      const gB = randomFloats(arena, nOut, random);
      const expectedW = Float64Array.from(gW);
      const expectedB = Float64Array.from(gB);
      kernels.gradient(gW, gB, delta, A, count, nOut, nIn);
      for (let s = 0; s < count; s++) {
        for (let i = 0; i < nOut; i++) {
          const d = delta[s * nOut + i];
          if (d === 0) continue;
          expectedB[i] += d;
          for (let j = 0; j < nIn; j++) expectedW[i * nIn + j] += d * A[s * nIn + j];
        }
      }
      expectSameBits(gW, expectedW);
      expectSameBits(gB, expectedB);
    }
  });

  it('backDelta: Δ⁽ℓ⁻¹⁾ = ReLU′(Z) ⊙ WᵀΔ, summed in output order', () => {
    for (const [count, nOut, nIn] of shapes()) {
      const W = randomFloats(arena, nOut * nIn, random);
      const delta = randomFloats(arena, count * nOut, random, 0.3);
      const Z = randomFloats(arena, count * nIn, random, 0.2);
      const previous = randomFloats(arena, count * nIn, random);
      kernels.backDelta(previous, W, delta, Z, count, nOut, nIn);
      const expected = new Float64Array(count * nIn);
      for (let s = 0; s < count; s++) {
        for (let j = 0; j < nIn; j++) {
          let sum = 0;
          for (let i = 0; i < nOut; i++) {
            const d = delta[s * nOut + i];
            if (d !== 0) sum += d * W[i * nIn + j];
          }
          expected[s * nIn + j] = Z[s * nIn + j] > 0 ? sum : 0;
        }
      }
      expectSameBits(previous, expected);
    }
  });

  it('biasGradient: ∂C/∂b += Σ columns of Δ, in sample order', () => {
    for (const count of COUNTS) {
      for (const n of SIZES) {
        const delta = randomFloats(arena, count * n, random, 0.3);
        const gB = randomFloats(arena, n, random);
        const expected = Float64Array.from(gB);
        kernels.biasGradient(gB, delta, count, n);
        for (let s = 0; s < count; s++) for (let k = 0; k < n; k++) expected[k] += delta[s * n + k];
        expectSameBits(gB, expected);
      }
    }
  });

  it('multiply: target = target ⊙ factors', () => {
    for (const length of [1, 2, 3, 8, 11]) {
      const target = randomFloats(arena, length, random, 0.2);
      const factors = randomFloats(arena, length, random, 0.5);
      const expected = target.map((t, k) => t * factors[k]);
      kernels.multiply(target, factors, length);
      expectSameBits(target, expected);
    }
  });

  it('writes only inside the views it is given, and refuses views too short', () => {
    const Z = randomFloats(arena, 3 * 5 + 2, random);
    const before = Float64Array.from(Z);
    const source = copyInto(arena, Z.subarray(1, 16));
    kernels.relu(Z.subarray(1, 16), source, 15);
    expectSameBits(Z.subarray(0, 1), before.subarray(0, 1));
    expectSameBits(Z.subarray(16), before.subarray(16));
    const b = randomFloats(arena, 3, random);
    expect(() => kernels.forward(Z.subarray(0, 5), b, b, b, 2, 3, 1)).toThrow(RangeError);
    expect(() => kernels.multiply(b, Z.subarray(0, 2), 3)).toThrow(RangeError);
  });
});
