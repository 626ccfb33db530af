import type { Dataset } from '../data/dataset.js';
import { dataSourceName } from '../data/source.js';
import { createModel } from '../model/create.js';
import type { CheckpointRecord, Model, TrainingRecord } from '../model/model.js';
import { PIXEL_SCALE } from '../nn/input.js';
import type { TrainResult, TrainState } from '../train/train.js';
import type { TrainSettings } from './resume.js';

/** A run's settings resolved against its data: total steps and history spacing. */
export interface ResolvedRun {
  readonly settings: TrainSettings;
  readonly iterations: number;
  readonly evalEvery: number;
  readonly stepsPerEpoch: number;
  readonly labels: readonly string[];
  readonly trainSet: Dataset;
}

/** What a checkpoint keeps besides the model's weights, so that training continues exactly. */
function checkpointOf(result: TrainResult, run: ResolvedRun): CheckpointRecord {
  const best = result.best;
  return {
    // With a validation set the model's weights are the best so far; the next step needs the latest.
    parameters: run.settings.validation > 0 ? result.parameters : undefined,
    optimizer: result.optimizer ?? { t: result.iteration },
    best: best && {
      iteration: best.iteration,
      validationAccuracy: best.validationAccuracy,
      validationLoss: best.validationLoss,
      pointsSince: best.pointsSince,
    },
    running: result.running ?? { lossSum: 0, correct: 0, samples: 0 },
  };
}

/** The training record of a run: its options, where it stands, and (until complete) its state. */
function trainingRecord(result: TrainResult, run: ResolvedRun): TrainingRecord {
  const { settings } = run;
  const complete = result.iteration >= run.iterations || result.stoppedEarly;
  const summary = result.summary;
  return {
    dataset: dataSourceName(settings.source),
    samples: run.trainSet.count,
    limit: settings.limit,
    alpha: settings.alpha,
    iterations: result.iteration,
    targetIterations: run.iterations,
    epochs: 'epochs' in settings.length ? settings.length.epochs : undefined,
    seed: settings.seed,
    init: settings.init,
    evalEvery: run.evalEvery,
    batchSize: settings.batchSize,
    optimizer: settings.optimizer,
    schedule: settings.schedule,
    dropout: settings.dropout,
    validation: settings.validation,
    earlyStop: settings.earlyStop,
    maxShift: settings.maxShift,
    loss: summary?.loss,
    trainAccuracy: summary?.trainAccuracy,
    testAccuracy: summary?.testAccuracy,
    validationAccuracy: summary?.validationAccuracy,
    seconds: result.seconds,
    complete,
    stoppedEarly: result.stoppedEarly,
    history: result.history,
    checkpoint: complete ? undefined : checkpointOf(result, run),
  };
}

/**
 * The model file for where training stands: the selected weights (the best on validation when
 * there is a validation set), and while incomplete, the state to continue exactly.
 */
export function modelOf(result: TrainResult, run: ResolvedRun): Model {
  const { trainSet } = run;
  return createModel(result.selected, {
    labels: run.labels,
    input: { width: trainSet.cols, height: trainSet.rows, scale: PIXEL_SCALE },
    training: trainingRecord(result, run),
  });
}

/**
 * Where a resumed run starts: the checkpoint's state (optimizer, best so far, running totals) and
 * its current parameters, which are the file's weights unless those are the best-so-far.
 */
export function resumeState(model: Model, training: TrainingRecord): TrainState {
  const checkpoint = training.checkpoint;
  return {
    parameters: checkpoint?.parameters ?? model.parameters,
    iteration: training.iterations,
    history: training.history,
    seconds: training.seconds,
    optimizer: checkpoint?.optimizer,
    best: checkpoint?.best && { ...checkpoint.best, parameters: model.parameters },
    running: checkpoint?.running,
  };
}
