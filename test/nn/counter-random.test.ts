import { describe, expect, it } from 'vitest';
import { dropoutKeeps, scaledMaskRow } from '../../src/nn/dropout.js';
import { RandomPurpose, counterHash, counterUniform } from '../../src/nn/random.js';

describe('counterHash', () => {
  it('depends only on its key, not on earlier draws', () => {
    const first = counterHash(1, RandomPurpose.dropout, 7, 3, 1, 5);
    for (let i = 0; i < 100; i++) counterHash(1, RandomPurpose.dropout, i, i, i, i);
    expect(counterHash(1, RandomPurpose.dropout, 7, 3, 1, 5)).toBe(first);
  });

  it('changes with every part of the key', () => {
    const base = [1, 1, 2, 3, 4, 5] as const;
    const value = counterHash(...base);
    for (let part = 0; part < base.length; part++) {
      const key = [...base] as [number, number, number, number, number, number];
      key[part] += 1;
      expect(counterHash(...key)).not.toBe(value);
    }
  });

  it('gives uniform numbers in [0, 1): mean near 1/2, every tenth about equally often', () => {
    const n = 100_000;
    const bins = new Array<number>(10).fill(0);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const u = counterUniform(3, RandomPurpose.shuffle, 0, i, 0, 0);
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      sum += u;
      bins[Math.floor(u * 10)]++;
    }
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.005);
    for (const count of bins) expect(Math.abs(count - n / 10)).toBeLessThan(600); // ~6σ
  });
});

describe('dropoutKeeps', () => {
  it('keeps a fraction 1 − p of units and is the same for the same (seed, step, sample, unit)', () => {
    const spec = { rate: 0.3, seed: 9, step: 4 };
    let kept = 0;
    const n = 50_000;
    for (let unit = 0; unit < n; unit++) if (dropoutKeeps(spec, 17, 1, unit)) kept++;
    expect(Math.abs(kept / n - 0.7)).toBeLessThan(0.01);
    expect(dropoutKeeps(spec, 17, 1, 123)).toBe(dropoutKeeps({ ...spec }, 17, 1, 123));
  });

  it('draws different masks at different steps and for different samples', () => {
    const masks = (step: number, sample: number) =>
      Array.from({ length: 64 }, (_, unit) =>
        dropoutKeeps({ rate: 0.5, seed: 1, step }, sample, 1, unit),
      ).join();
    expect(masks(1, 0)).not.toBe(masks(2, 0));
    expect(masks(1, 0)).not.toBe(masks(1, 1));
  });

  it('keeps every unit at rate 0', () => {
    for (let unit = 0; unit < 1000; unit++) {
      expect(dropoutKeeps({ rate: 0, seed: 1, step: 1 }, 0, 1, unit)).toBe(true);
    }
  });
});

describe('scaledMaskRow', () => {
  it('is 1 / (1 − p) where dropoutKeeps keeps the unit and 0 where it drops it', () => {
    for (const rate of [0, 0.2, 0.5, 0.9]) {
      const spec = { rate, seed: 4, step: 11 };
      const mask = new Float64Array(37);
      scaledMaskRow(spec, 1234, 2, mask);
      const expected = Array.from({ length: 37 }, (_, unit) =>
        dropoutKeeps(spec, 1234, 2, unit) ? 1 / (1 - rate) : 0,
      );
      expect([...mask]).toEqual(expected);
    }
  });
});
