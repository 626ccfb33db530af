import { describe, expect, it } from 'vitest';
import { buildModule, FunctionBuilder } from '../../../src/train/fast/wasm-module.js';
import {
  KernelModule,
  MemoryArena,
  PAGE_BYTES,
  address,
  sharedMemory,
} from '../../../src/train/fast/wasm.js';

describe('MemoryArena', () => {
  it('hands out 16-byte-aligned, non-overlapping arrays and grows the memory', () => {
    const arena = new MemoryArena(sharedMemory(1));
    const bytes = arena.allocate(Uint8Array, 3);
    const big = arena.allocate(Float64Array, PAGE_BYTES / 4);
    const ints = arena.allocate(Int32Array, 5);
    expect(bytes.byteOffset).toBe(0);
    expect(big.byteOffset).toBe(16);
    expect(ints.byteOffset).toBe(16 + 2 * PAGE_BYTES);
    expect(arena.memory.buffer.byteLength).toBeGreaterThanOrEqual(ints.byteOffset + 20);
    big.fill(1);
    ints.fill(7);
    expect(bytes).toEqual(new Uint8Array(3));
    expect(big[big.length - 1]).toBe(1);
  });
});

describe('address', () => {
  it('is the byte address of an element when the kernel stays inside the view', () => {
    const arena = new MemoryArena(sharedMemory(1));
    arena.allocate(Uint8Array, 5);
    const values = arena.allocate(Float64Array, 10).subarray(2, 8);
    expect(address(values, 0, 6)).toBe(16 + 16);
    expect(address(values, 5, 1)).toBe(16 + 16 + 40);
    expect(address(values, 6, 0)).toBe(16 + 16 + 48);
    expect(() => address(values, 5, 2)).toThrow(RangeError);
    expect(() => address(values, -1, 1)).toThrow(RangeError);
  });

  it('refuses an array that is not in a shared memory (a copy made by map or from)', () => {
    const arena = new MemoryArena(sharedMemory(1));
    const values = arena.allocate(Float32Array, 4);
    expect(() => address(values.map(Math.abs), 0, 4)).toThrow(TypeError);
    expect(() => address(Float64Array.from([1, 2]), 0, 2)).toThrow(TypeError);
    expect(address(values, 0, 4)).toBe(values.byteOffset);
  });
});

describe('KernelModule', () => {
  it('hands out exported functions by name and refuses other names', () => {
    const builder = new FunctionBuilder('nothing');
    builder.parameters('x');
    const module = new KernelModule(buildModule([builder.build([])]), sharedMemory(1));
    expect(module.kernel('nothing')(7)).toBeUndefined();
    expect(() => module.kernel('something')).toThrow(/no function something/);
  });
});
