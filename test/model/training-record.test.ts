import { describe, expect, it } from 'vitest';
import { MnnError } from '../../src/errors.js';
import { parseModel } from '../../src/model/load.js';
import type { TrainingRecord } from '../../src/model/model.js';

// The "training" record of a model file, field by field: what an absent field defaults to, the
// edges each range accepts, and the exact message for the first value past each edge.

type Document = Record<string, unknown>;

/** A 2-2 model document whose "training" record is `training`. */
function documentWith(training: unknown): Document {
  const document: Document = {
    format: 'mnn-model',
    version: 2,
    layers: [2, 2],
    weights: [[1, 2, 3, 4]],
    biases: [[0.5, -0.5]],
    training,
  };
  return document;
}

/** Stands for 1e999 in a record: JSON.stringify cannot write it, the file can (Infinity when parsed). */
const INFINITY = 'write as 1e999';

/** The training record read from a document whose record is `training`. */
function read(training: unknown): TrainingRecord | undefined {
  const text = JSON.stringify(documentWith(training)).replaceAll(`"${INFINITY}"`, '1e999');
  return parseModel(text, 'm.json').training;
}

/** The problem reported for a record (the text after "m.json is not a valid mnn model: "). */
function problem(training: unknown): string | undefined {
  try {
    read(training);
  } catch (error) {
    if (!(error instanceof MnnError)) throw error;
    return error.message.replace(/^m\.json is not a valid mnn model: /, '');
  }
  return undefined;
}

/** The parameter-shaped arrays of the 2-2 network, all `value`. */
function arrays(value: number) {
  return { weights: [[value, value, value, value]], biases: [[value, value]] };
}

const minimal = { alpha: 0.1 };

