import { afterEach, describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { MnnError } from '../../src/errors.js';
import type { Parameters } from '../../src/nn/parameters.js';
import { Random } from '../../src/nn/random.js';
import type { GradientEngine } from '../../src/train/engine.js';
import { createFastEngine } from '../../src/train/fast/engine.js';
import { gradientDescentUpdate } from '../../src/train/optimizer.js';
import { maxRelativeDifference, randomDataset } from '../helpers/random-data.js';

// The oracle: docs/math.md written out per sample with plain loops, no sparsity, blocks or threads.

interface Pass {
  loss: number;
  correct: number;
  gradients: Parameters;
}

/** Zero parameters of the given layer sizes. */
function zeros(layerSizes: number[]): Parameters {
  const W: Float64Array[] = [];
  const b: Float64Array[] = [];
  for (let l = 1; l < layerSizes.length; l++) {
    W.push(new Float64Array(layerSizes[l] * layerSizes[l - 1]));
    b.push(new Float64Array(layerSizes[l]));
  }
  return { layerSizes, W, b };
}

/** Forward, cost and backward over every sample of `dataset`, one at a time (docs/math.md). */
function naivePass(dataset: Dataset, params: Parameters): Pass {
  const sizes = params.layerSizes;
  const L = sizes.length - 1;
  const n0 = sizes[0];
  const gradients = zeros([...sizes]);
  let loss = 0;
  let correct = 0;
  for (let s = 0; s < dataset.count; s++) {
    // A⁽⁰⁾ = byte / 255
    const A: number[][] = [
      Array.from(dataset.images.subarray(s * n0, (s + 1) * n0), (v) => v / 255),
    ];
    const Z: number[][] = [[]];
    for (let l = 1; l <= L; l++) {
      const z: number[] = [];
      for (let i = 0; i < sizes[l]; i++) {
        let sum = params.b[l - 1][i];
        for (let j = 0; j < sizes[l - 1]; j++)
          sum += params.W[l - 1][i * sizes[l - 1] + j] * A[l - 1][j];
        z.push(sum);
      }
      Z.push(z);
      if (l < L) {
        A.push(z.map((v) => Math.max(0, v)));
      } else {
        const max = Math.max(...z);
        const logSumExp = max + Math.log(z.reduce((acc, v) => acc + Math.exp(v - max), 0));
        A.push(z.map((v) => Math.exp(v - logSumExp)));
      }
    }
    const label = dataset.labels[s];
    const zL = Z[L];
    loss += -(
      zL[label] -
      (Math.max(...zL) + Math.log(zL.reduce((acc, v) => acc + Math.exp(v - Math.max(...zL)), 0)))
    );
    if (zL.indexOf(Math.max(...zL)) === label) correct++;
    // Δ⁽ᴸ⁾ = A − Y
    let delta = A[L].map((a, i) => a - (i === label ? 1 : 0));
    for (let l = L; l >= 1; l--) {
      for (let i = 0; i < sizes[l]; i++) {
        gradients.b[l - 1][i] += delta[i];
        for (let j = 0; j < sizes[l - 1]; j++) {
          gradients.W[l - 1][i * sizes[l - 1] + j] += delta[i] * A[l - 1][j];
        }
      }
      if (l > 1) {
        // Δ⁽ℓ⁻¹⁾ = ReLU′(Z⁽ℓ⁻¹⁾) ⊙ (W⁽ℓ⁾)ᵀ Δ⁽ℓ⁾, ReLU′(0) = 0
        const previous: number[] = [];
        for (let j = 0; j < sizes[l - 1]; j++) {
          let sum = 0;
          for (let i = 0; i < sizes[l]; i++)
            sum += params.W[l - 1][i * sizes[l - 1] + j] * delta[i];
          previous.push(Z[l - 1][j] > 0 ? sum : 0);
        }
        delta = previous;
      }
    }
  }
  for (const array of [...gradients.W, ...gradients.b]) {
    for (let i = 0; i < array.length; i++) array[i] /= dataset.count;
  }
  return { loss: loss / dataset.count, correct, gradients };
}

/** Random weights of scale 1/√n_{ℓ−1} and small random biases. */
function randomParameters(layerSizes: number[], random: Random): Parameters {
  const params = zeros(layerSizes);
  params.W.forEach((W, l) => {
    const scale = 1 / Math.sqrt(layerSizes[l]);
    for (let i = 0; i < W.length; i++) W[i] = scale * random.normal();
  });
  params.b.forEach((b) => {
    for (let i = 0; i < b.length; i++) b[i] = 0.1 * random.normal();
  });
  return params;
}

/** Every array of `actual` within `tolerance` (relative to each array's largest magnitude). */
function expectClose(actual: Parameters, expected: Parameters, tolerance: number): void {
  actual.W.forEach((W, l) =>
    expect(maxRelativeDifference(W, expected.W[l])).toBeLessThanOrEqual(tolerance),
  );
  actual.b.forEach((b, l) =>
    expect(maxRelativeDifference(b, expected.b[l])).toBeLessThanOrEqual(tolerance),
  );
}

/** The raw bytes of every array, for byte-identity checks. */
function bytesOf(params: Parameters): Buffer {
  return Buffer.concat(
    [...params.W, ...params.b].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)),
  );
}

