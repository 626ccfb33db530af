import {
  asObject,
  isWholeNumber,
  printable,
  readParameters,
  type Fail,
  type Json,
  type JsonObject,
} from './json-read.js';
import type {
  CheckpointRecord,
  HistoryPoint,
  OptimizerRecord,
  PrecisionRecord,
  ScheduleRecord,
  TrainingRecord,
} from './model.js';

/** What reading a training record needs to know about the file: the network's layer sizes. */
interface RecordContext {
  readonly layerSizes: number[];
}

/** Typed readers of one JSON object's fields, each failing with the field's full name. */
function fieldReader(object: JsonObject, where: string, fail: Fail) {
  const name = (key: string) => `"${where}${key}"`;
  return {
    /** A finite number, or `fallback` when absent. */
    number(key: string, fallback?: number): number {
      const field = object[key];
      if (field === undefined && fallback !== undefined) return fallback;
      if (typeof field !== 'number' || !Number.isFinite(field)) {
        return fail(`${name(key)} must be a finite number`);
      }
      return field;
    },
    /** A finite number in [low, high) (or [low, high] when `closed`), or `fallback` when absent. */
    range(key: string, low: number, high: number, fallback?: number, closed = false): number {
      const value = this.number(key, fallback);
      if (value < low || value > high || (!closed && value === high)) {
        return fail(`${name(key)} must be in [${low}, ${high}${closed ? ']' : ')'}`);
      }
      return value;
    },
    /** A whole number of at least `min`, or `fallback` when absent. */
    whole(key: string, min: number, fallback?: number): number {
      const field = object[key];
      if (field === undefined && fallback !== undefined) return fallback;
      if (!isWholeNumber(field, min)) {
        return fail(`${name(key)} must be a whole number of at least ${min}`);
      }
      return field;
    },
    /** A whole number of at least `min`, or undefined when absent. */
    optionalWhole(key: string, min: number): number | undefined {
      return object[key] === undefined ? undefined : this.whole(key, min);
    },
  };
}

/** Reads the recorded optimizer; version 1 files trained with plain gradient descent. */
function readOptimizer(value: Json | undefined, fail: Fail): OptimizerRecord {
  if (value === undefined) return { kind: 'gd', weightDecay: 0 };
  const object = asObject(value, '"training.optimizer"', fail);
  const field = fieldReader(object, 'training.optimizer.', fail);
  const weightDecay = field.range('weightDecay', 0, Infinity);
  if (object.kind === 'gd') return { kind: 'gd', weightDecay };
  if (object.kind === 'momentum') {
    return { kind: 'momentum', momentum: field.range('momentum', 0, 1), weightDecay };
  }
  if (object.kind === 'adam') {
    return {
      kind: 'adam',
      beta1: field.range('beta1', 0, 1),
      beta2: field.range('beta2', 0, 1),
      epsilon: field.range('epsilon', Number.MIN_VALUE, Infinity),
      weightDecay,
    };
  }
  return fail('"training.optimizer.kind" must be "gd", "momentum" or "adam"');
}

/** Reads the recorded learning-rate schedule; version 1 files used a constant α. */
function readSchedule(value: Json | undefined, fail: Fail): ScheduleRecord {
  if (value === undefined) return { kind: 'constant', warmup: 0 };
  const object = asObject(value, '"training.schedule"', fail);
  const field = fieldReader(object, 'training.schedule.', fail);
  const warmup = field.whole('warmup', 0, 0);
  if (object.kind === 'constant') return { kind: 'constant', warmup };
  if (object.kind === 'cosine')
    return { kind: 'cosine', lrMin: field.range('lrMin', 0, Infinity), warmup };
  if (object.kind === 'step') {
    return {
      kind: 'step',
      stepEvery: field.whole('stepEvery', 1),
      gamma: field.range('gamma', Number.MIN_VALUE, 1, undefined, true),
      warmup,
    };
  }
  return fail('"training.schedule.kind" must be "constant", "cosine" or "step"');
}

/** Reads one history point; the validation fields are optional. */
function readHistoryPoint(value: Json, fail: Fail): HistoryPoint {
  const point = asObject(value, '"training.history" entries', fail);
  const field = (key: string): number => {
    const number = point[key];
    return typeof number === 'number'
      ? number
      : fail(`"training.history" entry lacks a number "${key}"`);
  };
  const optional = (key: string) => (point[key] === undefined ? {} : { [key]: field(key) });
  return {
    iteration: field('iteration'),
    loss: field('loss'),
    trainAccuracy: field('trainAccuracy'),
    testAccuracy: field('testAccuracy'),
    ...optional('validationAccuracy'),
    ...optional('validationLoss'),
  };
}

/**
 * Reads the parameter-shaped arrays at `key` of a checkpoint object, if present; optimizer state
 * (`bounded` false) may hold numbers larger than a working network's weights.
 */
