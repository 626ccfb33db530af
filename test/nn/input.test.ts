import { describe, expect, it } from 'vitest';
import { inputFromPixels, PIXEL_SCALE } from '../../src/nn/input.js';

describe('inputFromPixels', () => {
  // Four samples of n₀ = 3 pixels each: sample s holds bytes 10s, 10s + 1, 10s + 2.
  const pixels = Uint8Array.from({ length: 12 }, (_, i) => 10 * Math.floor(i / 3) + (i % 3));

  it('puts sample first + l in column l, pixel p in row p, each byte divided by the scale', () => {
    const A0 = inputFromPixels(pixels, 3, 1, 2, 2);
    expect([A0.rows, A0.cols]).toEqual([3, 2]);
    for (let p = 0; p < 3; p++) {
      for (let l = 0; l < 2; l++) expect(A0.get(p, l)).toBe((10 * (1 + l) + p) / 2);
    }
  });

  it('scales bytes by 1/255 for training, so 255 becomes 1', () => {
    expect(PIXEL_SCALE).toBe(255);
    const A0 = inputFromPixels(Uint8Array.of(0, 51, 255), 3, 0, 1, PIXEL_SCALE);
    expect(Array.from(A0.data)).toEqual([0, 0.2, 1]);
  });

  it('takes every sample up to the last one, and none', () => {
    expect(inputFromPixels(pixels, 3, 0, 4, 1).get(2, 3)).toBe(32);
    expect(inputFromPixels(pixels, 3, 3, 1, 1).get(0, 0)).toBe(30);
    expect(inputFromPixels(pixels, 3, 4, 0, 1).cols).toBe(0);
  });

  it('refuses samples beyond the pixels, naming the range and how many there are', () => {
    expect(() => inputFromPixels(pixels, 3, 3, 2, 1)).toThrow(
      'samples 3..4 exceed the 4 in the pixels',
    );
    expect(() => inputFromPixels(pixels, 3, 0, 5, 1)).toThrow(/samples 0\.\.4 exceed the 4/);
    // An incomplete last sample does not count.
    expect(() => inputFromPixels(pixels.subarray(0, 11), 3, 3, 1, 1)).toThrow(/exceed the 3/);
  });

  it('refuses a range that is not whole numbers ≥ 0', () => {
    for (const [first, count] of [
      [-1, 1],
      [0, -1],
      [0.5, 1],
      [0, 1.5],
    ]) {
      expect(() => inputFromPixels(pixels, 3, first, count, 1)).toThrow(
        `sample range must be whole numbers ≥ 0, got first ${first}, count ${count}`,
      );
    }
  });
});