const engines: GradientEngine[] = [];

/** Creates an engine that afterEach closes. */
async function engineFor(
  dataset: Dataset,
  layerSizes: number[],
  threads: number,
  blockSize?: number,
): Promise<GradientEngine> {
  const engine = await createFastEngine(dataset, layerSizes, { threads, blockSize });
  engines.push(engine);
  return engine;
}

afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
});

const ITERATIONS = 4;
const ALPHA = 0.5;

const cases: {
  name: string;
  layerSizes: number[];
  rows: number;
  cols: number;
  count: number;
  zeroFraction: number;
  blockSize?: number;
}[] = [
  {
    name: '784-10-10, sparse, default blocks, 300 samples',
    layerSizes: [784, 10, 10],
    rows: 28,
    cols: 28,
    count: 300,
    zeroFraction: 0.81,
  },
  {
    name: '784-10-10, dense',
    layerSizes: [784, 10, 10],
    rows: 28,
    cols: 28,
    count: 150,
    zeroFraction: 0,
    blockSize: 32,
  },
  {
    name: '784-32-16-10, sparse',
    layerSizes: [784, 32, 16, 10],
    rows: 28,
    cols: 28,
    count: 250,
    zeroFraction: 0.81,
    blockSize: 64,
  },
  {
    name: '784-32-16-10, dense',
    layerSizes: [784, 32, 16, 10],
    rows: 28,
    cols: 28,
    count: 100,
    zeroFraction: 0.05,
    blockSize: 48,
  },
  {
    name: '5-3-2, tiny',
    layerSizes: [5, 3, 2],
    rows: 1,
    cols: 5,
    count: 37,
    zeroFraction: 0.3,
    blockSize: 8,
  },
  {
    name: '784-1-10, a width-1 hidden layer',
    layerSizes: [784, 1, 10],
    rows: 28,
    cols: 28,
    count: 130,
    zeroFraction: 0.5,
    blockSize: 16,
  },
  {
    name: '784-30-10, wide groups of uneven widths',
    layerSizes: [784, 30, 10],
    rows: 28,
    cols: 28,
    count: 90,
    zeroFraction: 0.81,
    blockSize: 256,
  },
  {
    name: '16-4, no hidden layer',
    layerSizes: [16, 4],
    rows: 4,
    cols: 4,
    count: 70,
    zeroFraction: 0.6,
    blockSize: 8,
  },
];

