import { describe, expect, it } from 'vitest';
import { MnnError } from '../../src/errors.js';
import { checkTrainOptions } from '../../src/train/options.js';
import type { TrainOptions } from '../../src/train/train.js';
import { randomDataset } from '../helpers/random-data.js';

// checkTrainOptions at each edge: the last value accepted and the first refused, each refusal a
// usage MnnError naming the option, with its exact message.

const base: TrainOptions = {
  layerSizes: [9, 4, 3],
  alpha: 0.1,
  iterations: 20,
  seed: 1,
  init: 'he',
  evalEvery: 5,
};

/** 10 training samples of 3 rows × 5 columns (shifts must stay under 3). */
const train = randomDataset({ count: 10, rows: 3, cols: 5 });

/** The error checkTrainOptions throws for `changes` to the base options (undefined if none). */
function refusal(changes: Partial<TrainOptions>): MnnError | undefined {
  try {
    checkTrainOptions({ ...base, ...changes }, train);
  } catch (error) {
    if (error instanceof MnnError) return error;
    throw error;
  }
  return undefined;
}

const adam = { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 } as const;
const momentum = { kind: 'momentum', momentum: 0.9, weightDecay: 0 } as const;

describe('checkTrainOptions accepts the edges of every range', () => {
  it.each<[string, Partial<TrainOptions>]>([
    ['the base options', {}],
    ['a network without hidden layers', { layerSizes: [9, 3] }],
    ['the smallest positive α', { alpha: Number.MIN_VALUE }],
    ['0 iterations', { iterations: 0 }],
    ['seed 0', { seed: 0 }],
    ['seed 2³² − 1', { seed: 2 ** 32 - 1 }],
    ['uniform initialization', { init: 'uniform' }],
    ['float32 arithmetic', { precision: 'f32' }],
    ['float64 arithmetic, named', { precision: 'f64' }],
    ['evalEvery 1', { evalEvery: 1 }],
    ['checkpointEvery 0', { checkpointEvery: 0 }],
    ['batch size 1', { batchSize: 1 }],
    ['dropout just under 1', { dropout: 0.999 }],
    ['patience 1 with a validation set', { earlyStop: 1, validation: 1 }],
    ['a validation set one short of the training set', { validation: 9 }],
    ['shifts one short of the shorter side', { maxShift: 2 }],
    ['momentum 0', { optimizer: { ...momentum, momentum: 0 } }],
    [
      'β₁ and β₂ 0, the smallest ε',
      { optimizer: { ...adam, beta1: 0, beta2: 0, epsilon: 5e-324 } },
    ],
    ['weight decay 0 and large', { optimizer: { kind: 'gd', weightDecay: 1e6 } }],
    ['a warm-up over the whole run', { schedule: { kind: 'constant', warmup: 20 } }],
    ['cosine down to 0', { schedule: { kind: 'cosine', lrMin: 0, warmup: 0 } }],
    ['cosine down to α itself', { schedule: { kind: 'cosine', lrMin: 0.1, warmup: 0 } }],
    ['step every epoch, γ = 1', { schedule: { kind: 'step', stepEvery: 1, gamma: 1, warmup: 0 } }],
  ])('%s', (_name, changes) => {
    expect(refusal(changes)).toBeUndefined();
  });
});

