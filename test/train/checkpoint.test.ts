import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { parseModel } from '../../src/model/load.js';
import { serializeModel } from '../../src/model/save.js';
import { ReferenceEngine } from '../../src/train/reference-engine.js';
import { train, type TrainOptions, type TrainResult } from '../../src/train/train.js';
import { randomDataset } from '../helpers/random-data.js';

const data = {
  train: randomDataset({ count: 30, rows: 4, cols: 4, seed: 1 }),
  test: randomDataset({ count: 10, rows: 4, cols: 4, seed: 2 }),
};
const options: TrainOptions = {
  layerSizes: [16, 8, 10],
  alpha: 0.05,
  iterations: 1000,
  seed: 3,
  init: 'he',
  evalEvery: 100,
};
const reference = async (dataset: Dataset, layerSizes: readonly number[]) =>
  new ReferenceEngine(dataset, layerSizes);

/** Saves training's state as a model file and reads it back, as a resumed CLI run would. */
function throughModelFile(result: TrainResult): TrainResult {
  const text = serializeModel({
    parameters: result.parameters,
    labels: Array.from({ length: 10 }, (_, i) => String(i)),
    input: { width: 4, height: 4, scale: 255 },
    training: {
      dataset: 'test',
      samples: 30,
      alpha: options.alpha,
      iterations: result.iteration,
      targetIterations: options.iterations,
      seed: options.seed,
      init: options.init,
      evalEvery: options.evalEvery,
      loss: result.loss,
      trainAccuracy: result.trainAccuracy,
      testAccuracy: result.testAccuracy,
      seconds: result.seconds,
      complete: false,
      history: result.history,
    },
    createdBy: 'test',
    createdAt: '',
  });
  const model = parseModel(text, 'checkpoint.json');
  return { ...result, parameters: model.parameters, history: model.training?.history ?? [] };
}

/** The weights and biases as one list of arrays, for bitwise comparison. */
function arrays(result: TrainResult): Float64Array[] {
  return [...result.parameters.W, ...result.parameters.b];
}

describe('train: checkpoints and exact resume', () => {
  it('calls onCheckpoint every checkpointEvery iterations, before the end only', async () => {
    const seen: number[] = [];
    const result = await train(
      data,
      { ...options, iterations: 95, checkpointEvery: 20 },
      reference,
      { onCheckpoint: (checkpoint) => void seen.push(checkpoint.iteration) },
    );
    expect(seen).toEqual([20, 40, 60, 80]);
    expect(result.iteration).toBe(95);
    expect(result.stopped).toBe(false);
  });

  it('stops after the iteration during which shouldStop turned true, marked stopped', async () => {
    let iterations = 0;
    const result = await train(data, options, reference, {
      onIteration: ({ iteration }) => void (iterations = iteration),
      shouldStop: () => iterations >= 137,
    });
    expect(result.iteration).toBe(137);
    expect(result.stopped).toBe(true);
    expect(result.history[result.history.length - 1].iteration).toBe(137);
  });

  it('500 iterations, stop, save, load, resume to 1000 gives bit-identical weights', async () => {
    const uninterrupted = await train(data, options, reference);
    let done = 0;
    const interrupted = await train(data, options, reference, {
      onIteration: ({ iteration }) => void (done = iteration),
      shouldStop: () => done >= 500,
    });
    expect(interrupted.iteration).toBe(500);
    const resumed = await train(
      data,
      { ...options, resume: throughModelFile(interrupted) },
      reference,
    );
    expect(resumed.iteration).toBe(1000);
    const expected = arrays(uninterrupted);
    arrays(resumed).forEach((values, index) => {
      expect(Buffer.from(values.buffer)).toEqual(Buffer.from(expected[index].buffer));
    });
    expect(resumed.history.map((point) => point.iteration)).toEqual(
      uninterrupted.history.map((point) => point.iteration),
    );
  });

  it('a checkpoint handed to onCheckpoint resumes exactly too', async () => {
    const checkpoints: TrainResult[] = [];
    const full = await train(
      data,
      { ...options, iterations: 300, checkpointEvery: 100 },
      reference,
      {
        onCheckpoint: (checkpoint) => void checkpoints.push(throughModelFile(checkpoint)),
      },
    );
    const resumed = await train(
      data,
      { ...options, iterations: 300, resume: checkpoints[1] },
      reference,
    );
    expect(checkpoints[1].iteration).toBe(200);
    expect(arrays(resumed)).toEqual(arrays(full));
  });

  it('ends with the error of a failed checkpoint write, having closed the engine', async () => {
    let closed = false;
    const engineThatTracksClose = async (dataset: Dataset, layerSizes: readonly number[]) => {
      const engine = new ReferenceEngine(dataset, layerSizes);
      return {
        compute: engine.compute.bind(engine),
        close: async () => void (closed = true),
      };
    };
    await expect(
      train(data, { ...options, checkpointEvery: 10 }, engineThatTracksClose, {
        onCheckpoint: () => {
          throw new Error('disk full');
        },
      }),
    ).rejects.toThrow('disk full');
    expect(closed).toBe(true);
  });
});
