import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { MnnError } from '../../src/errors.js';
import { initParameters } from '../../src/nn/init.js';
import type { Parameters } from '../../src/nn/parameters.js';
import type { GradientEngine, PassResult } from '../../src/train/engine.js';
import type { HistoryPoint } from '../../src/train/history.js';
import { train, type TrainEvents, type TrainOptions } from '../../src/train/train.js';
import { randomDataset } from '../helpers/random-data.js';

// The training loop's bookkeeping, with engines that return scripted passes (and leave the
// gradients at 0, so the parameters never move): what it records, reports and decides.

const data = { train: randomDataset({ count: 20, classes: 4 }), test: randomDataset({ count: 8 }) };
const base: TrainOptions = {
  layerSizes: [9, 5, 4],
  alpha: 0.1,
  iterations: 6,
  seed: 1,
  init: 'he',
  evalEvery: 3,
};

/** What each engine is asked for, by call: compute()'s and evaluate()'s results. */
interface Script {
  compute?: (call: number) => PassResult;
  /** Validation passes of the training engine. */
  validate?: (call: number) => PassResult;
  test?: (call: number) => PassResult;
}

/**
 * A factory of engines that follow `script` (default: loss 1, no sample right). A fresh mini-batch
 * run's first evaluate() on the training engine measures its starting loss (loss 1 here); the
 * training engine's later evaluate() calls are its validation passes.
 */
function scripted(script: Script, options: TrainOptions = base) {
  const calls = { compute: 0, validate: 0, test: 0 };
  let startingLossPending = options.batchSize !== undefined;
  const pass = (which: keyof typeof calls): PassResult => {
    calls[which]++;
    return script[which]?.(calls[which]) ?? { loss: 1, correct: 0 };
  };
  const trainingEvaluate = (): PassResult => {
    if (!startingLossPending) return pass('validate');
    startingLossPending = false;
    return { loss: 1, correct: 0 };
  };
  return async (dataset: Dataset) => {
    const isTrain = dataset === data.train;
    const engine: GradientEngine = {
      compute: async () => pass('compute'),
      evaluate: async () => (isTrain ? trainingEvaluate() : pass('test')),
      close: async () => {},
    };
    return engine;
  };
}

