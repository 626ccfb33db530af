import { MnnError } from '../errors.js';
import type { Parameters } from '../nn/parameters.js';
import type { OptimizerSettings, ScheduleSettings } from '../nn/training-settings.js';

/** The format name and version written into every model file (ARCHITECTURE.md, "Model file"). */
export const MODEL_FORMAT = 'mnn-model';
/** Version 2 adds mini-batch training: its options, the optimizer, and checkpoints' state. */
export const MODEL_VERSION = 2;

/** The number format training computed in (src/train's Precision). */
export type PrecisionRecord = 'f32' | 'f64';

/** One point of the training history as the model file records it (src/train's HistoryPoint). */
export interface HistoryPoint {
  readonly iteration: number;
  /** Mean cross-entropy on the training samples (for mini-batches: over the batches since the last point). */
  readonly loss: number;
  /** Fractions in [0, 1]. */
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  readonly validationAccuracy?: number;
  readonly validationLoss?: number;
}

/** The update rule and its hyper-parameters, as recorded (the trainer's OptimizerSettings). */
export type OptimizerRecord = OptimizerSettings;

/** The learning-rate schedule, as recorded (the trainer's ScheduleSettings). */
export type ScheduleRecord = ScheduleSettings;

/**
 * What a checkpoint holds besides the model's weights, to continue exactly (written only while
 * training is incomplete: finished models leave it out, since Adam's state doubles the file).
 */
export interface CheckpointRecord {
  /** The parameters the next step starts from, when the model's weights are the best-so-far instead. */
  readonly parameters?: Parameters;
  /** Steps taken t and the optimizer's arrays (momentum: V; Adam: M and S). */
  readonly optimizer: {
    readonly t: number;
    readonly V?: Parameters;
    readonly M?: Parameters;
    readonly S?: Parameters;
  };
  /** The best point on validation so far (its parameters are the model's weights). */
  readonly best?: {
    readonly iteration: number;
    readonly validationAccuracy: number;
    readonly validationLoss: number;
    readonly pointsSince: number;
  };
  /** Loss and correct counts of the batches since the last history point. */
  readonly running: {
    readonly lossSum: number;
    readonly correct: number;
    readonly samples: number;
  };
}

/** How a model was trained: enough to reproduce it, resume it, and evaluate it on the same data. */
export interface TrainingRecord {
  /** "packaged" (the MNIST shipped with mnn), "embedded" (retired), or an IDX directory's absolute path. */
  readonly dataset: string;
  /** Training samples used (validation included). */
  readonly samples: number;
  /** Only the first this many training samples were used, when set. */
  readonly limit?: number;
  readonly alpha: number;
  /** Steps (iterations) done so far. */
  readonly iterations: number;
  /** Steps asked for; `iterations` reaches it unless early stopping ended the run. */
  readonly targetIterations: number;
  /** The run's length as asked in epochs, when it was. */
  readonly epochs?: number;
  readonly seed: number;
  readonly init: 'he' | 'uniform';
  readonly evalEvery: number;
  /** Samples per step; absent: the whole training set (full batch). */
  readonly batchSize?: number;
  readonly optimizer: OptimizerRecord;
  readonly schedule: ScheduleRecord;
  /** Dropout rate p on hidden layers (0: none). */
  readonly dropout: number;
  /** Training samples held out for validation (0: none). */
  readonly validation: number;
  /** Early-stopping patience in history points, when set. */
  readonly earlyStop?: number;
  /** Augmentation: shifts of up to this many pixels (0: none). */
  readonly maxShift: number;
  /** What forward and backward computed in; files written before it existed: 'f64'. */
  readonly precision: PrecisionRecord;
  /** Of the history point of the saved weights (the best on validation when there is a validation set). */
  readonly loss?: number;
  readonly trainAccuracy?: number;
  readonly testAccuracy?: number;
  readonly validationAccuracy?: number;
  readonly seconds: number;
  /** False for a checkpoint written before the last step. */
  readonly complete: boolean;
  /** True when early stopping ended training. */
  readonly stoppedEarly: boolean;
  readonly history: readonly HistoryPoint[];
  /** Present in checkpoints only. */
  readonly checkpoint?: CheckpointRecord;
}

/** Describes the input the network expects: width × height pixels, each divided by `scale`. */
export interface InputDescription {
  readonly width: number;
  readonly height: number;
  readonly scale: number;
}

/** A trained network with everything needed to use it and explain where it came from. */
export interface Model {
  readonly parameters: Parameters;
  /** Class names in output order: "0"…"9" for MNIST, clothing names for Fashion-MNIST. */
  readonly labels: readonly string[];
  readonly input: InputDescription;
  readonly training?: TrainingRecord;
  readonly createdBy: string;
  readonly createdAt: string;
}

