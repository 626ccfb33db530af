import { describe, expect, it } from 'vitest';
import { Random } from '../../../src/nn/random.js';
import { updateKernels } from '../../../src/train/fast/update-kernels.js';
import {
  copyInto,
  expectSameBits,
  kernelArena,
  randomFloat32s,
  randomFloats,
} from '../../helpers/kernel-memory.js';

// Each update against the formula of MATH.md ("Beyond the paper") written as a plain loop in the
// readable optimizer's order of operations: the bits must match. Lengths 1, even, odd.
const LENGTHS = [1, 2, 3, 10, 33];
const ADAM = {
  beta1: 0.9,
  beta2: 0.999,
  oneMinusBeta1: 1 - 0.9,
  oneMinusBeta2: 1 - 0.999,
  correction1: 1 - 0.9 ** 3,
  correction2: 1 - 0.999 ** 3,
  epsilon: 1e-8,
};

describe('update kernels against plain loops', () => {
  const arena = kernelArena();
  const kernels = updateKernels(arena.memory);
  const random = new Random(31);

  it('gradientDescent: θ ← θ − α (g + λ θ), with and without weight decay', () => {
    for (const n of LENGTHS) {
      for (const lambda of [0, 5e-4]) {
        const theta = randomFloats(arena, n, random, 0.1);
        const g = randomFloats(arena, n, random, 0.1);
        const expected = Float64Array.from(theta);
        for (let i = 0; i < n; i++) expected[i] -= 0.05 * (g[i] + lambda * expected[i]);
        kernels.gradientDescent(theta, g, 0.05, lambda);
        expectSameBits(theta, expected);
      }
    }
  });

  it('momentum: V ← μ V + (g + λ θ), θ ← θ − α V', () => {
    for (const n of LENGTHS) {
      const theta = randomFloats(arena, n, random);
      const g = randomFloats(arena, n, random, 0.1);
      const V = randomFloats(arena, n, random);
      const [expectedTheta, expectedV] = [Float64Array.from(theta), Float64Array.from(V)];
      for (let i = 0; i < n; i++) {
        expectedV[i] = 0.9 * expectedV[i] + (g[i] + 1e-3 * expectedTheta[i]);
        expectedTheta[i] -= 0.1 * expectedV[i];
      }
      kernels.momentum(theta, g, V, 0.1, 0.9, 1e-3);
      expectSameBits(theta, expectedTheta);
      expectSameBits(V, expectedV);
    }
  });

  it('adam: M, S, then θ ← θ − α (M̂ / (√Ŝ + ε) + λ θ)', () => {
    for (const n of LENGTHS) {
      for (const lambda of [0, 1e-2]) {
        const theta = randomFloats(arena, n, random);
        const g = randomFloats(arena, n, random, 0.1);
        const M = randomFloats(arena, n, random);
        const S = copyInto(arena, randomFloats(arena, n, random).map(Math.abs));
        const [eTheta, eM, eS] = [theta, M, S].map((a) => Float64Array.from(a));
        const k = ADAM;
        for (let i = 0; i < n; i++) {
          eM[i] = k.beta1 * eM[i] + (1 - k.beta1) * g[i];
          eS[i] = k.beta2 * eS[i] + (1 - k.beta2) * g[i] * g[i];
          const mHat = eM[i] / k.correction1;
          const sHat = eS[i] / k.correction2;
          eTheta[i] -= 1e-3 * (mHat / (Math.sqrt(sHat) + k.epsilon) + lambda * eTheta[i]);
        }
        kernels.adam(theta, g, M, S, 1e-3, k, lambda);
        expectSameBits(theta, eTheta);
        expectSameBits(M, eM);
        expectSameBits(S, eS);
      }
    }
  });

  // adamF32 computes M̂ / (√Ŝ + ε) in f32 from f64 M and S: each of its roundings (M̂ and Ŝ to
  // f32, the square root, + ε, the division) is within 2⁻²⁴ relative, and the square root halves
  // Ŝ's, so the direction is within 5.5·2⁻²⁴ of the readable one's: 8·2⁻²⁴ leaves a margin, and
  // θ − α(…) itself rounds in f64 (a few units of 2⁻⁵² of |θ|). M and S are the f64 ones, bit
  // for bit. A wrong term (a missing correction, ε, or λ θ) is off by far more.
  it('adamF32: M and S as adam, θ with the direction M̂ / (√Ŝ + ε) to f32 rounding', () => {
    for (const n of LENGTHS) {
      for (const lambda of [0, 1e-2]) {
        const theta = randomFloats(arena, n, random);
        const g = randomFloats(arena, n, random, 0.1);
        const M = randomFloats(arena, n, random);
        // Every other Ŝ small enough that ε counts (√Ŝ near 1e-8), with M and g to match.
        const tiny = (values: Float64Array, scale: number) =>
          values.map((value, i) => (i % 2 === 1 ? value * scale : value));
        const S = copyInto(arena, tiny(randomFloats(arena, n, random), 1e-18).map(Math.abs));
        g.set(tiny(g, 1e-9));
        M.set(tiny(M, 1e-9));
        const [eTheta, eM, eS] = [theta, M, S].map((a) => Float64Array.from(a));
        const direction = new Float64Array(n);
        const k = ADAM;
        const alpha = 1e-3;
        for (let i = 0; i < n; i++) {
          eM[i] = k.beta1 * eM[i] + (1 - k.beta1) * g[i];
          eS[i] = k.beta2 * eS[i] + (1 - k.beta2) * g[i] * g[i];
          direction[i] = eM[i] / k.correction1 / (Math.sqrt(eS[i] / k.correction2) + k.epsilon);
          eTheta[i] -= alpha * (direction[i] + lambda * eTheta[i]);
        }
        kernels.adamF32(theta, g, M, S, alpha, k, lambda);
        expectSameBits(M, eM);
        expectSameBits(S, eS);
        for (let i = 0; i < n; i++) {
          const bound =
            alpha * 8 * 2 ** -24 * Math.abs(direction[i]) + 4 * 2 ** -52 * Math.abs(eTheta[i]);
          expect(Math.abs(theta[i] - eTheta[i])).toBeLessThanOrEqual(bound);
        }
      }
    }
  });

  // adamGroupF32: every f32 step (the chunk sums added in order, the scale, M, S, the direction)
  // exactly as Math.fround rounds it, θ − α(d + λθ) in f64, and the forward copy θ · (1/255)
  // rounded to f32, all in the group's pixel-major order: the bits must match a plain loop.
  it('adamGroupF32: f32 moments and direction from the chunk sums, θ in f64, the forward copy', () => {
    const fr = Math.fround;
    for (const [rowLength, width, chunkCount] of [
      [2, 4, 1],
      [6, 8, 3],
      [10, 12, 2],
    ]) {
      const n = rowLength * width;
      const stride = n + 5;
      const theta = randomFloats(arena, n, random);
      const M = randomFloat32s(arena, n, random);
      const S = randomFloat32s(arena, n, random);
      // Second moments are positive, and every other one small enough that ε counts.
      S.forEach((value, i) => (S[i] = Math.abs(value) * (i % 2 === 0 ? 1e-4 : 1e-17)));
      const partials = randomFloat32s(arena, (chunkCount - 1) * stride + n, random, 0.2);
      const weights = randomFloat32s(arena, n, random);
      const [eTheta, eM, eS] = [
        Float64Array.from(theta),
        Float32Array.from(M),
        Float32Array.from(S),
      ];
      const eWeights = new Float32Array(n);
      const scale = 1 / 64 / 255;
      const k = ADAM;
      const [alpha, lambda] = [1e-3, 1e-2];
      for (let p = 0; p < rowLength; p++) {
        for (let j = 0; j < width; j++) {
          const q = p * width + j;
          let sum = partials[q];
          for (let c = 1; c < chunkCount; c++) sum = fr(sum + partials[c * stride + q]);
          const g = fr(sum * fr(scale));
          eM[q] = fr(fr(fr(k.beta1) * eM[q]) + fr(fr(k.oneMinusBeta1) * g));
          eS[q] = fr(fr(fr(k.beta2) * eS[q]) + fr(fr(fr(k.oneMinusBeta2) * g) * g));
          const mHat = fr(eM[q] * fr(1 / k.correction1));
          const sHat = fr(eS[q] * fr(1 / k.correction2));
          const d = fr(mHat / fr(fr(Math.sqrt(sHat)) + fr(k.epsilon)));
          const t = j * rowLength + p;
          eTheta[t] -= alpha * (d + lambda * eTheta[t]);
          eWeights[q] = eTheta[t] * (1 / 255);
        }
      }
      kernels.adamGroupF32(
        {
          theta,
          M,
          S,
          partials,
          chunkCount,
          stride,
          gradientScale: scale,
          weights,
          rowLength,
          width,
          divisor: 255,
        },
        alpha,
        k,
        lambda,
      );
      expectSameBits(theta, eTheta);
      expect([...M]).toEqual([...eM]);
      expect([...S]).toEqual([...eS]);
      expect([...weights]).toEqual([...eWeights]);
    }
  });

  it('adamGroupF32 refuses an odd row length or a width not a multiple of 4', () => {
    for (const [rowLength, width] of [
      [3, 4],
      [2, 6],
    ]) {
      const n = rowLength * width;
      const group = {
        theta: randomFloats(arena, n, random),
        M: randomFloat32s(arena, n, random),
        S: randomFloat32s(arena, n, random),
        partials: randomFloat32s(arena, n, random),
        chunkCount: 1,
        stride: n,
        gradientScale: 1,
        weights: randomFloat32s(arena, n, random),
        rowLength,
        width,
        divisor: 255,
      };
      expect(() => kernels.adamGroupF32(group, 1e-3, ADAM, 0)).toThrow(RangeError);
    }
  });

  it('refuses arrays of different lengths', () => {
    const [a, b] = [randomFloats(arena, 4, random), randomFloats(arena, 3, random)];
    expect(() => kernels.gradientDescent(a, b, 0.1, 0)).toThrow(RangeError);
  });
});