describe('checkTrainOptions refuses, naming the option', () => {
  it.each<[string, Partial<TrainOptions>, string, string]>([
    [
      'one layer',
      { layerSizes: [9] },
      'layerSizes',
      'layerSizes [9]: a network needs at least two layer sizes (input and output)',
    ],
    [
      'a layer of 0',
      { layerSizes: [9, 0, 3] },
      'layerSizes',
      'layerSizes [9, 0, 3]: entry 2 (0) must be a whole number from 1 to 100000',
    ],
    ['α = 0', { alpha: 0 }, 'alpha', 'alpha must be a learning rate above 0, got 0'],
    ['α = NaN', { alpha: NaN }, 'alpha', 'alpha must be a learning rate above 0, got NaN'],
    [
      'α = Infinity',
      { alpha: Infinity },
      'alpha',
      'alpha must be a learning rate above 0, got Infinity',
    ],
    [
      'negative iterations',
      { iterations: -1 },
      'iterations',
      'iterations must be a whole number of at least 0, got -1',
    ],
    [
      'fractional iterations',
      { iterations: 1.5 },
      'iterations',
      'iterations must be a whole number of at least 0, got 1.5',
    ],
    ['seed −1', { seed: -1 }, 'seed', 'seed must be a whole number from 0 to 2³² − 1, got -1'],
    [
      'seed 2³²',
      { seed: 2 ** 32 },
      'seed',
      'seed must be a whole number from 0 to 2³² − 1, got 4294967296',
    ],
    [
      'an unknown init',
      { init: 'xavier' as 'he' },
      'init',
      "init must be 'he' or 'uniform', got xavier",
    ],
    [
      'an unknown precision',
      { precision: 'f16' as 'f32' },
      'precision',
      "precision must be 'f64' or 'f32', got f16",
    ],
    [
      'evalEvery 0',
      { evalEvery: 0 },
      'evalEvery',
      'evalEvery must be a whole number of at least 1, got 0',
    ],
    [
      'checkpointEvery −1',
      { checkpointEvery: -1 },
      'checkpointEvery',
      'checkpointEvery must be a whole number of at least 0, got -1',
    ],
    [
      'batch size 0',
      { batchSize: 0 },
      'batchSize',
      'the batch size must be a whole number of at least 1, got 0',
    ],
    [
      'batch size 2.5',
      { batchSize: 2.5 },
      'batchSize',
      'the batch size must be a whole number of at least 1, got 2.5',
    ],
    ['dropout 1', { dropout: 1 }, 'dropout', 'the dropout rate must be in [0, 1), got 1'],
    ['dropout −0.1', { dropout: -0.1 }, 'dropout', 'the dropout rate must be in [0, 1), got -0.1'],
    [
      'patience 0',
      { earlyStop: 0, validation: 1 },
      'earlyStop',
      'the early-stopping patience must be a whole number of at least 1, got 0',
    ],
    [
      'a validation set as large as the training set',
      { validation: 10 },
      'validation',
      'a validation set of 10 samples leaves none of the 10 training samples to train on',
    ],
    [
      'a negative validation set',
      { validation: -1 },
      'validation',
      'a validation set of -1 samples leaves none of the 10 training samples to train on',
    ],
    [
      'shifts as large as the shorter side',
      { maxShift: 3 },
      'augment',
      'shifts of up to 3 pixels do not fit 5×3 images',
    ],
    [
      'negative shifts',
      { maxShift: -1 },
      'augment',
      'shifts of up to -1 pixels do not fit 5×3 images',
    ],
    [
      'negative weight decay',
      { optimizer: { kind: 'gd', weightDecay: -0.01 } },
      'weightDecay',
      'weight decay must be a number of at least 0, got -0.01',
    ],
    [
      'infinite weight decay',
      { optimizer: { ...momentum, weightDecay: Infinity } },
      'weightDecay',
      'weight decay must be a number of at least 0, got Infinity',
    ],
    [
      'momentum 1',
      { optimizer: { ...momentum, momentum: 1 } },
      'momentum',
      'momentum must be in [0, 1), got 1',
    ],
    [
      'momentum −0.5',
      { optimizer: { ...momentum, momentum: -0.5 } },
      'momentum',
      'momentum must be in [0, 1), got -0.5',
    ],
    ['β₁ = 1', { optimizer: { ...adam, beta1: 1 } }, 'beta1', 'β₁ must be in [0, 1), got 1'],
    ['β₂ = 1', { optimizer: { ...adam, beta2: 1 } }, 'beta2', 'β₂ must be in [0, 1), got 1'],
    [
      'ε = 0',
      { optimizer: { ...adam, epsilon: 0 } },
      'epsilon',
      'ε must be a number above 0, got 0',
    ],
    [
      'ε = Infinity',
      { optimizer: { ...adam, epsilon: Infinity } },
      'epsilon',
      'ε must be a number above 0, got Infinity',
    ],
    [
      'a warm-up longer than the run',
      { schedule: { kind: 'constant', warmup: 21 } },
      'warmup',
      "the warm-up must be a whole number of steps from 0 to the run's 20, got 21",
    ],
    [
      'a negative warm-up',
      { schedule: { kind: 'step', stepEvery: 1, gamma: 0.5, warmup: -1 } },
      'warmup',
      "the warm-up must be a whole number of steps from 0 to the run's 20, got -1",
    ],
    [
      'cosine above α',
      { schedule: { kind: 'cosine', lrMin: 0.2, warmup: 0 } },
      'lrMin',
      "the cosine schedule's final learning rate must be from 0 to α = 0.1, got 0.2",
    ],
    [
      'cosine below 0',
      { schedule: { kind: 'cosine', lrMin: -0.01, warmup: 0 } },
      'lrMin',
      "the cosine schedule's final learning rate must be from 0 to α = 0.1, got -0.01",
    ],
    [
      'step every 0 epochs',
      { schedule: { kind: 'step', stepEvery: 0, gamma: 0.5, warmup: 0 } },
      'stepEvery',
      'the step schedule decays every k epochs, k a whole number of at least 1; got 0',
    ],
    [
      'γ = 0',
      { schedule: { kind: 'step', stepEvery: 1, gamma: 0, warmup: 0 } },
      'gamma',
      "the step schedule's factor γ must be in (0, 1], got 0",
    ],
    [
      'γ above 1',
      { schedule: { kind: 'step', stepEvery: 1, gamma: 1.5, warmup: 0 } },
      'gamma',
      "the step schedule's factor γ must be in (0, 1], got 1.5",
    ],
  ])('%s', (_name, changes, option, message) => {
    const error = refusal(changes);
    expect(error?.message).toBe(message);
    expect(error?.option).toBe(option);
    expect(error?.kind).toBe('usage');
  });

  it('says what to do where the fix is not just another value', () => {
    expect(refusal({ layerSizes: [9, 3], dropout: 0.5 })).toMatchObject({
      message: 'dropout applies to hidden layers, and 9-3 has none',
      option: 'dropout',
      hint: 'add a hidden layer or leave dropout out',
    });
    expect(refusal({ earlyStop: 2 })).toMatchObject({
      message: 'early stopping watches the validation set, and there is none',
      option: 'validation',
      hint: 'hold out a validation set',
    });
    expect(refusal({ validation: 10 })?.hint).toBe('hold out fewer than 10');
    expect(refusal({ maxShift: 3 })?.hint).toBe('shift by at most 2');
  });

  it('checks without a training set what needs none, and only that', () => {
    expect(() => checkTrainOptions({ ...base, validation: 50, maxShift: 40 })).not.toThrow();
    expect(() => checkTrainOptions({ ...base, alpha: -1 })).toThrow(MnnError);
  });
});
