import type { DataSource } from '../data/source.js';
import { dataSourceFromName, RETIRED_EMBEDDED_NAME } from '../data/source.js';
import { MnnError } from '../errors.js';
import { loadModel } from '../model/load.js';
import type { Model, TrainingRecord } from '../model/model.js';
import type { OptimizerKind, OptimizerSettings } from '../train/optimizer.js';
import type { ScheduleKind, ScheduleSettings } from '../train/schedule.js';
import type { Precision } from '../train/engine.js';
import type { TrainState } from '../train/train.js';
import { dataSourceFor } from './data-option.js';
import { typed } from './text.js';
import { resumeState } from './train-record.js';

/** The options of `mnn train` that decide what training computes. */
export interface TrainChoices {
  readonly data?: string;
  readonly limit?: number;
  readonly layers: number[];
  readonly alpha: number;
  readonly lr?: number;
  readonly iters: number;
  readonly epochs?: number;
  readonly seed: number;
  readonly init: 'he' | 'uniform';
  readonly evalEvery?: number;
  readonly batchSize?: number;
  readonly optimizer: OptimizerKind;
  readonly momentum: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  readonly schedule: ScheduleKind;
  readonly lrMin: number;
  readonly stepEvery?: number;
  readonly gamma: number;
  readonly warmup: number;
  readonly dropout: number;
  readonly validation: number;
  readonly earlyStop?: number;
  readonly augment?: number;
  readonly precision: Precision;
  readonly out: string;
}

/** What a resumed run continues from. */
export interface ResumePoint {
  readonly path: string;
  readonly model: Model;
  readonly state: TrainState;
}

/** How long a run is: a number of steps, or of epochs (turned into steps once the data is known). */
export type RunLength = { readonly iterations: number } | { readonly epochs: number };

/** The settings a training run uses, from the options alone or merged with a checkpoint. */
export interface TrainSettings {
  readonly source: DataSource;
  readonly limit?: number;
  readonly layers: number[];
  readonly alpha: number;
  readonly length: RunLength;
  readonly seed: number;
  readonly init: 'he' | 'uniform';
  /** Absent: the default for the run's length (`defaultEvalEvery`). */
  readonly evalEvery?: number;
  readonly batchSize?: number;
  readonly optimizer: OptimizerSettings;
  readonly schedule: ScheduleSettings;
  readonly dropout: number;
  readonly validation: number;
  readonly earlyStop?: number;
  readonly maxShift: number;
  readonly precision: Precision;
  readonly out: string;
  readonly resume?: ResumePoint;
}

/** Tells whether the user typed an option (true) or commander filled in its default (false). */
export type GivenOption = (name: keyof TrainChoices) => boolean;

/** A usage error about how options combine. */
function usage(message: string): MnnError {
  return new MnnError(message, { kind: 'usage' });
}

/** Refuses two options that say the same thing (the run's length, the learning rate). */
function refuseDuplicates(given: GivenOption): void {
  if (given('epochs') && given('iters')) {
    throw usage('--epochs and --iters both set how long to train; give one of them.');
  }
  if (given('lr') && given('alpha')) {
    throw usage('--lr is another name for --alpha; give one of them.');
  }
}

/** Refuses options that belong to another optimizer or schedule than the one chosen. */
function refuseStrayOptions(choices: TrainChoices, given: GivenOption): void {
  const belongs: [keyof TrainChoices, string, boolean][] = [
    ['momentum', '--optimizer momentum', choices.optimizer === 'momentum'],
    ['beta1', '--optimizer adam', choices.optimizer === 'adam'],
    ['beta2', '--optimizer adam', choices.optimizer === 'adam'],
    ['epsilon', '--optimizer adam', choices.optimizer === 'adam'],
    ['lrMin', '--schedule cosine', choices.schedule === 'cosine'],
    ['stepEvery', '--schedule step', choices.schedule === 'step'],
    ['gamma', '--schedule step', choices.schedule === 'step'],
  ];
  for (const [option, owner, applies] of belongs) {
    if (given(option) && !applies) {
      throw usage(
        `${flagOf(option)} applies to ${owner} only; add ${owner} or drop ${flagOf(option)}.`,
      );
    }
  }
  if (choices.schedule === 'step' && choices.stepEvery === undefined) {
    throw usage(
      '--schedule step needs --step-every K, the epochs between decays of the learning rate.',
    );
  }
}

