import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import type { Parameters } from '../../src/nn/parameters.js';
import { createFastEngine } from '../../src/train/fast/engine.js';
import { ReferenceEngine } from '../../src/train/reference-engine.js';
import { train, type TrainOptions, type TrainResult } from '../../src/train/train.js';
import { mnistSubset } from '../helpers/mnist.js';
import { maxRelativeDifference } from '../helpers/random-data.js';

// Whole training runs, every option the trainer has, through the fast engine (what `mnn train`
// uses) and through the reference engine (docs/math.md line by line), on real digits: the
// reference is the oracle, so both must agree to 1e-12 relative after every step of the run.

const data = mnistSubset(400, 150);

const reference = async (dataset: Dataset, layerSizes: readonly number[]) =>
  new ReferenceEngine(dataset, layerSizes);

/** The fast engine with `threads` worker threads, as the trainer's engine factory. */
function fast(threads: number) {
  return (dataset: Dataset, layerSizes: readonly number[]) =>
    createFastEngine(dataset, layerSizes, { threads });
}

const base: TrainOptions = {
  layerSizes: [784, 10, 10],
  alpha: 0.1,
  iterations: 12,
  seed: 11,
  init: 'he',
  evalEvery: 4,
};

const RUNS: { readonly name: string; readonly options: TrainOptions }[] = [
  { name: "784-10-10, the paper's full batch", options: base },
  {
    name: '784-10-10, momentum, step schedule, dropout, shifts, validation',
    options: {
      ...base,
      alpha: 0.05,
      batchSize: 50,
      optimizer: { kind: 'momentum', momentum: 0.9, weightDecay: 5e-4 },
      schedule: { kind: 'step', stepEvery: 1, gamma: 0.5, warmup: 2 },
      dropout: 0.2,
      maxShift: 1,
      validation: 100,
    },
  },
  {
    name: '784-32-10, gd with weight decay, constant schedule, no dropout',
    options: {
      ...base,
      layerSizes: [784, 32, 10],
      batchSize: 64,
      optimizer: { kind: 'gd', weightDecay: 1e-3 },
      validation: 60,
    },
  },
  {
    name: '784-24-16-12-10, AdamW, cosine with warm-up, dropout, shifts, validation',
    options: {
      ...base,
      layerSizes: [784, 24, 16, 12, 10],
      alpha: 0.003,
      iterations: 20,
      evalEvery: 3,
      batchSize: 32,
      optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 },
      schedule: { kind: 'cosine', lrMin: 1e-4, warmup: 4 },
      dropout: 0.25,
      maxShift: 2,
      validation: 80,
    },
  },
];

/** Every array of the kept and the latest parameters, and of the optimizer state. */
function arraysOf(result: TrainResult): Float64Array[] {
  const all = (params: Parameters | undefined) => (params ? [...params.W, ...params.b] : []);
  const { selected, parameters, optimizer } = result;
  return [
    ...all(selected),
    ...all(parameters),
    ...all(optimizer?.V),
    ...all(optimizer?.M),
    ...all(optimizer?.S),
  ];
}

/** An array's bytes, for bitwise comparison. */
function bytesOfArray(array: Float64Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

/** Asserts two runs' histories agree: same points and counts, losses to 1e-12 relative. */
function expectSameHistory(actual: TrainResult, expected: TrainResult): void {
  expect(actual.history.map((point) => point.iteration)).toEqual(
    expected.history.map((point) => point.iteration),
  );
  actual.history.forEach((point, k) => {
    const want = expected.history[k];
    expect(Math.abs(point.loss - want.loss) / want.loss).toBeLessThan(1e-12);
    expect(point.trainAccuracy).toBe(want.trainAccuracy);
    expect(point.testAccuracy).toBe(want.testAccuracy);
    expect(point.validationAccuracy).toBe(want.validationAccuracy);
    if (want.validationLoss !== undefined) {
      const loss = point.validationLoss ?? Number.NaN;
      expect(Math.abs(loss - want.validationLoss) / want.validationLoss).toBeLessThan(1e-12);
    }
  });
}

describe('train through the fast engine', () => {
  it.each(RUNS)('equals the reference engine to 1e-12: $name', async ({ options }) => {
    const expected = await train(data, options, reference);
    const actual = await train(data, options, fast(2));
    expect(actual.iteration).toBe(expected.iteration);
    expect(actual.optimizer?.t).toBe(expected.optimizer?.t);
    expect(actual.best?.iteration).toBe(expected.best?.iteration);
    const want = arraysOf(expected);
    const got = arraysOf(actual);
    expect(got).toHaveLength(want.length);
    got.forEach((array, k) => expect(maxRelativeDifference(array, want[k])).toBeLessThan(1e-12));
    expectSameHistory(actual, expected);
  });

  it.each(RUNS.slice(1))(
    'takes the optimizer steps of optimizer.ts bit for bit, schedule included: $name',
    async ({ options }) => {
      const readableSteps = async (dataset: Dataset, layerSizes: readonly number[]) => {
        const engine = await createFastEngine(dataset, layerSizes, { threads: 2 });
        return {
          compute: engine.compute.bind(engine),
          evaluate: engine.evaluate.bind(engine),
          close: engine.close.bind(engine),
          allocateParameters: engine.allocateParameters.bind(engine),
        };
      };
      const expected = await train(data, options, readableSteps);
      const actual = await train(data, options, fast(2));
      expect(arraysOf(actual).map(bytesOfArray)).toEqual(arraysOf(expected).map(bytesOfArray));
      expect(actual.history).toEqual(expected.history);
    },
  );

  it('gives byte-identical weights, optimizer state and history on 1, 2 and 3 threads', async () => {
    const { options } = RUNS[RUNS.length - 1];
    const [one, ...others] = await Promise.all(
      [1, 2, 3].map((threads) => train(data, options, fast(threads))),
    );
    for (const other of others) {
      expect(arraysOf(other).map(bytesOfArray)).toEqual(arraysOf(one).map(bytesOfArray));
      expect(other.history).toEqual(one.history);
    }
  });
});
