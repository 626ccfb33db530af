import { describe, expect, it } from 'vitest';
import { initParameters } from '../../src/nn/init.js';
import { isLayerSize, layerSizesProblem, MAX_LAYER_SIZE } from '../../src/nn/parameters.js';

describe('layer sizes: one rule for the CLI, model files and initialization', () => {
  it('accepts whole numbers from 1 to MAX_LAYER_SIZE only', () => {
    expect([1, 784, MAX_LAYER_SIZE].every(isLayerSize)).toBe(true);
    expect([0, -1, 1.5, NaN, Infinity, MAX_LAYER_SIZE + 1].some(isLayerSize)).toBe(false);
  });

  it('says which entry is wrong, or that two sizes are needed', () => {
    expect(layerSizesProblem([784, 10, 10])).toBeUndefined();
    expect(layerSizesProblem([784])).toMatch(/at least two layer sizes/);
    expect(layerSizesProblem([784, 0, 10])).toBe(
      'entry 2 (0) must be a whole number from 1 to 100000',
    );
  });

  it('is what initParameters enforces', () => {
    expect(() => initParameters([784, 100_001, 10], { init: 'he', seed: 1 })).toThrow(
      /entry 2 \(100001\)/,
    );
  });
});
