import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { initParameters, zeroParameters } from '../../src/nn/init.js';
import type { Parameters } from '../../src/nn/parameters.js';
import { Random } from '../../src/nn/random.js';
import type { Batch, GradientEngine } from '../../src/train/engine.js';
import { ReferenceEngine } from '../../src/train/reference-engine.js';
import { splitValidation } from '../../src/train/sampling.js';
import {
  train,
  type EngineFactory,
  type EngineUse,
  type TrainOptions,
} from '../../src/train/train.js';

/** count random 4×4 byte images whose label is their brightest quadrant (0–3), with some noise. */
function quadrantDataset(count: number, seed: number): Dataset {
  const random = new Random(seed);
  const images = new Uint8Array(count * 16);
  const labels = new Uint8Array(count);
  for (let s = 0; s < count; s++) {
    labels[s] = random.integer(4);
    for (let p = 0; p < 16; p++) {
      const quadrant = (Math.floor(p / 8) * 2 + Math.floor((p % 4) / 2)) as number;
      images[s * 16 + p] = quadrant === labels[s] ? 120 + random.integer(136) : random.integer(130);
    }
  }
  return { images, labels, count, rows: 4, cols: 4 };
}

const data = { train: quadrantDataset(60, 1), test: quadrantDataset(30, 2) };
const base: TrainOptions = {
  layerSizes: [16, 8, 4],
  alpha: 0.3,
  iterations: 40,
  seed: 5,
  init: 'he',
  evalEvery: 5,
};

/** What a recording engine was asked: the batches of compute() and the samples of evaluate(). */
interface Calls {
  readonly batches: (Batch | undefined)[];
  readonly evaluated: (Uint32Array | undefined)[];
}

/** A reference engine over `dataset` that records its calls into `calls` (training set only). */
function recordingFactory(calls: Calls) {
  return async (dataset: Dataset, layerSizes: readonly number[]): Promise<GradientEngine> => {
    const engine = new ReferenceEngine(dataset, layerSizes);
    if (dataset !== data.train) return engine;
    return {
      compute: (params, gradients, batch) => {
        calls.batches.push(batch);
        return engine.compute(params, gradients, batch);
      },
      evaluate: (params, samples) => {
        calls.evaluated.push(samples);
        return engine.evaluate(params, samples);
      },
      close: () => engine.close(),
    };
  };
}

const reference = async (dataset: Dataset, layerSizes: readonly number[]) =>
  new ReferenceEngine(dataset, layerSizes);

/** Parameters as bytes, for bitwise comparison. */
function bytes(parameters: Parameters): Buffer[] {
  return [...parameters.W, ...parameters.b].map((values) => Buffer.from(values.buffer));
}