describe('a training record in a model file', () => {
  it('fills every absent field with its documented default', () => {
    expect(read(minimal)).toStrictEqual({
      dataset: 'embedded',
      samples: 0,
      limit: undefined,
      alpha: 0.1,
      iterations: 0,
      targetIterations: 0,
      epochs: undefined,
      seed: 1,
      init: 'he',
      evalEvery: 100,
      batchSize: undefined,
      optimizer: { kind: 'gd', weightDecay: 0 },
      schedule: { kind: 'constant', warmup: 0 },
      dropout: 0,
      validation: 0,
      earlyStop: undefined,
      maxShift: 0,
      precision: 'f64',
      seconds: 0,
      complete: true,
      stoppedEarly: false,
      history: [],
      checkpoint: undefined,
    });
  });

  it('reads every field that is present', () => {
    const history = [
      { iteration: 0, loss: 2.3, trainAccuracy: 0.1, testAccuracy: 0.12 },
      {
        iteration: 4,
        loss: 0.4,
        trainAccuracy: 0.9,
        testAccuracy: 0.88,
        validationAccuracy: 0.87,
        validationLoss: 0.45,
      },
    ];
    const record = {
      dataset: '/data/mnist',
      samples: 600,
      limit: 600,
      alpha: 0.05,
      iterations: 4,
      targetIterations: 12,
      epochs: 2,
      seed: 0,
      init: 'uniform',
      evalEvery: 4,
      batchSize: 100,
      optimizer: { kind: 'momentum', momentum: 0.5, weightDecay: 0.001 },
      schedule: { kind: 'step', stepEvery: 2, gamma: 1, warmup: 3 },
      dropout: 0.25,
      validation: 100,
      earlyStop: 3,
      maxShift: 2,
      precision: 'f32',
      loss: 0.4,
      trainAccuracy: 0.9,
      testAccuracy: 0.88,
      validationAccuracy: 0.87,
      seconds: 12.5,
      complete: false,
      stoppedEarly: true,
      history,
    };
    expect(read(record)).toStrictEqual({ ...record, checkpoint: undefined });
  });

  it('reads the other optimizers and schedules', () => {
    const adam = { kind: 'adam', beta1: 0, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 };
    const cosine = { kind: 'cosine', lrMin: 0, warmup: 0 };
    expect(read({ alpha: 1, optimizer: adam, schedule: cosine })).toMatchObject({
      optimizer: adam,
      schedule: cosine,
    });
    const gd = { kind: 'gd', weightDecay: 0.5 };
    const constant = { kind: 'constant', warmup: 7 };
    expect(read({ alpha: 1, optimizer: gd, schedule: constant })).toMatchObject({
      optimizer: gd,
      schedule: constant,
    });
    expect(read({ alpha: 1, schedule: { kind: 'constant' } })?.schedule).toEqual({
      kind: 'constant',
      warmup: 0,
    });
  });

  it.each<[string, Record<string, unknown>]>([
    ['the smallest positive α', { alpha: 5e-324 }],
    ['seed 0 and the smallest whole numbers', { seed: 0, evalEvery: 1, limit: 1, epochs: 1 }],
    ['dropout 0', { dropout: 0 }],
    ['momentum 0', { optimizer: { kind: 'momentum', momentum: 0, weightDecay: 0 } }],
    [
      'the smallest ε and β₂ 0',
      { optimizer: { kind: 'adam', beta1: 0.5, beta2: 0, epsilon: 5e-324, weightDecay: 0 } },
    ],
    ['γ = 1 and k = 1', { schedule: { kind: 'step', stepEvery: 1, gamma: 1, warmup: 0 } }],
    ['the smallest γ', { schedule: { kind: 'step', stepEvery: 1, gamma: 5e-324, warmup: 0 } }],
    ['a large cosine floor', { schedule: { kind: 'cosine', lrMin: 1e300, warmup: 0 } }],
  ])('accepts %s', (_name, fields) => {
    expect(problem({ ...minimal, ...fields })).toBeUndefined();
  });

  it.each<[string, unknown, string]>([
    ['a record that is not an object', [1], '"training" must be a JSON object'],
    ['no α', {}, '"training.alpha" must be a learning rate above 0'],
    ['α = 0', { alpha: 0 }, '"training.alpha" must be a learning rate above 0'],
    ['α as text', { alpha: '0.1' }, '"training.alpha" must be a learning rate above 0'],
    ['an enormous α', { alpha: INFINITY }, '"training.alpha" must be a learning rate above 0'],
    [
      'negative iterations',
      { ...minimal, iterations: -1 },
      '"training.iterations" must be a whole number of at least 0',
    ],
    [
      'fractional samples',
      { ...minimal, samples: 2.5 },
      '"training.samples" must be a whole number of at least 0',
    ],
    [
      'a limit of 0',
      { ...minimal, limit: 0 },
      '"training.limit" must be a whole number of at least 1',
    ],
    [
      'a target as text',
      { ...minimal, targetIterations: '9' },
      '"training.targetIterations" must be a whole number of at least 0',
    ],
    [
      '0 epochs',
      { ...minimal, epochs: 0 },
      '"training.epochs" must be a whole number of at least 1',
    ],
    ['seed −1', { ...minimal, seed: -1 }, '"training.seed" must be a whole number of at least 0'],
    [
      'evalEvery 0',
      { ...minimal, evalEvery: 0 },
      '"training.evalEvery" must be a whole number of at least 1',
    ],
    [
      'batch size 0',
      { ...minimal, batchSize: 0 },
      '"training.batchSize" must be a whole number of at least 1',
    ],
    ['dropout 1', { ...minimal, dropout: 1 }, '"training.dropout" must be in [0, 1)'],
    ['dropout −0.1', { ...minimal, dropout: -0.1 }, '"training.dropout" must be in [0, 1)'],
    ['dropout as text', { ...minimal, dropout: '0' }, '"training.dropout" must be a finite number'],
    [
      'a negative validation set',
      { ...minimal, validation: -1 },
      '"training.validation" must be a whole number of at least 0',
    ],
    [
      'patience 0',
      { ...minimal, earlyStop: 0 },
      '"training.earlyStop" must be a whole number of at least 1',
    ],
    [
      'negative shifts',
      { ...minimal, maxShift: -1 },
      '"training.maxShift" must be a whole number of at least 0',
    ],
    [
      'a precision of another format',
      { ...minimal, precision: 'f16' },
      '"training.precision" must be "f64" or "f32"',
    ],
    ['a loss as text', { ...minimal, loss: 'low' }, '"training.loss" must be a finite number'],
    [
      'an infinite test accuracy',
      { ...minimal, testAccuracy: INFINITY },
      '"training.testAccuracy" must be a finite number',
    ],
    ['seconds as text', { ...minimal, seconds: '1' }, '"training.seconds" must be a finite number'],
    [
      'an optimizer that is not an object',
      { ...minimal, optimizer: 'adam' },
      '"training.optimizer" must be a JSON object',
    ],
    [
      'an optimizer without weight decay',
      { ...minimal, optimizer: { kind: 'gd' } },
      '"training.optimizer.weightDecay" must be a finite number',
    ],
    [
      'negative weight decay',
      { ...minimal, optimizer: { kind: 'gd', weightDecay: -1 } },
      '"training.optimizer.weightDecay" must be in [0, Infinity)',
    ],
    [
      'momentum 1',
      { ...minimal, optimizer: { kind: 'momentum', momentum: 1, weightDecay: 0 } },
      '"training.optimizer.momentum" must be in [0, 1)',
    ],
    [
      'momentum −0.5',
      { ...minimal, optimizer: { kind: 'momentum', momentum: -0.5, weightDecay: 0 } },
      '"training.optimizer.momentum" must be in [0, 1)',
    ],
    [
      'β₁ = 1',
      { ...minimal, optimizer: { kind: 'adam', beta1: 1, beta2: 0.9, epsilon: 1, weightDecay: 0 } },
      '"training.optimizer.beta1" must be in [0, 1)',
    ],
    [
      'ε = 0',
      { ...minimal, optimizer: { kind: 'adam', beta1: 0, beta2: 0, epsilon: 0, weightDecay: 0 } },
      '"training.optimizer.epsilon" must be in [5e-324, Infinity)',
    ],
    [
      'an unknown optimizer',
      { ...minimal, optimizer: { kind: 'sgd', weightDecay: 0 } },
      '"training.optimizer.kind" must be "gd", "momentum" or "adam"',
    ],
    [
      'a schedule that is not an object',
      { ...minimal, schedule: null },
      '"training.schedule" must be a JSON object',
    ],
    [
      'a negative warm-up',
      { ...minimal, schedule: { kind: 'constant', warmup: -1 } },
      '"training.schedule.warmup" must be a whole number of at least 0',
    ],
    [
      'a negative cosine floor',
      { ...minimal, schedule: { kind: 'cosine', lrMin: -1, warmup: 0 } },
      '"training.schedule.lrMin" must be in [0, Infinity)',
    ],
    [
      'a step every 0 epochs',
      { ...minimal, schedule: { kind: 'step', stepEvery: 0, gamma: 0.5 } },
      '"training.schedule.stepEvery" must be a whole number of at least 1',
    ],
    [
      'γ above 1',
      { ...minimal, schedule: { kind: 'step', stepEvery: 1, gamma: 1.5 } },
      '"training.schedule.gamma" must be in [5e-324, 1]',
    ],
    [
      'γ = 0',
      { ...minimal, schedule: { kind: 'step', stepEvery: 1, gamma: 0 } },
      '"training.schedule.gamma" must be in [5e-324, 1]',
    ],
    [
      'an unknown schedule',
      { ...minimal, schedule: { kind: 'linear' } },
      '"training.schedule.kind" must be "constant", "cosine" or "step"',
    ],
    [
      'a history entry that is not an object',
      { ...minimal, history: [3] },
      '"training.history" entries must be a JSON object',
    ],
    [
      'a history entry without a loss',
      { ...minimal, history: [{ iteration: 1, trainAccuracy: 1, testAccuracy: 1 }] },
      '"training.history" entry lacks a number "loss"',
    ],
    [
      'a history entry with a validation loss as text',
      {
        ...minimal,
        history: [
          { iteration: 1, loss: 1, trainAccuracy: 1, testAccuracy: 1, validationLoss: 'x' },
        ],
      },
      '"training.history" entry lacks a number "validationLoss"',
    ],
  ])('refuses %s', (_name, training, expected) => {
    expect(problem(training)).toBe(`${expected}.`);
  });

  it('reads anything but "uniform" as He initialization, and "complete" unless false', () => {
    expect(read({ ...minimal, init: 'xavier' })?.init).toBe('he');
    expect(read({ ...minimal, complete: 0 })?.complete).toBe(true);
    expect(read({ ...minimal, stoppedEarly: 1 })?.stoppedEarly).toBe(false);
    expect(read({ ...minimal, dataset: 7 })?.dataset).toBe('embedded');
    expect(read({ ...minimal, history: 'none' })?.history).toEqual([]);
  });
});

