import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { parseModel } from '../../src/model/load.js';
import { serializeModel } from '../../src/model/save.js';
import { modelOf, resumeState } from '../../src/cli/train-record.js';
import { PAPER_OPTIMIZER } from '../../src/train/optimizer.js';
import { ReferenceEngine } from '../../src/train/reference-engine.js';
import { CONSTANT_SCHEDULE } from '../../src/train/schedule.js';
import { createFastEngine } from '../../src/train/fast/engine.js';
import {
  train,
  type EngineFactory,
  type TrainOptions,
  type TrainResult,
  type TrainState,
} from '../../src/train/train.js';
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
/** Mini-batches with every option that carries state: Adam, validation, dropout, shifts, cosine. */
const miniBatchOptions: TrainOptions = {
  ...options,
  layerSizes: [16, 12, 10],
  alpha: 0.01,
  iterations: 60,
  evalEvery: 7,
  batchSize: 8,
  optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 },
  schedule: { kind: 'cosine', lrMin: 0.001, warmup: 5 },
  dropout: 0.25,
  validation: 6,
  maxShift: 1,
};
const reference = async (dataset: Dataset, layerSizes: readonly number[]) =>
  new ReferenceEngine(dataset, layerSizes);

/** Saves training's state as a model file (as the CLI does) and reads it back as a resumable state. */
function throughModelFile(result: TrainResult, trainOptions: TrainOptions): TrainState {
  const model = modelOf(result, {
    settings: {
      source: { kind: 'packaged' },
      layers: [...trainOptions.layerSizes],
      alpha: trainOptions.alpha,
      length: { iterations: trainOptions.iterations },
      seed: trainOptions.seed,
      init: trainOptions.init,
      evalEvery: trainOptions.evalEvery,
      batchSize: trainOptions.batchSize,
      optimizer: trainOptions.optimizer ?? PAPER_OPTIMIZER,
      schedule: trainOptions.schedule ?? CONSTANT_SCHEDULE,
      dropout: trainOptions.dropout ?? 0,
      validation: trainOptions.validation ?? 0,
      earlyStop: trainOptions.earlyStop,
      maxShift: trainOptions.maxShift ?? 0,
      precision: trainOptions.precision ?? 'f64',
      out: 'checkpoint.json',
    },
    iterations: trainOptions.iterations,
    evalEvery: trainOptions.evalEvery,
    stepsPerEpoch: 1,
    labels: Array.from({ length: 10 }, (_, i) => String(i)),
    trainSet: data.train,
  });
  const loaded = parseModel(serializeModel(model), 'checkpoint.json');
  if (loaded.training === undefined) throw new Error('the checkpoint lost its training record');
  return resumeState(loaded, loaded.training);
}

/** The fast engine on 2 threads (what `mnn train` uses). */
const fast = (dataset: Dataset, layerSizes: readonly number[]) =>
  createFastEngine(dataset, layerSizes, { threads: 2 });

/**
 * The fast engine in f32: with 12 hidden neurons (one group of three f32 quads) it keeps Adam's
 * W⁽¹⁾ moments in f32 in its own layout, which a checkpoint must see (FastEngine.sync).
 */
const fastF32 = (dataset: Dataset, layerSizes: readonly number[]) =>
  createFastEngine(dataset, layerSizes, { threads: 2, precision: 'f32' });

/** Trains until `stopAt` steps are done, as Ctrl-C would, and returns where it stood. */
async function interruptedAt(
  stopAt: number,
  trainOptions: TrainOptions,
  engines: EngineFactory = reference,
): Promise<TrainResult> {
  let done = 0;
  return train(data, trainOptions, engines, {
    onIteration: ({ iteration }) => void (done = iteration),
    shouldStop: () => done >= stopAt,
  });
}

/** The kept and the latest weights and biases, as bytes, for bitwise comparison. */
function bytes(result: TrainResult): Buffer[] {
  const { selected, parameters } = result;
  return [...selected.W, ...selected.b, ...parameters.W, ...parameters.b].map((values) =>
    Buffer.from(values.buffer, values.byteOffset, values.byteLength),
  );
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

  it('stops after the step during which shouldStop turned true, adding no history point', async () => {
    const result = await interruptedAt(137, options);
    expect(result.iteration).toBe(137);
    expect(result.stopped).toBe(true);
    expect(result.history.map((point) => point.iteration)).toEqual([0, 100]);
  });

  it('500 iterations, stop, save, load, resume to 1000 gives bit-identical weights', async () => {
    const uninterrupted = await train(data, options, reference);
    const interrupted = await interruptedAt(500, options);
    expect(interrupted.iteration).toBe(500);
    const resumed = await train(
      data,
      { ...options, resume: throughModelFile(interrupted, options) },
      reference,
    );
    expect(resumed.iteration).toBe(1000);
    expect(bytes(resumed)).toEqual(bytes(uninterrupted));
    expect(resumed.history).toEqual(uninterrupted.history);
  });

  it('a checkpoint handed to onCheckpoint resumes exactly too', async () => {
    const states: TrainState[] = [];
    const shorter = { ...options, iterations: 300, checkpointEvery: 100 };
    const full = await train(data, shorter, reference, {
      onCheckpoint: (checkpoint) => void states.push(throughModelFile(checkpoint, shorter)),
    });
    const resumed = await train(data, { ...shorter, resume: states[1] }, reference);
    expect(states[1].iteration).toBe(200);
    expect(bytes(resumed)).toEqual(bytes(full));
  });

  it.each([
    [13, 'reference', reference],
    [20, 'reference', reference],
    [31, 'reference', reference],
    [13, 'fast', fast],
    [31, 'fast', fast],
    [13, 'fast f32', fastF32],
    [31, 'fast f32', fastF32],
  ] as const)(
    'Adam mini-batches with validation, dropout and shifts: stopped at step %i (mid-epoch), saved, loaded and resumed, give bit-identical weights and history (%s engine)',
    async (stopAt, _name, engines) => {
      const uninterrupted = await train(data, miniBatchOptions, engines);
      const interrupted = await interruptedAt(stopAt, miniBatchOptions, engines);
      expect(interrupted.iteration).toBe(stopAt);
      const resumed = await train(
        data,
        { ...miniBatchOptions, resume: throughModelFile(interrupted, miniBatchOptions) },
        engines,
      );
      expect(bytes(resumed)).toEqual(bytes(uninterrupted));
      expect(resumed.history).toEqual(uninterrupted.history);
      expect(resumed.best?.iteration).toBe(uninterrupted.best?.iteration);
    },
  );

  it('ends with the error of a failed checkpoint write, having closed the engines', async () => {
    let closed = 0;
    const engineThatTracksClose = async (dataset: Dataset, layerSizes: readonly number[]) => {
      const engine = new ReferenceEngine(dataset, layerSizes);
      return {
        compute: engine.compute.bind(engine),
        evaluate: engine.evaluate.bind(engine),
        close: async () => void closed++,
      };
    };
    await expect(
      train(data, { ...options, checkpointEvery: 10 }, engineThatTracksClose, {
        onCheckpoint: () => {
          throw new Error('disk full');
        },
      }),
    ).rejects.toThrow('disk full');
    expect(closed).toBe(2);
  });
});