function optionalParameters(
  object: JsonObject,
  key: string,
  where: string,
  { layerSizes }: RecordContext,
  fail: Fail,
  bounded = true,
) {
  const value = object[key];
  if (value === undefined) return undefined;
  const arrays = asObject(value, `"${where}${key}"`, fail);
  const maxMagnitude = bounded ? undefined : Number.MAX_VALUE;
  return readParameters(arrays, layerSizes, fail, `${where}${key}.`, maxMagnitude);
}

/** Reads a checkpoint's state; its optimizer arrays must be those of the recorded optimizer. */
function readCheckpoint(
  value: Json,
  optimizer: OptimizerRecord,
  context: RecordContext,
  fail: Fail,
): CheckpointRecord {
  const where = 'training.checkpoint.';
  const checkpoint = asObject(value, '"training.checkpoint"', fail);
  const state = asObject(checkpoint.optimizer, `"${where}optimizer"`, fail);
  const arrays = (key: string) =>
    optionalParameters(state, key, `${where}optimizer.`, context, fail, false);
  const [V, M, S] = [arrays('V'), arrays('M'), arrays('S')];
  const expected = { gd: '', momentum: 'V', adam: 'MS' }[optimizer.kind];
  // join() writes the absent ones (undefined) as ''.
  if ([V && 'V', M && 'M', S && 'S'].join('') !== expected) {
    fail(`"${where}optimizer" does not hold the state of the ${optimizer.kind} optimizer`);
  }
  const running = fieldReader(
    asObject(checkpoint.running, `"${where}running"`, fail),
    `${where}running.`,
    fail,
  );
  const best =
    checkpoint.best === undefined
      ? undefined
      : fieldReader(asObject(checkpoint.best, `"${where}best"`, fail), `${where}best.`, fail);
  return {
    parameters: optionalParameters(checkpoint, 'parameters', where, context, fail),
    optimizer: { t: fieldReader(state, `${where}optimizer.`, fail).whole('t', 0), V, M, S },
    best: best && {
      iteration: best.whole('iteration', 0),
      validationAccuracy: best.range('validationAccuracy', 0, 1, undefined, true),
      validationLoss: best.number('validationLoss'),
      pointsSince: best.whole('pointsSince', 0),
    },
    running: {
      lossSum: running.number('lossSum'),
      correct: running.whole('correct', 0),
      samples: running.whole('samples', 0),
    },
  };
}

/** Reads the recorded precision; files written before it existed trained in f64. */
function readPrecision(value: Json, fail: Fail): PrecisionRecord {
  if (value === undefined || value === 'f64') return 'f64';
  if (value === 'f32') return 'f32';
  return fail('"training.precision" must be "f64" or "f32"');
}

/** Reads the training record; the fields a resumed run relies on must be in range. */
export function readTraining(value: Json, context: RecordContext, fail: Fail): TrainingRecord {
  const training = asObject(value, '"training"', fail);
  const field = fieldReader(training, 'training.', fail);
  const optional = (key: string) =>
    training[key] === undefined ? {} : { [key]: field.number(key) };
  const alpha = training.alpha;
  if (typeof alpha !== 'number' || !(alpha > 0) || !Number.isFinite(alpha)) {
    return fail('"training.alpha" must be a learning rate above 0');
  }
  const iterations = field.whole('iterations', 0, 0);
  const optimizer = readOptimizer(training.optimizer, fail);
  const history = Array.isArray(training.history)
    ? training.history.map((point) => readHistoryPoint(point, fail))
    : [];
  return {
    dataset:
      typeof training.dataset === 'string'
        ? printable(training.dataset, '"training.dataset"', fail)
        : 'embedded',
    samples: field.whole('samples', 0, 0),
    limit: field.optionalWhole('limit', 1),
    alpha,
    iterations,
    targetIterations: field.whole('targetIterations', 0, iterations),
    epochs: field.optionalWhole('epochs', 1),
    seed: field.whole('seed', 0, 1),
    init: training.init === 'uniform' ? 'uniform' : 'he',
    evalEvery: field.whole('evalEvery', 1, 100),
    batchSize: field.optionalWhole('batchSize', 1),
    optimizer,
    schedule: readSchedule(training.schedule, fail),
    dropout: field.range('dropout', 0, 1, 0),
    validation: field.whole('validation', 0, 0),
    earlyStop: field.optionalWhole('earlyStop', 1),
    maxShift: field.whole('maxShift', 0, 0),
    precision: readPrecision(training.precision, fail),
    ...optional('loss'),
    ...optional('trainAccuracy'),
    ...optional('testAccuracy'),
    ...optional('validationAccuracy'),
    seconds: field.number('seconds', 0),
    complete: training.complete !== false,
    stoppedEarly: training.stoppedEarly === true,
    history,
    checkpoint:
      training.checkpoint === undefined
        ? undefined
        : readCheckpoint(training.checkpoint, optimizer, context, fail),
  };
}
