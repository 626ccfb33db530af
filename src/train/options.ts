import { MnnError } from '../errors.js';
import { layerSizesProblem } from '../nn/parameters.js';
import type { Dataset } from '../data/dataset.js';
import type { OptimizerSettings } from './optimizer.js';
import type { ScheduleSettings } from './schedule.js';
import type { TrainOptions } from './train.js';

/** Whether a value is a whole number in [min, max]. */
function isWhole(value: number, min: number, max = Number.MAX_SAFE_INTEGER): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** The MnnError for an option that cannot work, naming the option for front ends. */
function badOption(option: string, problem: string): MnnError {
  return new MnnError(`${option} ${problem}`, { kind: 'usage', option });
}

/** Throws a usage MnnError with `message` about `details.option` unless `valid`. */
function ensure(
  valid: boolean,
  details: { readonly option: string; readonly hint?: string },
  message: string,
): void {
  if (!valid) throw new MnnError(message, { kind: 'usage', ...details });
}

/** True for a number in [0, 1), the range of rates and decay factors. */
function isFraction(value: number): boolean {
  return value >= 0 && value < 1;
}

/** Checks the optimizer's hyper-parameters (docs/math.md, Beyond the paper). */
function checkOptimizer(optimizer: OptimizerSettings): void {
  ensure(
    optimizer.weightDecay >= 0 && Number.isFinite(optimizer.weightDecay),
    { option: 'weightDecay' },
    `weight decay must be a number of at least 0, got ${optimizer.weightDecay}`,
  );
  if (optimizer.kind === 'momentum') {
    ensure(
      isFraction(optimizer.momentum),
      { option: 'momentum' },
      `momentum must be in [0, 1), got ${optimizer.momentum}`,
    );
  }
  if (optimizer.kind === 'adam') {
    ensure(
      isFraction(optimizer.beta1),
      { option: 'beta1' },
      `β₁ must be in [0, 1), got ${optimizer.beta1}`,
    );
    ensure(
      isFraction(optimizer.beta2),
      { option: 'beta2' },
      `β₂ must be in [0, 1), got ${optimizer.beta2}`,
    );
    ensure(
      optimizer.epsilon > 0 && Number.isFinite(optimizer.epsilon),
      { option: 'epsilon' },
      `ε must be a number above 0, got ${optimizer.epsilon}`,
    );
  }
}

/** Checks the learning-rate schedule against α and the run's length. */
function checkSchedule(schedule: ScheduleSettings, alpha: number, iterations: number): void {
  ensure(
    isWhole(schedule.warmup, 0, iterations),
    { option: 'warmup' },
    `the warm-up must be a whole number of steps from 0 to the run's ${iterations}, got ${schedule.warmup}`,
  );
  if (schedule.kind === 'cosine') {
    ensure(
      schedule.lrMin >= 0 && schedule.lrMin <= alpha,
      { option: 'lrMin' },
      `the cosine schedule's final learning rate must be from 0 to α = ${alpha}, got ${schedule.lrMin}`,
    );
  }
  if (schedule.kind === 'step') {
    ensure(
      isWhole(schedule.stepEvery, 1),
      { option: 'stepEvery' },
      `the step schedule decays every k epochs, k a whole number of at least 1; got ${schedule.stepEvery}`,
    );
    ensure(
      schedule.gamma > 0 && schedule.gamma <= 1,
      { option: 'gamma' },
      `the step schedule's factor γ must be in (0, 1], got ${schedule.gamma}`,
    );
  }
}

/**
 * Refuses training options that cannot work, before any work is done: each problem is an
 * MnnError of kind 'usage' naming the option (the CLI checks its flags earlier, in its words).
 * With the training set, also what must fit it (the validation set, the shifts).
 */
export function checkTrainOptions(options: TrainOptions, train?: Dataset): void {
  const layers = layerSizesProblem(options.layerSizes);
  if (layers !== undefined)
    throw badOption('layerSizes', `[${options.layerSizes.join(', ')}]: ${layers}`);
  if (!(options.alpha > 0) || !Number.isFinite(options.alpha)) {
    throw badOption('alpha', `must be a learning rate above 0, got ${options.alpha}`);
  }
  if (!isWhole(options.iterations, 0)) {
    throw badOption(
      'iterations',
      `must be a whole number of at least 0, got ${options.iterations}`,
    );
  }
  if (!isWhole(options.seed, 0, 2 ** 32 - 1)) {
    throw badOption('seed', `must be a whole number from 0 to 2³² − 1, got ${options.seed}`);
  }
  if (options.init !== 'he' && options.init !== 'uniform') {
    throw badOption('init', `must be 'he' or 'uniform', got ${String(options.init)}`);
  }
  if (!isWhole(options.evalEvery, 1)) {
    throw badOption('evalEvery', `must be a whole number of at least 1, got ${options.evalEvery}`);
  }
  if (options.checkpointEvery !== undefined && !isWhole(options.checkpointEvery, 0)) {
    throw badOption(
      'checkpointEvery',
      `must be a whole number of at least 0, got ${options.checkpointEvery}`,
    );
  }
  checkBeyondThePaper(options);
  if (train !== undefined) checkFitsData(options, train);
}

/** The mini-batch options (docs/math.md, Beyond the paper) that need no data to check. */
function checkBeyondThePaper(options: TrainOptions): void {
  const { dropout = 0, batchSize, earlyStop, validation = 0 } = options;
  if (batchSize !== undefined) {
    ensure(
      isWhole(batchSize, 1),
      { option: 'batchSize' },
      `the batch size must be a whole number of at least 1, got ${batchSize}`,
    );
  }
  ensure(
    isFraction(dropout),
    { option: 'dropout' },
    `the dropout rate must be in [0, 1), got ${dropout}`,
  );
  ensure(
    dropout === 0 || options.layerSizes.length > 2,
    { option: 'dropout', hint: 'add a hidden layer or leave dropout out' },
    `dropout applies to hidden layers, and ${options.layerSizes.join('-')} has none`,
  );
  if (earlyStop !== undefined) {
    ensure(
      isWhole(earlyStop, 1),
      { option: 'earlyStop' },
      `the early-stopping patience must be a whole number of at least 1, got ${earlyStop}`,
    );
    ensure(
      validation > 0,
      { option: 'validation', hint: 'hold out a validation set' },
      'early stopping watches the validation set, and there is none',
    );
  }
  if (options.optimizer) checkOptimizer(options.optimizer);
  if (options.schedule) checkSchedule(options.schedule, options.alpha, options.iterations);
}

/** The options that must fit the training set: a validation set smaller than it, shifts smaller than its images. */
function checkFitsData(options: TrainOptions, train: Dataset): void {
  const { validation = 0, maxShift = 0 } = options;
  ensure(
    isWhole(validation, 0, train.count - 1),
    { option: 'validation', hint: `hold out fewer than ${train.count}` },
    `a validation set of ${validation} samples leaves none of the ${train.count} training samples to train on`,
  );
  const side = Math.min(train.rows, train.cols);
  ensure(
    isWhole(maxShift, 0, side - 1),
    { option: 'augment', hint: `shift by at most ${side - 1}` },
    `shifts of up to ${maxShift} pixels do not fit ${train.cols}×${train.rows} images`,
  );
}
