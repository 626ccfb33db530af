import { describe, expect, it } from 'vitest';
import { MemoryArena, PAGE_BYTES, sharedMemory, sleb, uleb } from '../../../src/train/fast/wasm.js';

describe('LEB128', () => {
  it('encodes unsigned values in 7-bit groups, low first', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(127)).toEqual([0x7f]);
    expect(uleb(128)).toEqual([0x80, 0x01]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
  });

  it('encodes signed values with the sign in bit 6 of the last byte', () => {
    expect(sleb(0)).toEqual([0]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  });
});

describe('MemoryArena', () => {
  it('hands out 16-byte-aligned, non-overlapping arrays and grows the memory', () => {
    const arena = new MemoryArena(sharedMemory(1));
    const bytes = arena.allocate(Uint8Array, 1, 3);
    const big = arena.allocate(Float64Array, 8, PAGE_BYTES / 4);
    const ints = arena.allocate(Int32Array, 4, 5);
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