/** The activation of each layer ℓ = 1..L: ReLU for hidden layers, softmax at the output (docs/math.md). */
export function layerActivations(layerCount: number): string[] {
  return Array.from({ length: layerCount }, (_, index) =>
    index === layerCount - 1 ? 'softmax' : 'relu',
  );
}

/**
 * Model files above this size are refused before reading: parsing JSON takes about 3.5 times the
 * file's size in memory, so 200 MB keeps loading a model under 1 GB.
 */
export const MAX_MODEL_FILE_BYTES = 200_000_000;
/**
 * The most parameters a network may have: written in the longest form (24 characters and a comma
 * per number), 8 million fit in MAX_MODEL_FILE_BYTES, so every model mnn saves loads back.
 */
export const MAX_MODEL_PARAMETERS = 8_000_000;
/** Bytes a parameter takes in a model file at most (the longest float64 and a comma). */
const MAX_BYTES_PER_PARAMETER = 25;

/** The number of weights and biases of a network: Σ n_ℓ (n_{ℓ−1} + 1). */
export function parameterCount(layerSizes: readonly number[]): number {
  let count = 0;
  for (let l = 1; l < layerSizes.length; l++) count += layerSizes[l] * (layerSizes[l - 1] + 1);
  return count;
}

/** What of a run decides how many parameter-shaped arrays its model files hold. */
export interface SavedArrays {
  readonly optimizer: 'gd' | 'momentum' | 'adam';
  /** With a validation set, a checkpoint keeps the latest parameters beside the best. */
  readonly validation: boolean;
}

/**
 * How many parameter-shaped arrays a run's model file holds at most (a checkpoint's): W and b,
 * the latest parameters beside the best (with validation), and the optimizer's V, or M and S.
 */
export function savedParameterCopies(arrays: SavedArrays): number {
  const optimizerState = { gd: 0, momentum: 1, adam: 2 }[arrays.optimizer];
  return 1 + (arrays.validation ? 1 : 0) + optimizerState;
}

/**
 * Refuses, with an MnnError of kind 'limit', a network whose model file could not be loaded back;
 * `copies` parameter-shaped arrays are saved (savedParameterCopies, 1 for the paper's run).
 */
export function checkParameterCount(layerSizes: readonly number[], copies = 1): void {
  const count = parameterCount(layerSizes);
  if (count * copies <= MAX_MODEL_PARAMETERS) return;
  const fileBytes = count * copies * MAX_BYTES_PER_PARAMETER;
  const held =
    copies === 1
      ? ''
      : ` (its checkpoints hold ${copies} arrays of that size: the parameters, the optimizer's state and, with validation, the best so far)`;
  throw new MnnError(
    `a ${layerSizes.join('-')} network has ${(count / 1e6).toFixed(1)} million parameters${held}, over the limit of ${MAX_MODEL_PARAMETERS / 1e6} million: ` +
      `its model file (up to ${Math.round(fileBytes / 1e7) * 10} MB) could not be loaded back, as model files are limited to ${MAX_MODEL_FILE_BYTES / 1e6} MB to fit in memory`,
    { kind: 'limit', option: 'layerSizes', hint: 'use smaller layers' },
  );
}

/** Bytes one history point takes in a model file at most: an object of four numbers. */
const MAX_BYTES_PER_HISTORY_POINT = 128;

/** How often a run records its history, to size what its model file will hold. */
export interface HistoryPlan {
  readonly iterations: number;
  /** A point every this many iterations (plus the first and the last). */
  readonly evalEvery: number;
}

/**
 * Refuses, with an MnnError of kind 'limit', a run whose history would make its model file too
 * large to load back (a point every iteration of millions of iterations); `copies` as for
 * checkParameterCount.
 */
export function checkHistorySize(
  layerSizes: readonly number[],
  plan: HistoryPlan,
  copies = 1,
): void {
  const points = Math.floor(plan.iterations / plan.evalEvery) + 2;
  const fileBytes =
    parameterCount(layerSizes) * copies * MAX_BYTES_PER_PARAMETER +
    points * MAX_BYTES_PER_HISTORY_POINT;
  if (fileBytes <= MAX_MODEL_FILE_BYTES) return;
  throw new MnnError(
    `recording the history every ${plan.evalEvery} iteration(s) for ${plan.iterations} iterations (${points} points) would make the model file up to ${Math.round(fileBytes / 1e6)} MB, ` +
      `over the ${MAX_MODEL_FILE_BYTES / 1e6} MB model files are limited to so that they load back in memory`,
    { kind: 'limit', option: 'evalEvery', hint: 'record the history less often' },
  );
}
