import { describe, expect, it } from 'vitest';
import { initParameters, zeroParameters } from '../../src/nn/init.js';
import type { GradientEngine } from '../../src/train/engine.js';
import { createFastEngine } from '../../src/train/fast/engine.js';
import { ReferenceEngine } from '../../src/train/reference-engine.js';
import { gradientDescentUpdate } from '../../src/train/optimizer.js';
import { mnistSubset } from '../helpers/mnist.js';
import { maxRelativeDifference } from '../helpers/random-data.js';

// The reference engine (Network over Float64 matrices, docs/math.md line by line) is the oracle of the
// fast engine: same loss, same gradients to 1e-12 relative, after several descent steps, on real digits.

describe('fast engine against the reference engine', () => {
  const dataset = mnistSubset(700).train;

  it.each([
    [[784, 10, 10], 'he'],
    [[784, 32, 16, 10], 'he'],
    [[784, 10, 10], 'uniform'],
  ] as const)('matches on %j (%s init) over 5 descent steps', async (layerSizes, init) => {
    const reference: GradientEngine = new ReferenceEngine(dataset, layerSizes);
    const fast = await createFastEngine(dataset, layerSizes, { threads: 2 });
    try {
      const parameters = initParameters(layerSizes, { init, seed: 3 });
      const referenceGradients = zeroParameters(parameters.layerSizes);
      const fastGradients = zeroParameters(parameters.layerSizes);
      for (let step = 0; step < 5; step++) {
        const expected = await reference.compute(parameters, referenceGradients);
        const actual = await fast.compute(parameters, fastGradients);
        expect(Math.abs(actual.loss - expected.loss) / expected.loss).toBeLessThan(1e-12);
        expect(actual.correct).toBe(expected.correct);
        for (let l = 0; l < parameters.W.length; l++) {
          expect(maxRelativeDifference(fastGradients.W[l], referenceGradients.W[l])).toBeLessThan(
            1e-12,
          );
          expect(maxRelativeDifference(fastGradients.b[l], referenceGradients.b[l])).toBeLessThan(
            1e-12,
          );
        }
        gradientDescentUpdate(parameters, referenceGradients, 0.5);
      }
    } finally {
      await fast.close();
      await reference.close();
    }
  });
});