/** The flag of an option name: "lrMin" → "--lr-min", "beta1" → "--beta1". */
function flagOf(option: string): string {
  return `--${option.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/** The optimizer the options describe. */
function optimizerOf(choices: TrainChoices): OptimizerSettings {
  const { weightDecay } = choices;
  if (choices.optimizer === 'momentum')
    return { kind: 'momentum', momentum: choices.momentum, weightDecay };
  if (choices.optimizer === 'adam') {
    const { beta1, beta2, epsilon } = choices;
    return { kind: 'adam', beta1, beta2, epsilon, weightDecay };
  }
  return { kind: 'gd', weightDecay };
}

/** The learning-rate schedule the options describe. */
function scheduleOf(choices: TrainChoices): ScheduleSettings {
  const { warmup } = choices;
  if (choices.schedule === 'cosine') return { kind: 'cosine', lrMin: choices.lrMin, warmup };
  if (choices.schedule === 'step') {
    return { kind: 'step', stepEvery: choices.stepEvery ?? 1, gamma: choices.gamma, warmup };
  }
  return { kind: 'constant', warmup };
}

/** Settings of a fresh run: the options as given, checked for clashes. */
export function freshSettings(choices: TrainChoices, given: GivenOption): TrainSettings {
  refuseDuplicates(given);
  refuseStrayOptions(choices, given);
  return {
    source: dataSourceFor(choices.data),
    limit: choices.limit,
    layers: choices.layers,
    alpha: choices.lr ?? choices.alpha,
    length:
      choices.epochs === undefined ? { iterations: choices.iters } : { epochs: choices.epochs },
    seed: choices.seed,
    init: choices.init,
    evalEvery: choices.evalEvery,
    batchSize: choices.batchSize,
    optimizer: optimizerOf(choices),
    schedule: scheduleOf(choices),
    dropout: choices.dropout,
    validation: choices.validation,
    earlyStop: choices.earlyStop,
    maxShift: choices.augment ?? 0,
    precision: choices.precision,
    out: choices.out,
  };
}

/** The options a resumed run keeps from its file: they decide every step, so they cannot change. */
const FIXED_ON_RESUME: readonly (keyof TrainChoices)[] = [
  'layers',
  'seed',
  'init',
  'limit',
  'batchSize',
  'optimizer',
  'momentum',
  'beta1',
  'beta2',
  'epsilon',
  'weightDecay',
  'schedule',
  'lrMin',
  'stepEvery',
  'gamma',
  'warmup',
  'dropout',
  'validation',
  'earlyStop',
  'augment',
  'precision',
];

/** The value a model file's settings give an option of `mnn train` (undefined: does not apply). */
function recordedOption(settings: TrainSettings, option: keyof TrainChoices): unknown {
  const { optimizer, schedule } = settings;
  const values: Partial<Record<keyof TrainChoices, unknown>> = {
    layers: settings.layers.join(),
    seed: settings.seed,
    init: settings.init,
    limit: settings.limit,
    batchSize: settings.batchSize,
    optimizer: optimizer.kind,
    momentum: optimizer.kind === 'momentum' ? optimizer.momentum : undefined,
    beta1: optimizer.kind === 'adam' ? optimizer.beta1 : undefined,
    beta2: optimizer.kind === 'adam' ? optimizer.beta2 : undefined,
    epsilon: optimizer.kind === 'adam' ? optimizer.epsilon : undefined,
    weightDecay: optimizer.weightDecay,
    schedule: schedule.kind,
    lrMin: schedule.kind === 'cosine' ? schedule.lrMin : undefined,
    stepEvery: schedule.kind === 'step' ? schedule.stepEvery : undefined,
    gamma: schedule.kind === 'step' ? schedule.gamma : undefined,
    warmup: schedule.warmup,
    dropout: settings.dropout,
    validation: settings.validation,
    earlyStop: settings.earlyStop,
    augment: settings.maxShift === 0 ? undefined : settings.maxShift,
    precision: settings.precision,
  };
  return values[option];
}

/** Refuses options that would change a resumed run's course. */
function refuseChanges(
  path: string,
  choices: TrainChoices,
  recorded: TrainSettings,
  given: GivenOption,
): void {
  for (const option of FIXED_ON_RESUME) {
    const chosen = option === 'layers' ? choices.layers.join() : choices[option];
    if (given(option) && chosen !== recordedOption(recorded, option)) {
      throw usage(
        `${flagOf(option)} cannot change when resuming: ${path} continues its own run, which fixed it; drop ${flagOf(option)}, or train a new model without --resume.`,
      );
    }
  }
}

/** The settings a model file records (its options, with its own data set and length). */
function recordedSettings(path: string, model: Model, training: TrainingRecord): TrainSettings {
  return {
    source: dataSourceFromName(training.dataset),
    limit: training.limit,
    layers: [...model.parameters.layerSizes],
    alpha: training.alpha,
    length: { iterations: training.targetIterations },
    seed: training.seed,
    init: training.init,
    evalEvery: training.evalEvery,
    batchSize: training.batchSize,
    optimizer: training.optimizer,
    schedule: training.schedule,
    dropout: training.dropout,
    validation: training.validation,
    earlyStop: training.earlyStop,
    maxShift: training.maxShift,
    precision: training.precision,
    out: path,
  };
}

/** Refuses files that cannot continue exactly: finished runs whose state was not kept, retired data. */
function checkResumable(path: string, training: TrainingRecord, given: GivenOption): void {
  const needsState = training.optimizer.kind !== 'gd' || training.validation > 0;
  if (needsState && training.checkpoint === undefined) {
    const what =
      training.validation > 0
        ? 'its latest weights and optimizer state'
        : `the ${training.optimizer.kind} optimizer's state`;
    throw usage(
      training.complete
        ? `${path} is a finished model, saved without ${what} (only checkpoints keep it), so it cannot continue exactly; train a new model with a longer run (--epochs or --iters).`
        : `${path} lacks ${what}, so it cannot continue exactly; resume from a checkpoint written by ${typed('train')}, or train a new model.`,
    );
  }
  if (training.dataset === RETIRED_EMBEDDED_NAME && !given('data')) {
    throw usage(
      `${path} was trained on the embedded 8 000 digits, which mnn no longer ships; continue it on the full MNIST shipped with mnn with --data packaged (other training samples, so not the same run), or train a new model.`,
    );
  }
}

