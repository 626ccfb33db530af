import { describe, expect, it } from 'vitest';
import { Random } from '../../src/nn/random.js';

describe('Random', () => {
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