/** Runs train() with the events recorded: history points handed out, progress, checkpoints. */
async function recordRun(options: TrainOptions, script: Script, events: TrainEvents = {}) {
  const history: HistoryPoint[] = [];
  const progress: { iteration: number; loss: number; accuracy: number; latest?: number }[] = [];
  const checkpoints: number[] = [];
  const result = await train(data, options, scripted(script, options), {
    onHistory: (point) => history.push(point),
    onIteration: (step) => {
      progress.push({
        iteration: step.iteration,
        loss: step.loss,
        accuracy: step.accuracy,
        latest: step.latest?.iteration,
      });
      events.onIteration?.(step);
    },
    onCheckpoint: (checkpoint) => {
      checkpoints.push(checkpoint.iteration);
    },
    shouldStop: events.shouldStop,
  });
  return { result, history, progress, checkpoints };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the training loop', () => {
  it('full batch: each point and each step reports the pass at the parameters the step started from', async () => {
    const compute = (call: number) => ({ loss: call, correct: call });
    const test = (call: number) => ({ loss: 9, correct: call });
    const { result, history, progress } = await recordRun(base, { compute, test });
    // Passes 1, 4, 7 were run for the points at 0, 3 and 6; steps 1 and 4 reuse them.
    expect(result.history).toEqual([
      { iteration: 0, loss: 1, trainAccuracy: 1 / 20, testAccuracy: 1 / 8 },
      { iteration: 3, loss: 4, trainAccuracy: 4 / 20, testAccuracy: 2 / 8 },
      { iteration: 6, loss: 7, trainAccuracy: 7 / 20, testAccuracy: 3 / 8 },
    ]);
    expect(history).toEqual(result.history);
    expect(progress).toEqual([
      { iteration: 1, loss: 1, accuracy: 1 / 20, latest: 0 },
      { iteration: 2, loss: 2, accuracy: 2 / 20, latest: 0 },
      { iteration: 3, loss: 3, accuracy: 3 / 20, latest: 3 },
      { iteration: 4, loss: 4, accuracy: 4 / 20, latest: 3 },
      { iteration: 5, loss: 5, accuracy: 5 / 20, latest: 3 },
      { iteration: 6, loss: 6, accuracy: 6 / 20, latest: 6 },
    ]);
    expect(result.running).toEqual({ lossSum: 0, correct: 0, samples: 0 });
    expect(result.summary).toBe(result.history[2]);
  });

  it('mini-batches: a point records the means of the batches since the last one, and the end is a point', async () => {
    // 20 samples, batches of 8: 8, 8, 4 per epoch.
    const compute = (call: number) => ({ loss: call, correct: call % 3 });
    const options = { ...base, batchSize: 8, iterations: 5 };
    const { result, history, progress } = await recordRun(options, { compute });
    const mean = (steps: number[]) => {
      const sizes = steps.map((step) => [8, 8, 4][(step - 1) % 3]);
      const total = sizes.reduce((a, b) => a + b, 0);
      return {
        loss: steps.reduce((sum, step, k) => sum + step * sizes[k], 0) / total,
        accuracy: steps.reduce((sum, step) => sum + (step % 3), 0) / total,
      };
    };
    expect(result.history.map(({ iteration }) => iteration)).toEqual([3, 5]);
    expect(result.history[0]).toMatchObject({
      loss: mean([1, 2, 3]).loss,
      trainAccuracy: mean([1, 2, 3]).accuracy,
    });
    expect(result.history[1]).toMatchObject({
      loss: mean([4, 5]).loss,
      trainAccuracy: mean([4, 5]).accuracy,
    });
    expect(history).toEqual(result.history);
    expect(progress[1]).toMatchObject({ loss: mean([1, 2]).loss, accuracy: mean([1, 2]).accuracy });
    expect(progress[3]).toMatchObject({ loss: mean([4]).loss, accuracy: mean([4]).accuracy });
  });

  it('keeps the best on validation: a higher accuracy, or the same with a lower loss', async () => {
    const validate = (call: number) =>
      [
        { loss: 0.5, correct: 2 }, // point 1 (step 2): first
        { loss: 0.4, correct: 2 }, // point 2: same accuracy, lower loss: better
        { loss: 0.4, correct: 2 }, // point 3: same in both: not better
        { loss: 0.3, correct: 1 }, // point 4: lower accuracy: not better
        { loss: 0.9, correct: 3 }, // point 5: higher accuracy, higher loss: better
        { loss: 0.9, correct: 3 }, // point 6: not better
      ][call - 1];
    const options = { ...base, batchSize: 4, validation: 4, evalEvery: 2, iterations: 12 };
    const { result } = await recordRun(options, { validate });
    expect(result.best).toMatchObject({
      iteration: 10,
      validationAccuracy: 0.75,
      validationLoss: 0.9,
      pointsSince: 1,
    });
    const second = await recordRun(
      { ...options, iterations: 6 },
      { validate: (call) => validate(call) },
    );
    expect(second.result.best).toMatchObject({ iteration: 4, pointsSince: 1 });
    expect(second.result.summary).toBe(second.result.history[1]);
  });

  it('a tie in accuracy with a higher validation loss is not better', async () => {
    const validate = (call: number) =>
      [
        { loss: 0.4, correct: 2 },
        { loss: 0.5, correct: 2 },
      ][call - 1];
    const options = { ...base, batchSize: 4, validation: 4, evalEvery: 2, iterations: 4 };
    const { result } = await recordRun(options, { validate });
    expect(result.best).toMatchObject({ iteration: 2, validationLoss: 0.4, pointsSince: 1 });
  });

  it('says at which step the loss diverged, and what to do', async () => {
    const compute = (call: number) => ({ loss: call === 3 ? NaN : 1, correct: 0 });
    const options = { ...base, batchSize: 5 };
    const run = train(data, options, scripted({ compute }, options));
    // Step 3's pass measures the loss of the parameters after 2 steps.
    await expect(run).rejects.toThrow(
      expect.objectContaining({
        message: 'training diverged at iteration 2: the loss became NaN',
        kind: 'diverged',
        hint: 'no model from the diverged part was saved; try a learning rate about 10 times smaller',
        option: 'alpha',
      }),
    );
    // Full batch: pass 1 is the point at step 0 (reused by step 1); pass 2 is step 2's, made at
    // the parameters after 1 step.
    for (const [bad, iteration] of [
      [1, 0],
      [2, 1],
    ]) {
      const infinite = (call: number) => ({ loss: call === bad ? Infinity : 1, correct: 0 });
      await expect(train(data, base, scripted({ compute: infinite }))).rejects.toThrow(
        `training diverged at iteration ${iteration}: the loss became Infinity`,
      );
    }
  });

  it('refuses to resume momentum or Adam without its saved state, but not from step 0 or for gd', async () => {
    const resume = {
      parameters: initParameters(base.layerSizes, { init: 'he', seed: 1 }),
      iteration: 2,
      history: [],
      seconds: 0,
    };
    const momentum = { kind: 'momentum', momentum: 0.9, weightDecay: 0 } as const;
    const run = train(data, { ...base, optimizer: momentum, resume }, scripted({}));
    await expect(run).rejects.toThrow(
      expect.objectContaining({
        message:
          'the state of the momentum optimizer was not saved, so training cannot continue exactly',
        kind: 'usage',
        option: 'resume',
        hint: 'resume from a checkpoint, or train a new model',
      }),
    );
    await expect(run).rejects.toBeInstanceOf(MnnError);
    const fromStart = { ...resume, iteration: 0 };
    const fresh = await train(
      data,
      { ...base, optimizer: momentum, resume: fromStart },
      scripted({}),
    );
    expect(fresh.optimizer?.t).toBe(6);
    const gd = await train(data, { ...base, resume }, scripted({}));
    expect(gd.optimizer?.t).toBe(6);
    expect(gd.iteration).toBe(6);
  });

  it('a stop or early stop asked at the last step is no stop, and no checkpoint is taken at the end', async () => {
    const stopAtEnd = await recordRun(
      { ...base, checkpointEvery: 2 },
      {},
      { shouldStop: () => true },
    );
    expect(stopAtEnd.result).toMatchObject({ iteration: 1, stopped: true });
    let steps = 0;
    const lastStep = await recordRun(
      { ...base, checkpointEvery: 2 },
      {},
      { onIteration: () => steps++, shouldStop: () => steps === 6 },
    );
    expect(lastStep.result).toMatchObject({ iteration: 6, stopped: false });
    expect(lastStep.checkpoints).toEqual([2, 4]);
    const patience = { ...base, batchSize: 4, validation: 4, evalEvery: 3, earlyStop: 1 };
    const early = await recordRun(patience, {});
    expect(early.result).toMatchObject({ iteration: 6, stoppedEarly: false });
    const earlier = await recordRun({ ...patience, iterations: 9 }, {});
    expect(earlier.result).toMatchObject({ iteration: 6, stoppedEarly: true });
  });
});