describe('createFastEngine', () => {
  for (const testCase of cases) {
    it(`matches the per-sample reference to 1e-12 after ${ITERATIONS} iterations: ${testCase.name}`, async () => {
      const { layerSizes } = testCase;
      const classes = layerSizes[layerSizes.length - 1];
      const dataset = randomDataset({
        count: testCase.count,
        rows: testCase.rows,
        cols: testCase.cols,
        classes,
        zeroFraction: testCase.zeroFraction,
        seed: 7,
      });
      const fastParams = randomParameters(layerSizes, new Random(3));
      const naiveParams = randomParameters(layerSizes, new Random(3));
      const gradients = zeros(layerSizes);
      const engine = await engineFor(dataset, layerSizes, 1, testCase.blockSize);
      for (let iteration = 0; iteration < ITERATIONS; iteration++) {
        const fast = await engine.compute(fastParams, gradients);
        const naive = naivePass(dataset, naiveParams);
        expectClose(gradients, naive.gradients, 1e-12);
        expect(Math.abs(fast.loss - naive.loss)).toBeLessThanOrEqual(1e-12 * naive.loss);
        expect(fast.correct).toBe(naive.correct);
        gradientDescentUpdate(fastParams, gradients, ALPHA);
        gradientDescentUpdate(naiveParams, naive.gradients, ALPHA);
      }
      expectClose(fastParams, naiveParams, 1e-12);
    });
  }

  it('gives byte-identical gradients and loss for 1, 2 and 3 threads', async () => {
    const layerSizes = [784, 24, 10];
    const dataset = randomDataset({
      count: 1000,
      rows: 28,
      cols: 28,
      classes: 10,
      zeroFraction: 0.81,
      seed: 11,
    });
    const params = randomParameters(layerSizes, new Random(5));
    const results: { bytes: Buffer; loss: number; correct: number }[] = [];
    for (const threads of [1, 2, 3]) {
      const engine = await engineFor(dataset, layerSizes, threads, 16);
      const gradients = zeros(layerSizes);
      const first = await engine.compute(params, gradients);
      // A second pass on the same engine must not depend on leftovers of the first.
      const second = await engine.compute(params, gradients);
      expect(second).toEqual(first);
      results.push({ bytes: bytesOf(gradients), loss: second.loss, correct: second.correct });
    }
    expect(results[0].bytes.length).toBe(8 * (784 * 24 + 24 + 24 * 10 + 10));
    for (const result of results.slice(1)) {
      expect(result.bytes.equals(results[0].bytes)).toBe(true);
      expect(Object.is(result.loss, results[0].loss)).toBe(true);
      expect(result.correct).toBe(results[0].correct);
    }
  });

  it('runs its workers from the built dist/ as well', async () => {
    const distEngine = new URL('../../dist/train/fast/engine.js', import.meta.url).href;
    const built = (await import(distEngine)) as typeof import('../../src/train/fast/engine.js');
    const layerSizes = [784, 10, 10];
    const dataset = randomDataset({
      count: 200,
      rows: 28,
      cols: 28,
      classes: 10,
      zeroFraction: 0.81,
      seed: 2,
    });
    const params = randomParameters(layerSizes, new Random(9));
    const inline = zeros(layerSizes);
    const threaded = zeros(layerSizes);
    await (await engineFor(dataset, layerSizes, 1, 16)).compute(params, inline);
    const engine = await built.createFastEngine(dataset, layerSizes, { threads: 2, blockSize: 16 });
    engines.push(engine);
    await engine.compute(params, threaded);
    expect(bytesOf(threaded).equals(bytesOf(inline))).toBe(true);
  });

  it('rejects bad layer sizes, labels beyond the output layer, threads and block sizes', async () => {
    const dataset = randomDataset({
      count: 4,
      rows: 2,
      cols: 2,
      classes: 2,
      zeroFraction: 0,
      seed: 1,
    });
    await expect(createFastEngine(dataset, [5, 2], { threads: 1 })).rejects.toThrow(MnnError);
    await expect(createFastEngine(dataset, [4, 2], { threads: 0 })).rejects.toThrow(/threads/);
    await expect(createFastEngine(dataset, [4, 1], { threads: 1 })).rejects.toThrow(/label 1/);
    await expect(createFastEngine(dataset, [4, 2], { threads: 1, blockSize: 300 })).rejects.toThrow(
      /block size/,
    );
  });
});
