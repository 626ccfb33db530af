import { expect } from 'vitest';
import type { Random } from '../../src/nn/random.js';
import { MemoryArena, sharedMemory } from '../../src/train/fast/wasm.js';

/** A fresh shared memory to allocate kernel arguments in. */
export function kernelArena(): MemoryArena {
  return new MemoryArena(sharedMemory(1));
}

/**
 * `length` random doubles in the arena: normal values, with `zeroFraction` of them exactly 0
 * (the skip paths of the kernels).
 */
export function randomFloats(
  arena: MemoryArena,
  length: number,
  random: Random,
  zeroFraction = 0,
): Float64Array {
  const values = arena.allocate(Float64Array, length);
  for (let i = 0; i < length; i++) values[i] = random.next() < zeroFraction ? 0 : random.normal();
  return values;
}

/** A copy of `values` in the arena. */
export function copyInto(arena: MemoryArena, values: Float64Array): Float64Array {
  const copy = arena.allocate(Float64Array, values.length);
  copy.set(values);
  return copy;
}

/** Asserts that two float arrays hold the same bits (so −0 ≠ +0 and NaN = NaN). */
export function expectSameBits(actual: Float64Array, expected: Float64Array): void {
  expect(actual.length).toBe(expected.length);
  const bits = (a: Float64Array) => [...new BigUint64Array(Float64Array.from(a).buffer)];
  expect(bits(actual)).toEqual(bits(expected));
}

/** `length` random normal f32s in the arena, with `zeroFraction` of them exactly 0. */
export function randomFloat32s(
  arena: MemoryArena,
  length: number,
  random: Random,
  zeroFraction = 0,
): Float32Array {
  const values = arena.allocate(Float32Array, length);
  for (let i = 0; i < length; i++) values[i] = random.next() < zeroFraction ? 0 : random.normal();
  return values;
}

/**
 * Asserts that an f32 kernel's results are within the rounding error of a sum of `terms` terms
 * computed in f32 (fused or not): |actual − exact| ≤ (terms + 1)·2⁻²⁴·magnitude per element,
 * where `exact` is the sum computed in f64 from the same f32 inputs and `magnitude` the sum of
 * the terms' absolute values (the classic bound γₙ·Σ|terms| of recursive summation, plus the
 * rounding of the result to f32).
 */
export function expectWithinF32Rounding(
  actual: Float32Array,
  exact: Float64Array,
  magnitude: Float64Array,
  terms: number,
): void {
  expect(actual.length).toBe(exact.length);
  const unit = 2 ** -24;
  for (let k = 0; k < exact.length; k++) {
    const bound = (terms + 1) * unit * magnitude[k];
    if (!(Math.abs(actual[k] - exact[k]) <= bound)) {
      expect.fail(`element ${k}: ${actual[k]} is not within ${bound} of ${exact[k]}`);
    }
  }
}
