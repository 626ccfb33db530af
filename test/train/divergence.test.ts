/**
 * Issue 9, finding 2: the divergence rule (src/train/divergence.ts) and the trainer's use of it —
 * a checkpoint is handed out only once its loss is known finite and not exploding.
 */
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { MnnError } from '../../src/errors.js';
import {
  chanceLoss,
  divergenceOf,
  LossWatch,
  noBetterThanChance,
} from '../../src/train/divergence.js';
import { evaluate } from '../../src/train/evaluate.js';
import { ReferenceEngine } from '../../src/train/reference-engine.js';
import { train, type TrainResult } from '../../src/train/train.js';
import { initParameters } from '../../src/nn/init.js';
import { largestMagnitude, MAX_PARAMETER_MAGNITUDE } from '../../src/nn/parameters.js';
import { Random } from '../../src/nn/random.js';

/** count random 4×4 byte images with labels 0–9. */
function randomDataset(count: number, seed: number): Dataset {
  const random = new Random(seed);
  const images = Uint8Array.from({ length: count * 16 }, () => random.integer(256));
  const labels = Uint8Array.from({ length: count }, () => random.integer(10));
  return { images, labels, count, rows: 4, cols: 4 };
}

const reference = async (dataset: Dataset, layerSizes: readonly number[]) =>
  new ReferenceEngine(dataset, layerSizes);

describe('the divergence rule', () => {
  it('NaN and infinite losses diverge', () => {
    expect(divergenceOf(Number.NaN, 2, 10)).toBe('not-finite');
    expect(divergenceOf(Number.POSITIVE_INFINITY, 2, 10)).toBe('not-finite');
  });

  it('a loss over 10× the lowest and worse than guessing (ln K) has exploded', () => {
    expect(divergenceOf(24.7, 2.46, 10)).toBe('exploded');
    expect(divergenceOf(702.8, 2.46, 10)).toBe('exploded');
    expect(divergenceOf(24.5, 2.46, 10)).toBeUndefined();
    expect(divergenceOf(25, 2.5, 10)).toBeUndefined(); // exactly 10×: not over it
  });

  it('a noisy loss still better than guessing is not divergence, however far above the lowest', () => {
    expect(divergenceOf(0.2, 0.001, 10)).toBeUndefined();
    expect(divergenceOf(chanceLoss(10), 0.01, 10)).toBeUndefined();
    expect(divergenceOf(chanceLoss(10) + 0.01, 0.01, 10)).toBe('exploded');
  });

  it('LossWatch remembers the lowest loss and throws a diverged MnnError with the α hint', () => {
    const watch = new LossWatch(10);
    watch.observe(2.46, 0);
    watch.observe(1.2, 1);
    expect(watch.lowest).toBe(1.2);
    let error: unknown;
    try {
      watch.observe(50, 2);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MnnError);
    expect((error as MnnError).kind).toBe('diverged');
    expect((error as MnnError).option).toBe('alpha');
    expect((error as MnnError).message).toBe(
      'training diverged at iteration 2: the loss rose to 50.00, over 10× the lowest so far (1.200)',
    );
  });

  it('an accuracy up to 1.5/K is no better than chance', () => {
    expect(noBetterThanChance(0.1, 10)).toBe(true);
    expect(noBetterThanChance(0.15, 10)).toBe(true);
    expect(noBetterThanChance(0.2, 10)).toBe(false);
  });
});

describe('training with a learning rate far too large', () => {
  it('stops with a diverged error, and every checkpoint it handed out has a finite, sane loss', async () => {
    const data = { train: randomDataset(40, 1), test: randomDataset(10, 2) };
    const checkpoints: { iteration: number; loss: number }[] = [];
    const run = train(
      data,
      {
        layerSizes: [16, 32, 32, 10],
        alpha: 1000,
        iterations: 50,
        seed: 1,
        init: 'he',
        evalEvery: 1,
        checkpointEvery: 1,
      },
      reference,
      {
        onCheckpoint: (checkpoint: TrainResult) => {
          const { loss } = evaluate(checkpoint.parameters, data.train);
          checkpoints.push({ iteration: checkpoint.iteration, loss });
        },
      },
    );
    await expect(run).rejects.toMatchObject({ kind: 'diverged' });
    const initial = initParameters([16, 32, 32, 10], { init: 'he', seed: 1 });
    const first = evaluate(initial, data.train).loss;
    for (const checkpoint of checkpoints) {
      expect(Number.isFinite(checkpoint.loss), `iteration ${checkpoint.iteration}`).toBe(true);
      expect(checkpoint.loss).toBeLessThanOrEqual(10 * first);
    }
  });
});

describe('mini-batch training with a learning rate far too large', () => {
  it('stops with a diverged error; every checkpoint it handed out is finite and loads back', async () => {
    const data = { train: randomDataset(64, 3), test: randomDataset(16, 4) };
    const layerSizes = [16, 32, 32, 10];
    const checkpoints: { iteration: number; loss: number; largest: number }[] = [];
    const run = train(
      data,
      {
        layerSizes,
        alpha: 1000,
        iterations: 200,
        seed: 1,
        init: 'he',
        evalEvery: 4,
        batchSize: 8,
        optimizer: { kind: 'momentum', momentum: 0.9, weightDecay: 0 },
        checkpointEvery: 1,
      },
      reference,
      {
        onCheckpoint: (checkpoint: TrainResult) => {
          const { loss } = evaluate(checkpoint.parameters, data.train);
          const largest = largestMagnitude(checkpoint.selected);
          checkpoints.push({ iteration: checkpoint.iteration, loss, largest });
        },
      },
    );
    await expect(run).rejects.toMatchObject({ kind: 'diverged' });
    const first = evaluate(initParameters(layerSizes, { init: 'he', seed: 1 }), data.train).loss;
    for (const checkpoint of checkpoints) {
      expect(Number.isFinite(checkpoint.loss), `iteration ${checkpoint.iteration}`).toBe(true);
      expect(checkpoint.loss).toBeLessThanOrEqual(10 * first);
      expect(checkpoint.largest).toBeLessThanOrEqual(MAX_PARAMETER_MAGNITUDE);
    }
  });

  it('a healthy mini-batch run is not stopped, however noisy its batches (batch size 1)', async () => {
    const data = { train: randomDataset(40, 5), test: randomDataset(10, 6) };
    let checkpoints = 0;
    const result = await train(
      data,
      {
        layerSizes: [16, 16, 10],
        alpha: 0.05,
        iterations: 200,
        seed: 2,
        init: 'he',
        evalEvery: 10,
        batchSize: 1,
        checkpointEvery: 1,
      },
      reference,
      { onCheckpoint: () => void checkpoints++ },
    );
    expect(result.iteration).toBe(200);
    expect(checkpoints).toBeGreaterThan(150);
  });
});
