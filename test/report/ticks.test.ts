import { describe, expect, it } from 'vitest';
import { niceScale } from '../../src/report/ticks.js';

describe('niceScale', () => {
  it('covers the range with ticks at 1, 2 or 5 times a power of ten', () => {
    expect(niceScale(0, 2.43)).toEqual({ min: 0, max: 2.5, ticks: [0, 0.5, 1, 1.5, 2, 2.5] });
    expect(niceScale(0, 1000).ticks).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(niceScale(0, 60).ticks).toEqual([0, 20, 40, 60]);
  });

  it('keeps decimal ticks exact (no 0.30000000000000004)', () => {
    const { ticks } = niceScale(0, 1);
    expect(ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceScale(0.1, 0.37).ticks).toEqual([0.1, 0.2, 0.3, 0.4]);
    expect(niceScale(0.1, 0.37, 10).ticks).toEqual([0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4]);
  });

  it('widens a range of one value instead of dividing by zero', () => {
    const { min, max, ticks } = niceScale(3, 3);
    expect(min).toBeLessThan(3);
    expect(max).toBeGreaterThan(3);
    expect(ticks.length).toBeGreaterThan(1);
    expect(niceScale(0, 0).ticks.length).toBeGreaterThan(1);
  });
});
