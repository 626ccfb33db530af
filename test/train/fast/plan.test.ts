import { describe, expect, it } from 'vitest';
import { MAX_CHUNKS, MAX_GROUP_WIDTH, planPass, rangeStart } from '../../../src/train/fast/plan.js';

describe('rangeStart', () => {
  it.each([
    [10, 3],
    [7, 7],
    [5, 8],
    [60_000, 24],
  ])('cuts %i items into %i consecutive ranges differing by at most one', (count, parts) => {
    const starts = Array.from({ length: parts + 1 }, (_, p) => rangeStart(count, parts, p));
    expect(starts[0]).toBe(0);
    expect(starts[parts]).toBe(count);
    const sizes = starts.slice(1).map((start, p) => start - starts[p]);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(Math.floor(count / parts));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(Math.ceil(count / parts));
  });
});

describe('planPass', () => {
  it('cuts the samples into blocks and at most MAX_CHUNKS chunks', () => {
    expect(planPass([784, 10, 10], 1000, 128)).toMatchObject({ blockCount: 8, chunkCount: 8 });
    expect(planPass([784, 10, 10], 60_000, 128)).toMatchObject({
      blockCount: 469,
      chunkCount: MAX_CHUNKS,
    });
    expect(planPass([784, 10, 10], 1, 128)).toMatchObject({ blockCount: 1, chunkCount: 1 });
  });

  it.each([1, 12, 13, 32, 128])(
    'cuts %i first-layer neurons into the fewest even groups of at most MAX_GROUP_WIDTH',
    (width) => {
      const { groups } = planPass([5, width, 3], 10, 4);
      expect(groups).toHaveLength(Math.ceil(width / MAX_GROUP_WIDTH));
      let next = 0;
      for (const group of groups) {
        expect(group.first).toBe(next);
        expect(group.width).toBeLessThanOrEqual(MAX_GROUP_WIDTH);
        expect(group.weightOffset).toBe(5 * group.first); // (W⁽¹⁾)ᵀ stored group after group
        next += group.width;
      }
      expect(next).toBe(width);
      const widths = groups.map((group) => group.width);
      expect(Math.max(...widths) - Math.min(...widths)).toBeLessThanOrEqual(1);
    },
  );

  it('lays every W⁽ℓ⁾ then every b⁽ℓ⁾ back to back in one vector', () => {
    const plan = planPass([4, 3, 5, 2], 9, 4);
    expect(plan.weightOffsets).toEqual([0, 12, 27]);
    expect(plan.biasOffsets).toEqual([37, 40, 45]);
    expect(plan.parameterCount).toBe(47);
    // (W⁽ℓ⁾)ᵀ for ℓ ≥ 2 in the forward-weights vector; index 0 (layer 1) is unused.
    expect(plan.transposedOffsets).toEqual([0, 0, 15]);
    expect(plan.transposedCount).toBe(25);
  });
});
