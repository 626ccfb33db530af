import type { Parameters } from '../nn/parameters.js';

/** The format name and version written into every model file (ARCHITECTURE.md, "Model file"). */
export const MODEL_FORMAT = 'mnn-model';
/** Version 2 adds mini-batch training: its options, the optimizer, and checkpoints' state. */
export const MODEL_VERSION = 2;

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

/** The update rule and its hyper-parameters, as recorded (src/train's OptimizerSettings). */
export type OptimizerRecord =
  | { readonly kind: 'gd'; readonly weightDecay: number }
  | { readonly kind: 'momentum'; readonly momentum: number; readonly weightDecay: number }
  | {
      readonly kind: 'adam';
      readonly beta1: number;
      readonly beta2: number;
      readonly epsilon: number;
      readonly weightDecay: number;
    };

/** The learning-rate schedule, as recorded (src/train's ScheduleSettings). */
export type ScheduleRecord =
  | { readonly kind: 'constant'; readonly warmup: number }
  | { readonly kind: 'cosine'; readonly lrMin: number; readonly warmup: number }
  | {
      readonly kind: 'step';
      readonly stepEvery: number;
      readonly gamma: number;
      readonly warmup: number;
    };

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
