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