describe('a checkpoint in a training record', () => {
  const running = { lossSum: 1.5, correct: 3, samples: 4 };
  const momentum = { kind: 'momentum', momentum: 0.9, weightDecay: 0 };

  /** A record with the given optimizer and checkpoint. */
  const withCheckpoint = (checkpoint: unknown, optimizer: unknown = momentum) => ({
    ...minimal,
    optimizer,
    checkpoint,
  });

  it('reads the optimizer state, the latest parameters and the best point', () => {
    const checkpoint = read(
      withCheckpoint({
        parameters: arrays(2),
        optimizer: { t: 0, V: arrays(0.25) },
        best: { iteration: 0, validationAccuracy: 1, validationLoss: 0.5, pointsSince: 0 },
        running,
      }),
    )?.checkpoint;
    const parameters = (value: number) => ({
      layerSizes: [2, 2],
      W: [Float64Array.of(value, value, value, value)],
      b: [Float64Array.of(value, value)],
    });
    expect(checkpoint).toStrictEqual({
      parameters: parameters(2),
      optimizer: { t: 0, V: parameters(0.25), M: undefined, S: undefined },
      best: { iteration: 0, validationAccuracy: 1, validationLoss: 0.5, pointsSince: 0 },
      running,
    });
  });

  it('needs no state for plain gradient descent, and no best point', () => {
    const checkpoint = read(
      withCheckpoint({ optimizer: { t: 3 }, running }, { kind: 'gd', weightDecay: 0 }),
    )?.checkpoint;
    expect(checkpoint).toStrictEqual({
      parameters: undefined,
      optimizer: { t: 3, V: undefined, M: undefined, S: undefined },
      best: undefined,
      running,
    });
  });

  it.each<[string, unknown, string]>([
    ['a checkpoint that is not an object', 'later', '"training.checkpoint" must be a JSON object'],
    ['no optimizer state', { running }, '"training.checkpoint.optimizer" must be a JSON object'],
    [
      'gradient-descent state for momentum',
      { optimizer: { t: 1 }, running },
      '"training.checkpoint.optimizer" does not hold the state of the momentum optimizer',
    ],
    [
      'momentum state with an extra M',
      { optimizer: { t: 1, V: arrays(0), M: arrays(0) }, running },
      '"training.checkpoint.optimizer" does not hold the state of the momentum optimizer',
    ],
    [
      'a velocity that is not an object',
      { optimizer: { t: 1, V: [0] }, running },
      '"training.checkpoint.optimizer.V" must be a JSON object',
    ],
    [
      'a velocity of the wrong shape',
      { optimizer: { t: 1, V: { weights: [[0]], biases: [[0, 0]] } }, running },
      '"training.checkpoint.optimizer.V.weights"[0] (W of layer 1, 2×2) has 1 numbers, expected 4',
    ],
    [
      'latest parameters of the wrong shape',
      {
        parameters: { weights: [[0, 0, 0, 0]], biases: [] },
        optimizer: { t: 1, V: arrays(0) },
        running,
      },
      '"training.checkpoint.parameters.biases" must hold 1 arrays, one per layer',
    ],
    [
      'a negative step count',
      { optimizer: { t: -1, V: arrays(0) }, running },
      '"training.checkpoint.optimizer.t" must be a whole number of at least 0',
    ],
    [
      'no running totals',
      { optimizer: { t: 1, V: arrays(0) } },
      '"training.checkpoint.running" must be a JSON object',
    ],
    [
      'fractional running counts',
      { optimizer: { t: 1, V: arrays(0) }, running: { ...running, correct: 0.5 } },
      '"training.checkpoint.running.correct" must be a whole number of at least 0',
    ],
    [
      'a running loss as text',
      { optimizer: { t: 1, V: arrays(0) }, running: { ...running, lossSum: '1' } },
      '"training.checkpoint.running.lossSum" must be a finite number',
    ],
    [
      'negative running samples',
      { optimizer: { t: 1, V: arrays(0) }, running: { ...running, samples: -4 } },
      '"training.checkpoint.running.samples" must be a whole number of at least 0',
    ],
    [
      'a best point that is not an object',
      { optimizer: { t: 1, V: arrays(0) }, running, best: 5 },
      '"training.checkpoint.best" must be a JSON object',
    ],
    [
      'a best validation accuracy above 1',
      {
        optimizer: { t: 1, V: arrays(0) },
        running,
        best: { iteration: 1, validationAccuracy: 1.5, validationLoss: 1, pointsSince: 0 },
      },
      '"training.checkpoint.best.validationAccuracy" must be in [0, 1]',
    ],
    [
      'a best point without its loss',
      {
        optimizer: { t: 1, V: arrays(0) },
        running,
        best: { iteration: 1, validationAccuracy: 0.5, pointsSince: 0 },
      },
      '"training.checkpoint.best.validationLoss" must be a finite number',
    ],
    [
      'a negative patience count',
      {
        optimizer: { t: 1, V: arrays(0) },
        running,
        best: { iteration: 1, validationAccuracy: 0.5, validationLoss: 1, pointsSince: -1 },
      },
      '"training.checkpoint.best.pointsSince" must be a whole number of at least 0',
    ],
    [
      'a best iteration of −1',
      {
        optimizer: { t: 1, V: arrays(0) },
        running,
        best: { iteration: -1, validationAccuracy: 0.5, validationLoss: 1, pointsSince: 0 },
      },
      '"training.checkpoint.best.iteration" must be a whole number of at least 0',
    ],
  ])('refuses %s', (_name, checkpoint, expected) => {
    expect(problem(withCheckpoint(checkpoint))).toBe(`${expected}.`);
  });

  it("refuses Adam state without S, and momentum's V for Adam", () => {
    const adam = { kind: 'adam', beta1: 0.9, beta2: 0.99, epsilon: 1e-8, weightDecay: 0 };
    const expected =
      '"training.checkpoint.optimizer" does not hold the state of the adam optimizer.';
    expect(problem(withCheckpoint({ optimizer: { t: 1, M: arrays(0) }, running }, adam))).toBe(
      expected,
    );
    expect(problem(withCheckpoint({ optimizer: { t: 1, V: arrays(0) }, running }, adam))).toBe(
      expected,
    );
    expect(
      problem(withCheckpoint({ optimizer: { t: 1, M: arrays(0), S: arrays(1) }, running }, adam)),
    ).toBeUndefined();
  });
});
