import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BLOCK_SIZE,
  GROUP_VECTORS,
  MAX_CHUNKS,
  PAIRED_ROW_BYTES,
  maxGroupWidth,
  pairsFirstLayer,
  planPass,
  rangeStart,
} from '../../../src/train/fast/plan.js';
import { floatType } from '../../../src/train/fast/wasm-module.js';

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

  describe.each([
    ['f64', 2],
    ['f32', 4],
  ] as const)('in %s (%i lanes)', (precision, lanes) => {
    it.each([1, 12, 13, 25, 32, 128])(
      'cuts %i first-layer neurons into the fewest groups of whole vectors, even to a vector',
      (width) => {
        const { groups } = planPass([5, width, 3], 10, 4, precision);
        const maxWidth = maxGroupWidth(precision);
        expect(maxWidth).toBe(GROUP_VECTORS * lanes);
        expect(groups).toHaveLength(Math.ceil(width / maxWidth));
        let next = 0;
        for (const [g, group] of groups.entries()) {
          expect(group.first).toBe(next);
          expect(group.width).toBeLessThanOrEqual(maxWidth);
          if (g < groups.length - 1) expect(group.width % lanes).toBe(0);
          expect(group.weightOffset).toBe(5 * group.first); // (W⁽¹⁾)ᵀ stored group after group
          next += group.width;
        }
        expect(next).toBe(width);
        const vectors = groups.map((group) => Math.ceil(group.width / lanes));
        expect(Math.max(...vectors) - Math.min(...vectors)).toBeLessThanOrEqual(1);
      },
    );
  });

  it.each([
    ['f64', 16, [8, 8]],
    ['f64', 20, [8, 8, 4]],
    ['f32', 128, [16, 16, 16, 16, 16, 16, 16, 16]],
    ['f32', 36, [16, 16, 4]],
  ] as const)(
    'in %s cuts %i neurons into paired groups of PAIRED_VECTORS vectors, then single ones',
    (precision, width, widths) => {
      const { groups } = planPass([784, width, 10], 100, 128, precision);
      expect(groups.map((group) => group.width)).toEqual(widths);
      expect(groups.map((group) => group.paired)).toEqual(
        widths.map((w) => w * floatType(precision).bytes === PAIRED_ROW_BYTES),
      );
      expect(groups.map((group) => group.weightOffset)).toEqual(
        groups.map((group) => 784 * group.first),
      );
    },
  );

  it('says ahead which first layers pair (the memory check counts their paired input)', () => {
    for (const [layerSizes, precision] of [
      [[784, 128, 10], 'f32'],
      [[784, 16, 10], 'f64'],
      [[784, 10, 10], 'f64'],
      [[784, 31, 10], 'f32'],
      [[783, 64, 10], 'f64'],
    ] as const) {
      const { groups } = planPass(layerSizes, 100, DEFAULT_BLOCK_SIZE, precision);
      expect(pairsFirstLayer(layerSizes, precision)).toBe(groups.some((group) => group.paired));
    }
    expect(pairsFirstLayer([784, 128, 10], 'f32')).toBe(true);
    expect(pairsFirstLayer([784, 10, 10], 'f64')).toBe(false);
  });

  it.each([
    ['too few neurons for two paired groups', [784, 31, 10], 128, 'f32'],
    ['too few neurons for two paired groups', [784, 15, 10], 128, 'f64'],
    ['an odd number of pixels', [783, 64, 10], 128, 'f64'],
    ['odd blocks', [784, 64, 10], 127, 'f64'],
  ] as const)('pairs no group with %s', (_, layerSizes, blockSize, precision) => {
    const { groups } = planPass(layerSizes, 1000, blockSize, precision);
    expect(groups.every((group) => !group.paired)).toBe(true);
    expect(groups.length).toBe(Math.ceil(layerSizes[1] / maxGroupWidth(precision)));
  });

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
