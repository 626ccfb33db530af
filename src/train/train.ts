import type { Dataset } from '../data/dataset.js';
import { MnnError } from '../errors.js';
import { initParameters, zeroParameters } from '../nn/init.js';
import type { Parameters } from '../nn/parameters.js';
import { BatchPlan } from './batches.js';
import { checkTrainOptions } from './check-options.js';
import type { GradientEngine, PassResult } from './engine.js';
import type { HistoryPoint } from './history.js';
import {
  initialOptimizerState,
  optimizerStep,
  PAPER_OPTIMIZER,
  type OptimizerSettings,
  type OptimizerState,
} from './optimizer.js';
import { CONSTANT_SCHEDULE, learningRate, type ScheduleSettings } from './schedule.js';

/** Everything that decides what training computes (the same options and seed give the same weights). */
export interface TrainOptions {
  readonly layerSizes: readonly number[];
  /** Learning rate α (the schedule's base rate). */
  readonly alpha: number;
  /** Total steps (iterations) to reach; a resumed run continues up to this number. */
  readonly iterations: number;
  readonly seed: number;
  readonly init: 'he' | 'uniform';
  /** Record a history point every this many steps (and at the end). */
  readonly evalEvery: number;
  /** Samples per step B; absent: the whole training set (the paper's full batch). */
  readonly batchSize?: number;
  /** The update rule; absent: plain gradient descent (the paper's). */
  readonly optimizer?: OptimizerSettings;
  /** How α changes over the steps; absent: constant (the paper's). */
  readonly schedule?: ScheduleSettings;
  /** Dropout rate p on the hidden layers (absent or 0: none). */
  readonly dropout?: number;
  /** Training samples held out for validation and model selection (absent or 0: none). */
  readonly validation?: number;
  /** Stop after this many history points without a better validation accuracy. */
  readonly earlyStop?: number;
  /** Augmentation: shift each sample up to this many pixels in x and y each epoch. */
  readonly maxShift?: number;
  /** Continue from a checkpoint instead of fresh initial weights. */
  readonly resume?: TrainState;
  /** Call onCheckpoint every this many steps (0 or absent: not by count). */
  readonly checkpointEvery?: number;
  /** Call onCheckpoint whenever this many seconds have passed since the last one (absent: not by time). */
  readonly checkpointSeconds?: number;
}

/** The best parameters so far on the validation set (model selection looks only there). */
export interface BestSoFar {
  readonly parameters: Parameters;
  /** The step of the history point that measured them. */
  readonly iteration: number;
  readonly validationAccuracy: number;
  readonly validationLoss: number;
  /** History points since, none better (early stopping's patience count). */
  readonly pointsSince: number;
}

/** Loss and correct counts of the batches trained since the last history point (mini-batches). */
export interface RunningTotals {
  /** Σ over batches of (mean batch loss × batch size). */
  readonly lossSum: number;
  readonly correct: number;
  readonly samples: number;
}

/** Where training stands: enough to save a checkpoint and continue exactly. */
export interface TrainState {
  /** The parameters the next step starts from. */
  readonly parameters: Parameters;
  /** Steps done; with the batch size, it fixes the epoch and the position in it. */
  readonly iteration: number;
  readonly history: readonly HistoryPoint[];
  /** Seconds spent training before this run (for resumed runs). */
  readonly seconds: number;
  /** The optimizer's state (V, or M and S, and t); absent: a fresh one (for gd, none is needed). */
  readonly optimizer?: OptimizerState;
  readonly best?: BestSoFar;
  readonly running?: RunningTotals;
}

/** Progress of one step, for progress bars. */
export interface IterationProgress {
  readonly iteration: number;
  readonly total: number;
  /** The epoch (0, 1, …) this step belonged to, and the steps an epoch has. */
  readonly epoch: number;
  readonly stepsPerEpoch: number;
  /**
   * Training loss and accuracy: of the pass at the parameters this step started from (full
   * batch), or the mean over the batches since the last history point, as trained (mini-batches).
   */
  readonly loss: number;
  readonly accuracy: number;
  /** The latest history point, if any (validation and test accuracy). */
  readonly latest?: HistoryPoint;
}

/** Callbacks through which training reports progress; the library itself never prints. */
export interface TrainEvents {
  onIteration?(progress: IterationProgress): void;
  onHistory?(point: HistoryPoint): void;
  /** Called after each step; returning true ends training early (e.g. on Ctrl-C). */
  shouldStop?(): boolean;
  /**
   * Called every `checkpointEvery` steps (or `checkpointSeconds`) with where training stands, to
   * be saved before it returns (the arrays are live, changed by the next step). Not called for
   * the final state, which train() returns. A throw (e.g. a failed write) ends training with it.
   */
  onCheckpoint?(checkpoint: TrainResult): void | Promise<void>;
}

/** What training produced (or, for a checkpoint, has produced so far). */
export interface TrainResult extends TrainState {
  /** The parameters to keep: the best on validation when there is a validation set, else the latest. */
  readonly selected: Parameters;
  /** The history point of `selected` (undefined before the first point). */
  readonly summary: HistoryPoint | undefined;
  /** True when training ended before `iterations` because shouldStop() asked it to. */
  readonly stopped: boolean;
  /** True when early stopping ended training: `earlyStop` points without a better validation accuracy. */
  readonly stoppedEarly: boolean;
}

