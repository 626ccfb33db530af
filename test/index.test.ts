// The public API as users import it (package root): every test here goes through src/index.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  classMetrics,
  createModel,
  createNetwork,
  evaluate,
  inputFromPixels,
  loadModel,
  MnnError,
  saveModel,
  sliceDataset,
  train,
  type HistoryPoint,
  type TrainOptions,
} from '../src/index.js';
import { randomDataset } from './helpers/random-data.js';

const data = {
  train: randomDataset({ count: 40, rows: 4, cols: 4, seed: 1 }),
  test: randomDataset({ count: 12, rows: 4, cols: 4, seed: 2 }),
};
const options: TrainOptions = {
  layerSizes: [16, 8, 10],
  alpha: 0.1,
  iterations: 12,
  seed: 3,
  init: 'he',
  evalEvery: 4,
};
const workspace = mkdtempSync(join(tmpdir(), 'mnn-api-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

describe('networks', () => {
  it('createNetwork gives a softmax over the classes for every sample, the same for the same seed', () => {
    const network = createNetwork([16, 8, 10], { seed: 4 });
    const A0 = inputFromPixels(data.test.images, 16, 0, 3, 255);
    const probabilities = network.probabilities(A0);
    expect([probabilities.rows, probabilities.cols]).toEqual([10, 3]);
    for (let j = 0; j < 3; j++) {
      let sum = 0;
      for (let i = 0; i < 10; i++) sum += probabilities.get(i, j);
      expect(sum).toBeCloseTo(1, 12);
    }
    expect(network.predict(A0)).toEqual(createNetwork([16, 8, 10], { seed: 4 }).predict(A0));
  });

  it('createNetwork refuses impossible sizes as a usage error naming the option', () => {
    const run = () => createNetwork([16, 0, 10]);
    expect(run).toThrow(MnnError);
    expect(run).toThrow(/entry 2 \(0\)/);
    try {
      run();
    } catch (error) {
      expect([(error as MnnError).kind, (error as MnnError).option]).toEqual([
        'usage',
        'layerSizes',
      ]);
    }
  });
});

describe('train', () => {
  it('gives the same weights with the fast and the reference engine, reporting progress', async () => {
    const iterations: number[] = [];
    const history: HistoryPoint[] = [];
    const fast = await train(data, options, {
      threads: 2,
      onIteration: ({ iteration }) => iterations.push(iteration),
      onHistory: (point) => history.push(point),
    });
    const reference = await train(data, options, { engine: 'reference' });
    expect(iterations).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(history.map((point) => point.iteration)).toEqual([0, 4, 8, 12]);
    expect(fast.history).toEqual(history);
    fast.parameters.W.forEach((W, l) => {
      W.forEach((w, i) => expect(w).toBeCloseTo(reference.parameters.W[l][i], 10));
    });
    expect(fast.stopped).toBe(false);
  });

  it('records a history point at the start, every evalEvery iterations, and at the end', async () => {
    const points = async (iterations: number, evalEvery: number) =>
      (
        await train(data, { ...options, iterations, evalEvery }, { engine: 'reference' })
      ).history.map((point) => point.iteration);
    expect(await points(10, 4)).toEqual([0, 4, 8, 10]);
    expect(await points(10, 20)).toEqual([0, 10]);
    expect(await points(3, 1)).toEqual([0, 1, 2, 3]);
  });

  it('keeps the cadence on absolute iterations when a run is resumed', async () => {
    const first = await train(data, { ...options, iterations: 6 }, { engine: 'reference' });
    const resumed = await train(
      data,
      { ...options, iterations: 11, resume: first },
      { engine: 'reference' },
    );
    expect(resumed.history.map((point) => point.iteration)).toEqual([0, 4, 6, 8, 11]);
  });

  it('stops after the current iteration when its AbortSignal is aborted', async () => {
    const controller = new AbortController();
    const result = await train(data, options, {
      engine: 'reference',
      signal: controller.signal,
      onIteration: ({ iteration }) => {
        if (iteration === 5) controller.abort();
      },
    });
    expect(result.stopped).toBe(true);
    expect(result.iteration).toBe(5);
    // No extra history point at the stop: a resumed run's history equals an uninterrupted one's.
    expect(result.history.map((point) => point.iteration)).toEqual([0, 4]);
  });

  it('refuses options that cannot work before any work, naming the option', async () => {
    for (const [bad, option] of [
      [{ alpha: 0 }, 'alpha'],
      [{ iterations: 1.5 }, 'iterations'],
      [{ evalEvery: 0 }, 'evalEvery'],
      [{ layerSizes: [16] }, 'layerSizes'],
    ] as const) {
      const error = await train(data, { ...options, ...bad }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(MnnError);
      expect([(error as MnnError).kind, (error as MnnError).option]).toEqual(['usage', option]);
    }
  });
});

describe('evaluation, data and models', () => {
  it('evaluate and classMetrics agree with the confusion matrix', async () => {
    const { parameters } = await train(data, options, { engine: 'reference' });
    const evaluation = evaluate(parameters, data.test);
    const total = evaluation.confusion.flat().reduce((sum, count) => sum + count, 0);
    expect(total).toBe(data.test.count);
    const metrics = classMetrics(evaluation.confusion);
    const supports = metrics.map((metric) => metric.support);
    expect(supports).toEqual(evaluation.confusion.map((row) => row.reduce((a, b) => a + b, 0)));
  });

  it('sliceDataset takes a range of samples without copying, and refuses ranges outside', () => {
    const slice = sliceDataset(data.train, 10, 5);
    expect(slice.count).toBe(5);
    expect(slice.labels).toEqual(data.train.labels.subarray(10, 15));
    expect(slice.images.buffer).toBe(data.train.images.buffer);
    expect(() => sliceDataset(data.train, 38, 5)).toThrow(MnnError);
  });

  it('createModel → saveModel → loadModel gives back the same parameters and defaults', async () => {
    const { parameters } = await train(data, options, { engine: 'reference' });
    const path = join(workspace, 'model.json');
    saveModel(path, createModel(parameters));
    const loaded = loadModel(path);
    expect(loaded.parameters).toEqual(parameters);
    expect(loaded.labels).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(loaded.input).toEqual({ width: 4, height: 4, scale: 255 });
    expect(loaded.createdBy).toMatch(/^mnn \d+\.\d+\.\d+/);
  });
});