describe('train', () => {
  it('by default is the paper, written out: full batch, W ← W − α ∂C/∂W, bit for bit', async () => {
    const result = await train(data, base, reference);
    const params = initParameters(base.layerSizes, { init: 'he', seed: base.seed });
    const gradients = zeroParameters(base.layerSizes);
    const engine = new ReferenceEngine(data.train, base.layerSizes);
    for (let step = 0; step < base.iterations; step++) {
      await engine.compute(params, gradients);
      params.W.forEach((W, l) => W.forEach((_, i) => (W[i] -= base.alpha * gradients.W[l][i])));
      params.b.forEach((b, l) => b.forEach((_, i) => (b[i] -= base.alpha * gradients.b[l][i])));
    }
    expect(bytes(result.selected)).toEqual(bytes(params));
    expect(result.history.map((point) => point.iteration)).toEqual([
      0, 5, 10, 15, 20, 25, 30, 35, 40,
    ]);
  });

  it('mini-batches: each epoch visits every training sample once, never a validation sample', async () => {
    const calls: Calls = { batches: [], evaluated: [] };
    const options = { ...base, batchSize: 7, validation: 11, evalEvery: 7, iterations: 21 };
    const result = await train(data, options, recordingFactory(calls));
    expect(calls.batches).toHaveLength(21);
    // The first evaluation is the starting loss (divergence's baseline), on training samples only.
    const [starting = new Uint32Array(), validation = new Uint32Array()] = calls.evaluated;
    expect(validation).toHaveLength(11);
    expect([...starting].some((sample) => validation.includes(sample))).toBe(false);
    for (let epoch = 0; epoch < 3; epoch++) {
      const seen = calls.batches
        .slice(epoch * 7, epoch * 7 + 7)
        .flatMap((batch) => [...(batch?.samples ?? [])]);
      expect(seen).toHaveLength(49);
      expect(new Set(seen).size).toBe(49);
      expect(seen.some((sample) => validation.includes(sample))).toBe(false);
    }
    expect(result.history.every((point) => point.validationAccuracy !== undefined)).toBe(true);
  });

  it('tells the engine factory which engine passes over its whole set: test always, training in the paper’s full batch only', async () => {
    const cases: [Partial<TrainOptions>, boolean][] = [
      [{}, true],
      [{ batchSize: 7 }, false],
      [{ validation: 10 }, false],
      [{ dropout: 0.2 }, false],
    ];
    for (const [changes, wholeTrainingSet] of cases) {
      const uses: [Dataset, EngineUse | undefined][] = [];
      const factory: EngineFactory = async (dataset, layerSizes, _precision, use) => {
        uses.push([dataset, use]);
        return new ReferenceEngine(dataset, layerSizes);
      };
      await train(data, { ...base, ...changes, iterations: 7 }, factory);
      expect(uses).toEqual([
        [data.train, { wholeSetPasses: wholeTrainingSet }],
        [data.test, { wholeSetPasses: true }],
      ]);
    }
  });

  it('a mini-batch history point records the mean loss and accuracy of the batches since the last one', async () => {
    const losses: number[] = [];
    const sizes: number[] = [];
    const engine = new ReferenceEngine(data.train, base.layerSizes);
    const factory = async (dataset: Dataset, layerSizes: readonly number[]) =>
      dataset !== data.train
        ? new ReferenceEngine(dataset, layerSizes)
        : {
            compute: async (params: Parameters, gradients: Parameters, batch?: Batch) => {
              const pass = await engine.compute(params, gradients, batch);
              losses.push(pass.loss);
              sizes.push(batch?.samples.length ?? 0);
              return pass;
            },
            evaluate: engine.evaluate.bind(engine),
            close: engine.close.bind(engine),
          };
    const result = await train(
      data,
      { ...base, batchSize: 16, evalEvery: 4, iterations: 8 },
      factory,
    );
    const mean = (from: number) =>
      losses.slice(from, from + 4).reduce((sum, loss, k) => sum + loss * sizes[from + k], 0) /
      sizes.slice(from, from + 4).reduce((a, b) => a + b, 0);
    expect(result.history.map((point) => point.iteration)).toEqual([4, 8]);
    expect(result.history[0].loss).toBeCloseTo(mean(0), 14);
    expect(result.history[1].loss).toBeCloseTo(mean(4), 14);
  });

  it('keeps the best parameters on validation, and the test set never changes what is chosen', async () => {
    const options = { ...base, batchSize: 10, validation: 12, evalEvery: 2, iterations: 30 };
    const result = await train(data, options, reference);
    const otherTest = { ...data, test: quadrantDataset(30, 99) };
    const again = await train(otherTest, options, reference);
    expect(bytes(again.selected)).toEqual(bytes(result.selected));
    expect(again.best?.iteration).toBe(result.best?.iteration);
    const best = result.history.find((point) => point.iteration === result.best?.iteration);
    const top = Math.max(...result.history.map((point) => point.validationAccuracy ?? 0));
    expect(best?.validationAccuracy).toBe(top);
    expect(result.summary).toBe(best);
    // The kept parameters are the ones measured at that point.
    const { validation } = splitValidation(60, 12, base.seed);
    const engine = new ReferenceEngine(data.train, base.layerSizes);
    const held = await engine.evaluate(result.selected, validation);
    expect(held.correct / 12).toBe(best?.validationAccuracy);
    expect(held.loss).toBe(best?.validationLoss);
  });

  it('early stopping ends after P history points without a better validation accuracy', async () => {
    const options = {
      ...base,
      alpha: 0.05,
      batchSize: 10,
      validation: 12,
      evalEvery: 1,
      iterations: 400,
      earlyStop: 3,
    };
    const result = await train(data, options, reference);
    expect(result.stoppedEarly).toBe(true);
    expect(result.iteration).toBeLessThan(400);
    const last = result.history.length - 1;
    const bestIndex = result.history.findIndex(
      (point) => point.iteration === result.best?.iteration,
    );
    expect(last - bestIndex).toBe(3);
    const accuracies = result.history.map((point) => point.validationAccuracy ?? 0);
    expect(Math.max(...accuracies.slice(bestIndex + 1))).toBeLessThanOrEqual(accuracies[bestIndex]);
  });
});