/**
 * What a run asks of an engine. Temporary (issue 11 point 4): `batches` lets the factory choose
 * the reference engine while the fast one serves only the paper's full batch.
 */
export interface EngineNeeds {
  /** The engine will be given batches or asked to evaluate. */
  readonly batches: boolean;
}

/** Makes a gradient engine for a data set (the fast path, or the reference path in tests). */
export type EngineFactory = (
  dataset: Dataset,
  layerSizes: readonly number[],
  needs: EngineNeeds,
) => Promise<GradientEngine>;

/** Copies parameters so training never changes the caller's arrays. */
function copyParameters(parameters: Parameters): Parameters {
  return {
    layerSizes: [...parameters.layerSizes],
    W: parameters.W.map((weights) => Float64Array.from(weights)),
    b: parameters.b.map((biases) => Float64Array.from(biases)),
  };
}

/** Copies `from` into the arrays of `to` (same layer sizes). */
function copyInto(to: Parameters, from: Parameters): void {
  to.W.forEach((weights, l) => weights.set(from.W[l]));
  to.b.forEach((biases, l) => biases.set(from.b[l]));
}

/**
 * Lets timers and signal handlers (Ctrl-C) run between steps: a synchronous engine would
 * otherwise keep the event loop busy until training ends.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Throws the divergence error when a loss is NaN or infinite. */
function checkFinite(loss: number, iteration: number): void {
  if (!Number.isFinite(loss)) {
    throw new MnnError(`training diverged at iteration ${iteration}: the loss became ${loss}`, {
      kind: 'diverged',
      hint: 'try a smaller learning rate',
      option: 'alpha',
    });
  }
}

/** The optimizer state a run starts from: the checkpoint's, or a fresh one at t = steps done. */
function startingOptimizerState(
  options: TrainOptions,
  optimizer: OptimizerSettings,
): OptimizerState {
  const resume = options.resume;
  if (resume?.optimizer) {
    const copy = (arrays: Parameters | undefined) => arrays && copyParameters(arrays);
    const { t, V, M, S } = resume.optimizer;
    return { t, V: copy(V), M: copy(M), S: copy(S) };
  }
  if (optimizer.kind !== 'gd' && resume !== undefined && resume.iteration > 0) {
    throw new MnnError(
      `the state of the ${optimizer.kind} optimizer was not saved, so training cannot continue exactly`,
      { kind: 'usage', option: 'resume', hint: 'resume from a checkpoint, or train a new model' },
    );
  }
  return { ...initialOptimizerState(optimizer, options.layerSizes), t: resume?.iteration ?? 0 };
}

/** Creates the engines over the training and test sets, closing the first if the second fails. */
async function openEngines(
  data: { train: Dataset; test: Dataset },
  options: TrainOptions,
  plan: BatchPlan,
  createEngine: EngineFactory,
): Promise<{ engine: GradientEngine; testEngine: GradientEngine }> {
  const engine = await createEngine(data.train, options.layerSizes, {
    batches: !plan.paper,
  });
  try {
    return {
      engine,
      testEngine: await createEngine(data.test, options.layerSizes, { batches: true }),
    };
  } catch (error) {
    await engine.close();
    throw error;
  }
}

/** The running totals with one more pass of `count` samples. */
function addPass(running: RunningTotals, pass: PassResult, count: number): RunningTotals {
  return {
    lossSum: running.lossSum + pass.loss * count,
    correct: running.correct + pass.correct,
    samples: running.samples + count,
  };
}

const NO_TOTALS: RunningTotals = { lossSum: 0, correct: 0, samples: 0 };

/**
 * Trains as MATH.md says. By default the paper's full-batch gradient descent: each step is one
 * forward and one backward pass over all training samples, then θ ← θ − α ∂C/∂θ. Options make
 * it mini-batch training ("Beyond the paper"): shuffled batches, momentum or Adam, weight decay,
 * a learning-rate schedule, dropout, shifted inputs, a validation set that selects the best
 * parameters, and early stopping. Every `evalEvery` steps (and at the end; at the start too for
 * a full batch) a history point records the training loss and accuracy, and the validation and
 * test accuracy; the test set is reported, never used to choose.
 */
