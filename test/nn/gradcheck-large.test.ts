import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { Matrix } from '../../src/matrix/matrix.js';
import { gradientCheck } from '../../src/nn/gradcheck.js';
import { initParameters } from '../../src/nn/init.js';
import { Random } from '../../src/nn/random.js';
import { inputMatrix } from '../../src/train/inputs.js';

/*
 * The gradient check on networks of realistic width and depth. Kept apart from gradcheck.test.ts
 * because they take seconds, and far longer under mutation testing (vitest.mutate.config.ts
 * leaves this file out; the small networks there exercise the same code).
 */

/** A few MNIST-like sparse byte images: about a fifth of the pixels lit. */
function sparseByteDataset(count: number, seed: number): Dataset {
  const random = new Random(seed);
  const images = new Uint8Array(count * 784);
  for (let i = 0; i < images.length; i++)
    if (random.next() < 0.2) images[i] = 1 + random.integer(255);
  const labels = Uint8Array.from({ length: count }, () => random.integer(10));
  return { images, labels, count, rows: 28, cols: 28 };
}

describe('gradientCheck passes on large networks', () => {
  it('8-64-32-16-8-10 on random inputs', () => {
    const layerSizes = [8, 64, 32, 16, 8, 10];
    const parameters = initParameters(layerSizes, { init: 'he', seed: 4 });
    const random = new Random(5);
    const inputs = Matrix.zeros(8, 9);
    for (let i = 0; i < inputs.data.length; i++) inputs.data[i] = random.next();
    const labels = Uint8Array.from({ length: 9 }, () => random.integer(10));
    const result = gradientCheck({ parameters, inputs, labels });
    expect(result.layers).toHaveLength(5);
    for (const layer of result.layers) {
      for (const array of [layer.W, layer.b]) {
        expect(array.maxRelativeError).toBeLessThan(1e-6);
        expect(array.checked).toBeGreaterThan(0);
      }
    }
    expect(result.passed).toBe(true);
  });

  it('784-10-10 (uniform init, as in the paper) on sparse byte inputs, sampling the large W⁽¹⁾', () => {
    const dataset = sparseByteDataset(4, 8);
    const parameters = initParameters([784, 10, 10], { init: 'uniform', seed: 2 });
    const result = gradientCheck({
      parameters,
      inputs: inputMatrix(dataset),
      labels: dataset.labels,
    });
    expect(result.passed).toBe(true);
    const [first, second] = result.layers;
    expect(first.W.checked + first.W.skipped).toBe(200); // 7 840 entries > 2 000: a sample
    expect(first.b.checked + first.b.skipped).toBe(10);
    expect(second.W.checked + second.W.skipped).toBe(100);
  });
});