describe('the divergence rule and the magnitude check in the loop', () => {
  it('applies the whole rule to each full-batch step, only finiteness to each mini-batch', async () => {
    // Pass 2 is step 2's (the parameters after 1 step): 50 is over 10× the lowest (1) and ln 4.
    const exploding = (call: number) => ({ loss: call === 2 ? 50 : 1, correct: 0 });
    await expect(train(data, base, scripted({ compute: exploding }))).rejects.toThrow(
      'training diverged at iteration 1: the loss rose to 50.00, over 10× the lowest so far (1.000)',
    );
    // One noisy batch of 20 among batches of 1: the point's mean (8.6) stays under 10×.
    const noisy = (call: number) => ({ loss: call === 2 ? 20 : 1, correct: 0 });
    const options = { ...base, batchSize: 8 };
    const result = await train(data, options, scripted({ compute: noisy }, options));
    expect(result.history[0].loss).toBeCloseTo((8 + 160 + 4) / 20, 12);
  });

  it("measures a starting loss only for a fresh mini-batch run, and a resumed one compares with its history's lowest", async () => {
    const evaluations = { count: 0 };
    const counting = (options: TrainOptions, script: Script = {}) => {
      const factory = scripted(script, options);
      return async (dataset: Dataset) => {
        const engine = await factory(dataset);
        if (dataset !== data.train) return engine;
        const evaluate = (parameters: Parameters, samples?: Uint32Array) => {
          evaluations.count++;
          return engine.evaluate(parameters, samples);
        };
        return { ...engine, evaluate };
      };
    };
    await train(data, base, counting(base));
    expect(evaluations.count).toBe(0); // full batch: its start is a history point
    const miniBatch = { ...base, batchSize: 8 };
    await train(data, miniBatch, counting(miniBatch));
    expect(evaluations.count).toBe(1);
    const resume = {
      parameters: initParameters(base.layerSizes, { init: 'he', seed: 1 }),
      iteration: 3,
      history: [{ iteration: 3, loss: 0.1, trainAccuracy: 0.9, testAccuracy: 0.9 }],
      seconds: 0,
    };
    // Losses of 5 are under 10× the starting loss (1), but over 10× the history's 0.1 and ln 4.
    const five = () => ({ loss: 5, correct: 0 });
    const resumed = { ...miniBatch, resume };
    await expect(train(data, resumed, counting(resumed, { compute: five }))).rejects.toThrow(
      'training diverged at iteration 6: the loss rose to 5.000, over 10× the lowest so far (0.1000)',
    );
    expect(evaluations.count).toBe(1); // no starting loss for the resumed run
  });

  it('refuses to return parameters too large to load back, and accepts them at the bound', async () => {
    const at = (magnitude: number) => {
      const parameters = initParameters(base.layerSizes, { init: 'he', seed: 1 });
      parameters.W[0][3] = -magnitude;
      return { parameters, iteration: 0, history: [], seconds: 0 };
    };
    const over = train(data, { ...base, resume: at(2e6) }, scripted({}));
    await expect(over).rejects.toThrow(
      expect.objectContaining({
        message:
          "training diverged at iteration 6: a weight grew to 2.00e+6, beyond a working network's 1000000",
        kind: 'diverged',
      }),
    );
    const bound = await train(data, { ...base, resume: at(1e6) }, scripted({}));
    expect(bound.parameters.W[0][3]).toBe(-1e6);
  });

  it('returns the latest parameters, copied once, as the selected ones without validation', async () => {
    const { result } = await recordRun(base, {});
    expect(result.selected).toBe(result.parameters);
  });
});