export async function train(
  data: { train: Dataset; test: Dataset },
  options: TrainOptions,
  createEngine: EngineFactory,
  events: TrainEvents = {},
): Promise<TrainResult> {
  const started = performance.now();
  checkTrainOptions(options, data.train);
  const plan = new BatchPlan(data.train.count, options);
  const optimizer = options.optimizer ?? PAPER_OPTIMIZER;
  const schedule = options.schedule ?? CONSTANT_SCHEDULE;
  const resume = options.resume;
  const parameters = resume
    ? copyParameters(resume.parameters)
    : initParameters(options.layerSizes, { init: options.init, seed: options.seed });
  const optimizerState = startingOptimizerState(options, optimizer);
  const gradients = zeroParameters(parameters.layerSizes);
  const history: HistoryPoint[] = [...(resume?.history ?? [])];
  const secondsBefore = resume?.seconds ?? 0;
  const validation = plan.split.validation;
  let best: BestSoFar | undefined = resume?.best && {
    ...resume.best,
    parameters: copyParameters(resume.best.parameters),
  };
  let running = resume?.running ?? NO_TOTALS;
  let iteration = resume?.iteration ?? 0;
  let stopped = false;
  let stoppedEarly = false;

  const { engine, testEngine } = await openEngines(data, options, plan, createEngine);
  // For a full batch, the pass a history point ran at the present parameters is the next step's
  // (same samples, same masks), so that step reuses it instead of computing it again.
  let nextPass: PassResult | undefined;

  /** Keeps the parameters when the validation accuracy improves (ties: a lower validation loss). */
  const updateBest = (point: HistoryPoint): void => {
    const accuracy = point.validationAccuracy ?? 0;
    const loss = point.validationLoss ?? Infinity;
    const better =
      best === undefined ||
      accuracy > best.validationAccuracy ||
      (accuracy === best.validationAccuracy && loss < best.validationLoss);
    if (!better) {
      best = best && { ...best, pointsSince: best.pointsSince + 1 };
      return;
    }
    const kept = best?.parameters ?? copyParameters(parameters);
    copyInto(kept, parameters);
    best = {
      parameters: kept,
      iteration,
      validationAccuracy: accuracy,
      validationLoss: loss,
      pointsSince: 0,
    };
  };

  /** Measures and records a history point at the present parameters. */
  const record = async (): Promise<void> => {
    let loss: number;
    let trainAccuracy: number;
    if (plan.fullBatch) {
      const pass = await engine.compute(parameters, gradients, plan.batchAt(iteration));
      nextPass = pass;
      loss = pass.loss;
      trainAccuracy = pass.correct / plan.trainCount;
    } else {
      loss = running.lossSum / running.samples;
      trainAccuracy = running.correct / running.samples;
      running = NO_TOTALS;
    }
    checkFinite(loss, iteration);
    const test = await testEngine.evaluate(parameters);
    let point: HistoryPoint = {
      iteration,
      loss,
      trainAccuracy,
      testAccuracy: test.correct / data.test.count,
    };
    if (validation.length > 0) {
      const held = await engine.evaluate(parameters, validation);
      point = {
        ...point,
        validationAccuracy: held.correct / validation.length,
        validationLoss: held.loss,
      };
      updateBest(point);
    }
    history.push(point);
    events.onHistory?.(point);
  };

  const snapshot = (): TrainResult => {
    const latest = history[history.length - 1];
    const summary = best ? history.find((point) => point.iteration === best?.iteration) : latest;
    return {
      parameters,
      iteration,
      history,
      seconds: secondsBefore + (performance.now() - started) / 1000,
      optimizer: optimizerState,
      best,
      running,
      selected: best?.parameters ?? parameters,
      summary,
      stopped,
      stoppedEarly,
    };
  };

  try {
    const total = options.iterations;
    if (plan.fullBatch && iteration === 0) await record();
    const checkpointEvery = options.checkpointEvery ?? 0;
    let lastCheckpoint = performance.now();
    while (iteration < total) {
      const batch = plan.batchAt(iteration);
      const epoch = plan.epochOf(iteration);
      const pass = nextPass ?? (await engine.compute(parameters, gradients, batch));
      nextPass = undefined;
      checkFinite(pass.loss, iteration + 1);
      const alpha = learningRate(schedule, options.alpha, { t: iteration + 1, total, epoch });
      optimizerStep(optimizer, optimizerState, parameters, gradients, alpha);
      iteration++;
      const batchSize = batch?.samples.length ?? plan.trainCount;
      if (!plan.fullBatch) running = addPass(running, pass, batchSize);
      const progress = plan.fullBatch ? addPass(NO_TOTALS, pass, batchSize) : running;
      if (iteration % options.evalEvery === 0 || iteration === total) await record();
      events.onIteration?.({
        iteration,
        total,
        epoch,
        stepsPerEpoch: plan.stepsPerEpoch,
        loss: progress.lossSum / progress.samples,
        accuracy: progress.correct / progress.samples,
        latest: history[history.length - 1],
      });
      if (events.shouldStop?.()) {
        stopped = iteration < total;
        break;
      }
      if (
        options.earlyStop !== undefined &&
        best !== undefined &&
        best.pointsSince >= options.earlyStop
      ) {
        stoppedEarly = iteration < total;
        break;
      }
      const now = performance.now();
      const due =
        (checkpointEvery > 0 && iteration % checkpointEvery === 0) ||
        (options.checkpointSeconds !== undefined &&
          now - lastCheckpoint >= options.checkpointSeconds * 1000);
      if (due && iteration < total) {
        await events.onCheckpoint?.(snapshot());
        lastCheckpoint = now;
      }
      await yieldToEventLoop();
    }
    return snapshot();
  } finally {
    await Promise.all([engine.close(), testEngine.close()]);
  }
}
