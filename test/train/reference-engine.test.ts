import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { initParameters, zeroParameters } from '../../src/nn/init.js';
import { countCorrect, Network } from '../../src/nn/network.js';
import { inputMatrix } from '../../src/train/inputs.js';
import { Random } from '../../src/nn/random.js';
import { ReferenceEngine } from '../../src/train/reference-engine.js';
import { gradientDescentUpdate } from '../../src/train/optimizer.js';
import { randomDataset } from '../helpers/random-data.js';

/** 2×2 images: label 0 lights the top row, label 1 the bottom row, with some noise. */
function separableDataset(count: number, seed: number): Dataset {
  const random = new Random(seed);
  const images = new Uint8Array(count * 4);
  const labels = new Uint8Array(count);
  for (let s = 0; s < count; s++) {
    labels[s] = s % 2;
    for (let p = 0; p < 4; p++) {
      const lit = p < 2 === (labels[s] === 0);
      images[s * 4 + p] = lit ? 150 + random.integer(106) : random.integer(60);
    }
  }
  return { images, labels, count, rows: 2, cols: 2 };
}

describe('ReferenceEngine', () => {
  it('gives exactly what Network forward and backward give over the whole dataset', async () => {
    const dataset = randomDataset({ count: 37, classes: 4, seed: 1 });
    const layerSizes = [9, 7, 5, 4];
    const params = initParameters(layerSizes, { init: 'he', seed: 2 });
    const engine = new ReferenceEngine(dataset, layerSizes);
    const gradients = zeroParameters(layerSizes);
    const result = await engine.compute(params, gradients);

    const network = new Network(params);
    const cache = network.forward(inputMatrix(dataset), dataset.labels);
    const expected = zeroParameters(layerSizes);
    network.backward(cache, dataset.labels, expected);
    expect(result.loss).toBe(cache.loss);
    expect(result.correct).toBe(countCorrect(cache.A[3], dataset.labels));
    expect(gradients).toEqual(expected);
    await engine.close();
  });

  it('reuses its buffers without carrying state from one call to the next', async () => {
    const dataset = randomDataset({ count: 20, classes: 4, seed: 3 });
    const first = initParameters([9, 6, 4], { init: 'uniform', seed: 1 });
    const second = initParameters([9, 6, 4], { init: 'uniform', seed: 2 });
    const engine = new ReferenceEngine(dataset, [9, 6, 4]);
    const gradients = zeroParameters([9, 6, 4]);
    const before = await engine.compute(first, gradients);
    const firstGradients = structuredClone(gradients);
    await engine.compute(second, gradients);
    expect(await engine.compute(first, gradients)).toEqual(before);
    expect(gradients).toEqual(firstGradients);
  });

  it('lowers the loss at every step of gradient descent on a separable problem', async () => {
    const dataset = separableDataset(24, 4);
    const layerSizes = [4, 3, 2];
    const params = initParameters(layerSizes, { init: 'he', seed: 5 });
    const gradients = zeroParameters(layerSizes);
    const engine = new ReferenceEngine(dataset, layerSizes);
    const losses: number[] = [];
    let correct = 0;
    for (let iteration = 0; iteration < 40; iteration++) {
      const result = await engine.compute(params, gradients);
      losses.push(result.loss);
      correct = result.correct;
      gradientDescentUpdate(params, gradients, 0.5);
    }
    for (let i = 1; i < losses.length; i++) expect(losses[i]).toBeLessThan(losses[i - 1]);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] / 2);
    expect(correct).toBe(24);
  });

  it('rejects parameters for other layer sizes', async () => {
    const engine = new ReferenceEngine(randomDataset({ count: 2, classes: 4, seed: 1 }), [9, 4]);
    const params = initParameters([9, 3, 4], { init: 'he', seed: 1 });
    await expect(engine.compute(params, zeroParameters([9, 3, 4]))).rejects.toThrow(
      /parameters have layers \[9, 3, 4\], this engine \[9, 4\]/,
    );
  });
});
