import { describe, expect, it } from 'vitest';
import { Random } from '../../src/nn/random.js';

/** 32-bit unsigned product, written with BigInt rather than Math.imul. */
function times32(a: number, b: number): number {
  return Number((BigInt(a >>> 0) * BigInt(b >>> 0)) & 0xffffffffn);
}

/** mulberry32 (Tommy Ettinger's), written out on unsigned words, from Random's seed mixing. */
function* mulberry32(seed: number): Generator<number> {
  let state = (times32(seed, 0x9e3779b1) ^ 0x6d2b79f5) >>> 0;
  for (;;) {
    state = (state + 0x6d2b79f5) % 2 ** 32;
    let t = times32((state ^ (state >>> 15)) >>> 0, state | 1);
    t = (t ^ ((t + times32((t ^ (t >>> 7)) >>> 0, t | 61)) % 2 ** 32)) >>> 0;
    yield ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }
}

describe('Random', () => {
  it('is mulberry32: the same numbers as the algorithm written out independently', () => {
    for (const seed of [0, 1, 42, 2 ** 32 - 1]) {
      const random = new Random(seed);
      const reference = mulberry32(seed);
      for (let i = 0; i < 100; i++) expect(random.next()).toBe(reference.next().value);
    }
  });

  it('gives the same stream for the same seed, and another for a nearby seed', () => {
    const first = new Random(1);
    const again = new Random(1);
    const other = new Random(2);
    const a = Array.from({ length: 8 }, () => first.next());
    expect(Array.from({ length: 8 }, () => again.next())).toEqual(a);
    expect(Array.from({ length: 8 }, () => other.next())).not.toEqual(a);
  });

  it('integer(n) is ⌊next()·n⌋: whole numbers in [0, n), each of them drawn', () => {
    const random = new Random(4);
    const twin = new Random(4);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const k = random.integer(7);
      expect(k).toBe(Math.floor(twin.next() * 7));
      seen.add(k);
    }
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('uniform(low, high) maps next() onto [low, high)', () => {
    const random = new Random(8);
    const twin = new Random(8);
    for (let i = 0; i < 100; i++) expect(random.uniform(-3, 5)).toBe(-3 + 8 * twin.next());
  });

  it('normal() returns both values of each Box–Muller pair, cosine first, then the sine kept', () => {
    const random = new Random(6);
    const twin = new Random(6);
    for (let pair = 0; pair < 50; pair++) {
      const u = 1 - twin.next();
      const v = twin.next();
      const radius = Math.sqrt(-2 * Math.log(u));
      expect(random.normal()).toBe(radius * Math.cos(2 * Math.PI * v));
      expect(random.normal()).toBe(radius * Math.sin(2 * Math.PI * v));
    }
  });
});