describe('time in the training loop (a clock moved by the test)', () => {
  /** performance.now() as the test sets it: `clock.ms`. */
  function fakeClock() {
    const clock = { ms: 0 };
    vi.spyOn(performance, 'now').mockImplementation(() => clock.ms);
    return clock;
  }

  it('checkpoints when checkpointSeconds have passed since the last one, and adds up the seconds', async () => {
    const clock = fakeClock();
    clock.ms = 5000; // the process has run a while before training starts
    const resume = {
      parameters: initParameters(base.layerSizes, { init: 'he', seed: 1 }),
      iteration: 0,
      history: [],
      seconds: 100,
    };
    const options = { ...base, iterations: 10, checkpointSeconds: 0.25, resume };
    // Each step takes 100 ms: due at 300 ms after the last checkpoint, i.e. steps 3, 6, 9.
    const { result, checkpoints } = await recordRun(
      options,
      {},
      { onIteration: () => (clock.ms += 100) },
    );
    expect(checkpoints).toEqual([3, 6, 9]);
    expect(result.seconds).toBeCloseTo(101, 12);
  });

  it('checkpoints as soon as exactly checkpointSeconds have passed', async () => {
    const clock = fakeClock();
    const options = { ...base, iterations: 10, checkpointSeconds: 0.2 };
    const { checkpoints } = await recordRun(options, {}, { onIteration: () => (clock.ms += 100) });
    expect(checkpoints).toEqual([2, 4, 6, 8]);
  });

  it('takes no checkpoint by time unless asked', async () => {
    const clock = fakeClock();
    const { checkpoints } = await recordRun(base, {}, { onIteration: () => (clock.ms += 1e9) });
    expect(checkpoints).toEqual([]);
  });
});
