import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { integerOption, parseLayers, positiveNumberOption } from '../../src/cli/options.js';

describe('option parsers', () => {
  it('parses layer lists and refuses bad entries with the entry named', () => {
    expect(parseLayers('784, 10,10')).toEqual([784, 10, 10]);
    expect(() => parseLayers('10')).toThrow(/at least two sizes/);
    expect(() => parseLayers('784,abc,10')).toThrow(/entry 2 \("abc"\)/);
    expect(() => parseLayers('784,,10')).toThrow(/entry 2/);
    expect(() => parseLayers('784,0,10')).toThrow(InvalidArgumentError);
    expect(() => parseLayers('784,100001,10')).toThrow(/1 to 100000/);
  });

  it('refuses non-numbers, NaN, Infinity, negatives and fractions for integers', () => {
    const iters = integerOption('--iters', 1);
    expect(iters('12')).toBe(12);
    for (const bad of ['', 'x', 'NaN', 'Infinity', '-3', '0', '1.5']) {
      expect(() => iters(bad)).toThrow(/--iters must be a whole number/);
    }
  });

  it('refuses non-positive and non-finite rates', () => {
    const alpha = positiveNumberOption('--alpha', 1000);
    expect(alpha('0.1')).toBe(0.1);
    for (const bad of ['-1', '0', 'NaN', 'Infinity', 'abc', '1e9']) {
      expect(() => alpha(bad)).toThrow(/--alpha must be a number greater than 0/);
    }
  });
});