/** The run length to reach: --iters or --epochs if given, else the file's own target; more than already done. */
function resumedLength(
  path: string,
  training: TrainingRecord,
  choices: TrainChoices,
  given: GivenOption,
): RunLength {
  const done = training.iterations;
  if (given('epochs') && choices.epochs !== undefined) return { epochs: choices.epochs };
  if (!given('iters')) {
    if (training.complete) {
      const example = `--iters ${Math.max(done * 2, done + 1)}`;
      throw usage(
        `${path} is complete (${done} iterations); to train it more, give the new total with --iters, e.g. ${example}.`,
      );
    }
    return training.epochs === undefined
      ? { iterations: training.targetIterations }
      : { epochs: training.epochs };
  }
  if (choices.iters <= done) {
    const example = `--iters ${Math.max(done * 2, done + 1)}`;
    throw usage(
      `${path} has already done ${done} iterations and --iters is the new total; give more than ${done}, e.g. ${example}.`,
    );
  }
  return { iterations: choices.iters };
}

/**
 * Settings of `mnn train --resume FILE`: everything as the file records it, except what may
 * change safely: α (--alpha or --lr), --eval-every, the length (--iters or --epochs, the new
 * total), --data of the same shape (checked once loaded) and --out (default: FILE). Options that
 * fix the run's course (layers, seed, optimizer, batches, …) are refused if they differ.
 */
export function resumeSettings(
  path: string,
  choices: TrainChoices,
  given: GivenOption,
): TrainSettings {
  refuseDuplicates(given);
  const model = loadModel(path);
  const training = model.training;
  if (training === undefined) {
    throw new MnnError(
      `${path} has no training record, so it cannot be resumed; train a new model with \`${typed('train')}\`.`,
    );
  }
  checkResumable(path, training, given);
  const recorded = recordedSettings(path, model, training);
  refuseChanges(path, choices, recorded, given);
  return {
    ...recorded,
    alpha: given('alpha') || given('lr') ? (choices.lr ?? choices.alpha) : training.alpha,
    evalEvery: given('evalEvery') ? choices.evalEvery : training.evalEvery,
    length: resumedLength(path, training, choices, given),
    out: given('out') ? choices.out : path,
    source: given('data') ? dataSourceFor(choices.data) : recorded.source,
    resume: { path, model, state: resumeState(model, training) },
  };
}
