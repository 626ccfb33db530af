import { describe, expect, it } from 'vitest';
import { argmaxStrided } from '../../../src/matrix/columns.js';
import { Random } from '../../../src/nn/random.js';
import { costKernels } from '../../../src/train/fast/cost-kernels.js';
import type { FloatArray } from '../../../src/train/fast/input-kernels.js';
import type { MemoryArena } from '../../../src/train/fast/wasm.js';
import type { Precision } from '../../../src/train/fast/wasm-module.js';
import { expectSameBits, kernelArena } from '../../helpers/kernel-memory.js';

// The softmax kernel against the JavaScript loop it replaced (the fast engine's before it), and
// its exponential against Math.exp: both bit for bit, since f64 training must stay exact.

/** The readable softmax of one block: Δ, the sums and the argmaxes, as the loop computed them. */
function readableSoftmax(
  Z: FloatArray,
  delta: FloatArray,
  labels: Uint8Array,
  count: number,
  n: number,
): { sums: Float64Array; argmaxes: Int32Array } {
  const sums = new Float64Array(count);
  const argmaxes = new Int32Array(count);
  for (let s = 0; s < count; s++) {
    const row = s * n;
    const argmax = argmaxStrided(Z, row, n, 1);
    const max = Z[row + argmax];
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const e = Math.exp(Z[row + i] - max);
      delta[row + i] = e;
      sum += e;
    }
    const inverse = 1 / sum;
    for (let i = 0; i < n; i++) delta[row + i] *= inverse;
    delta[row + labels[s]] -= 1;
    sums[s] = sum;
    argmaxes[s] = argmax;
  }
  return { sums, argmaxes };
}

/** A zeroed array of `length` numbers of `precision` in the arena. */
function floats(arena: MemoryArena, precision: Precision, length: number): FloatArray {
  return precision === 'f64'
    ? arena.allocate(Float64Array, length)
    : arena.allocate(Float32Array, length);
}

/** Random outputs Z (spread `scale`); every third row repeats its first value last (a tie). */
function randomOutputs(
  arena: MemoryArena,
  precision: Precision,
  count: number,
  n: number,
  scale: number,
  random: Random,
): FloatArray {
  const Z = floats(arena, precision, count * n);
  for (let k = 0; k < Z.length; k++) Z[k] = scale * random.normal();
  for (let s = 0; s < count; s += 3) if (n > 1) Z[s * n + n - 1] = Z[s * n];
  return Z;
}

describe('the exponential of the cost kernels', () => {
  const arena = kernelArena();
  const kernels = costKernels(arena.memory);
  const random = new Random(5);

  it('is Math.exp to the bit over every range fdlibm treats apart, and at its edges', () => {
    const special = [
      0,
      -0,
      1,
      -1,
      0.5,
      Infinity,
      -Infinity,
      NaN,
      709.78,
      709.79,
      7.09782712893383973096e2,
      -745.1,
      -745.2,
      -7.4513321910194110842e2,
      -708.5,
      -708.3,
      1e-300,
      -1e-9,
      2 ** -28,
      -(2 ** -28),
      2 ** -29,
      0.34657359027997264,
      -0.34657359027997264,
      1.0397207708399179,
      -1.0397207708399179,
      5e-324,
      -5e-324,
    ];
    const spreads = [1e-9, 0.5, 2, 40, 750, 1500];
    const length = special.length + spreads.length * 4001;
    const x = arena.allocate(Float64Array, length);
    x.set(special);
    let k = special.length;
    for (const spread of spreads) {
      for (let i = 0; i < 4001; i++) x[k++] = spread * (2 * random.next() - 1);
    }
    const out = arena.allocate(Float64Array, length);
    kernels.exp(out, x, length);
    expectSameBits(out, x.map(Math.exp));
  });
});

describe('the softmax kernel against the readable loop', () => {
  const arena = kernelArena();
  const random = new Random(9);
  const shapes: [count: number, n: number][] = [
    [1, 1],
    [3, 2],
    [5, 3],
    [7, 10],
    [4, 11],
    [2, 100],
  ];

  for (const precision of ['f64', 'f32'] as const) {
    const kernels = costKernels(arena.memory, precision);
    it(`${precision}: Δ, the sums and the argmaxes are the loop's, bit for bit`, () => {
      for (const [count, n] of shapes) {
        for (const scale of [0.1, 3, 60]) {
          const Z = randomOutputs(arena, precision, count, n, scale, random);
          const labels = arena.allocate(Uint8Array, count + 2);
          for (let s = 0; s < labels.length; s++) labels[s] = Math.floor(random.next() * n);
          const delta = floats(arena, precision, count * n);
          const sums = arena.allocate(Float64Array, count);
          const argmaxes = arena.allocate(Int32Array, count);
          kernels.softmax(Z, delta, labels, 2, count, n, sums, argmaxes);
          const expectedDelta = floats(arena, precision, count * n);
          const expected = readableSoftmax(Z, expectedDelta, labels.subarray(2), count, n);
          expectSameBits(Float64Array.from(delta), Float64Array.from(expectedDelta));
          expectSameBits(sums, expected.sums);
          expect([...argmaxes]).toEqual([...expected.argmaxes]);
        }
      }
    });
  }

  it('takes the first of equal maxima and lets NaN through as the loop does', () => {
    const kernels = costKernels(arena.memory);
    const Z = arena.allocate(Float64Array, 8);
    Z.set([1, 3, 3, 2, NaN, 0, 1, 0]);
    const labels = arena.allocate(Uint8Array, 2);
    const delta = arena.allocate(Float64Array, 8);
    const sums = arena.allocate(Float64Array, 2);
    const argmaxes = arena.allocate(Int32Array, 2);
    kernels.softmax(Z, delta, labels, 0, 2, 4, sums, argmaxes);
    expect([...argmaxes]).toEqual([1, 0]); // NaN > x and x > NaN are both false
    expect(Number.isNaN(sums[1])).toBe(true);
    const expectedDelta = new Float64Array(8);
    readableSoftmax(Z, expectedDelta, labels, 2, 4);
    expectSameBits(delta, expectedDelta);
  });

  it('refuses arrays too short for the block', () => {
    const kernels = costKernels(arena.memory);
    const Z = arena.allocate(Float64Array, 6);
    const sums = arena.allocate(Float64Array, 2);
    const argmaxes = arena.allocate(Int32Array, 2);
    const labels = arena.allocate(Uint8Array, 2);
    expect(() => kernels.softmax(Z, Z.subarray(0, 5), labels, 0, 2, 3, sums, argmaxes)).toThrow(
      RangeError,
    );
  });
});
