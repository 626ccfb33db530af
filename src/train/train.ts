import type { Dataset } from '../data/dataset.js';
import { MnnError } from '../errors.js';
import { initParameters, zeroParameters } from '../nn/init.js';
import { largestMagnitude, MAX_PARAMETER_MAGNITUDE, type Parameters } from '../nn/parameters.js';
import { BatchPlan } from './batches.js';
import { divergedError, LossWatch } from './divergence.js';
import { checkTrainOptions } from './options.js';
import type {
  Batch,
  GradientEngine,
  OptimizerStepSettings,
  PassResult,
  Precision,
} from './engine.js';
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
  /**
   * What forward and backward compute in (absent: 'f64', the paper's arithmetic); 'f32' needs
   * the fast engine.
   */
  readonly precision?: Precision;
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

/** Makes a gradient engine for a data set (the fast path, or the reference path in tests). */
export type EngineFactory = (
  dataset: Dataset,
  layerSizes: readonly number[],
  precision: Precision,
  use?: EngineUse,
) => Promise<GradientEngine>;

/**
 * What training will ask of an engine: `wholeSetPasses`, whether it computes or evaluates the
 * whole data set (the test set's engine, and the training set's in the paper's full batch) or
 * only batches and sample lists (the training set's otherwise: mini-batches, or a full batch
 * with a validation split, dropout or shifts). An engine may use it to prepare only what it
 * needs.
 */
export interface EngineUse {
  readonly wholeSetPasses: boolean;
}

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

/**
 * The result with its arrays copied out of the engine's memory (which it would otherwise keep
 * alive, training data included).
 */
function detached(result: TrainResult): TrainResult {
  const { parameters, optimizer, selected } = result;
  const plain = copyParameters(parameters);
  const copy = (arrays: Parameters | undefined) => arrays && copyParameters(arrays);
  return {
    ...result,
    parameters: plain,
    selected: selected === parameters ? plain : selected,
    optimizer: optimizer && {
      t: optimizer.t,
      V: copy(optimizer.V),
      M: copy(optimizer.M),
      S: copy(optimizer.S),
    },
  };
}

/**
 * A copy of `from` that training may change: in the engine's own memory when it offers one
 * (GradientEngine.allocateParameters), else plain arrays.
 */
function engineCopy(engine: GradientEngine, from: Parameters): Parameters {
  const own = engine.allocateParameters?.();
  if (own === undefined) return copyParameters(from);
  copyInto(own, from);
  return own;
}

/** Creates the engines over the training and test sets, closing the first if the second fails. */
async function openEngines(
  data: { train: Dataset; test: Dataset },
  options: TrainOptions,
  createEngine: EngineFactory,
  wholeTrainingSet: boolean,
): Promise<{ engine: GradientEngine; testEngine: GradientEngine }> {
  const precision = options.precision ?? 'f64';
  const { layerSizes } = options;
  const engine = await createEngine(data.train, layerSizes, precision, {
    wholeSetPasses: wholeTrainingSet,
  });
  try {
    const testEngine = await createEngine(data.test, layerSizes, precision, {
      wholeSetPasses: true,
    });
    return { engine, testEngine };
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

/** Samples a mini-batch run measures its starting loss on (forward only: a few milliseconds). */
const STARTING_LOSS_SAMPLES = 1000;

/**
 * The best-so-far after a history point with a validation accuracy: the present parameters when
 * the accuracy improves (ties: a lower validation loss), else the same best, one point older.
 * The kept arrays are reused, so keeping the best costs no allocation after the first time.
 */
function nextBest(
  best: BestSoFar | undefined,
  point: HistoryPoint,
  parameters: Parameters,
): BestSoFar {
  const accuracy = point.validationAccuracy ?? 0;
  const loss = point.validationLoss ?? Infinity;
  const better =
    best === undefined ||
    accuracy > best.validationAccuracy ||
    (accuracy === best.validationAccuracy && loss < best.validationLoss);
  if (!better) return { ...best, pointsSince: best.pointsSince + 1 };
  const kept = best?.parameters ?? copyParameters(parameters);
  copyInto(kept, parameters);
  return {
    parameters: kept,
    iteration: point.iteration,
    validationAccuracy: accuracy,
    validationLoss: loss,
    pointsSince: 0,
  };
}

/** One training run in progress: its state, a step, a history point, a snapshot. */
class TrainingRun {
  readonly parameters: Parameters;
  readonly gradients: Parameters;
  readonly optimizerState: OptimizerState;
  readonly history: HistoryPoint[];
  best: BestSoFar | undefined;
  running: RunningTotals;
  iteration: number;
  stopped = false;
  stoppedEarly = false;
  /**
   * For a full batch, the pass a history point ran at the present parameters is the next step's
   * (same samples, same masks), so that step reuses it instead of computing it again.
   */
  private nextPass: PassResult | undefined;
  private readonly optimizer: OptimizerSettings;
  private readonly schedule: ScheduleSettings;
  private readonly started = performance.now();
  /** The divergence rule (src/train/divergence.ts) over this run's losses. */
  private readonly watch: LossWatch;

  constructor(
    private readonly options: TrainOptions,
    private readonly plan: BatchPlan,
    private readonly engines: { train: GradientEngine; test: GradientEngine; testCount: number },
  ) {
    const resume = options.resume;
    this.optimizer = options.optimizer ?? PAPER_OPTIMIZER;
    this.schedule = options.schedule ?? CONSTANT_SCHEDULE;
    // In the engine's own memory when it offers it: used there in place, with no copies per step.
    const train = engines.train;
    this.parameters = engineCopy(
      train,
      resume
        ? resume.parameters
        : initParameters(options.layerSizes, { init: options.init, seed: options.seed }),
    );
    const { t, V, M, S } = startingOptimizerState(options, this.optimizer);
    const stateCopy = (arrays: Parameters | undefined) => arrays && engineCopy(train, arrays);
    this.optimizerState = { t, V: stateCopy(V), M: stateCopy(M), S: stateCopy(S) };
    this.gradients = train.allocateParameters?.() ?? zeroParameters(options.layerSizes);
    this.history = [...(resume?.history ?? [])];
    this.best = resume?.best && {
      ...resume.best,
      parameters: copyParameters(resume.best.parameters),
    };
    this.running = resume?.running ?? NO_TOTALS;
    this.iteration = resume?.iteration ?? 0;
    const classes = options.layerSizes[options.layerSizes.length - 1];
    this.watch = new LossWatch(
      classes,
      this.history.reduce((lowest, point) => Math.min(lowest, point.loss), Infinity),
    );
  }

  /**
   * Step t = iteration + 1: the batch's forward and backward pass, then θ ← θ − α_t · (the
   * optimizer's direction). Returns the step's progress (its history point recorded, if due).
   */
  async step(): Promise<IterationProgress> {
    const { plan, options, parameters, gradients } = this;
    const total = options.iterations;
    const batch = plan.batchAt(this.iteration);
    const epoch = plan.epochOf(this.iteration);
    const alpha = learningRate(this.schedule, options.alpha, {
      t: this.iteration + 1,
      total,
      epoch,
    });
    const engine = this.engines.train;
    const optimizer = { settings: this.optimizer, state: this.optimizerState, alpha };
    let pass: PassResult;
    if (this.nextPass === undefined && engine.trainStep) {
      // In one call (the engine fuses the gradient's last phase with the update): a diverged
      // loss then throws after the step instead of before it, and the run ends the same way.
      pass = await engine.trainStep(parameters, gradients, batch, optimizer);
      this.checkStepLoss(pass);
    } else {
      pass = await this.computeThenStep(batch, optimizer);
    }
    this.nextPass = undefined;
    this.iteration++;
    const batchSize = batch?.samples.length ?? plan.trainCount;
    if (!plan.fullBatch) this.running = addPass(this.running, pass, batchSize);
    const progress = plan.fullBatch ? addPass(NO_TOTALS, pass, batchSize) : this.running;
    if (this.iteration % options.evalEvery === 0 || this.iteration === total) await this.record();
    return {
      iteration: this.iteration,
      total,
      epoch,
      stepsPerEpoch: plan.stepsPerEpoch,
      loss: progress.lossSum / progress.samples,
      accuracy: progress.correct / progress.samples,
      latest: this.history[this.history.length - 1],
    };
  }

  /**
   * The step's pass (the one computed ahead, if any, else computed now), checked before the
   * optimizer's step is taken on its gradients.
   */
  private async computeThenStep(
    batch: Batch | undefined,
    optimizer: OptimizerStepSettings,
  ): Promise<PassResult> {
    const { parameters, gradients } = this;
    const engine = this.engines.train;
    const pass = this.nextPass ?? (await engine.compute(parameters, gradients, batch));
    this.checkStepLoss(pass);
    const { settings, state, alpha } = optimizer;
    if (engine.optimizerStep) {
      await engine.optimizerStep(settings, state, parameters, gradients, alpha);
    } else {
      optimizerStep(settings, state, parameters, gradients, alpha);
    }
    return pass;
  }

  /**
   * Throws if a step's loss shows divergence. A full batch's loss is measured the same way each
   * step; one mini-batch's is too noisy for the whole rule, so it must only be finite (the means
   * at history points get the whole rule).
   */
  private checkStepLoss(pass: PassResult): void {
    if (this.plan.fullBatch) this.watch.observe(pass.loss, this.iteration);
    else this.watch.checkFinite(pass.loss, this.iteration);
  }

  /** Measures and records a history point at the present parameters. */
  async record(): Promise<HistoryPoint> {
    const { plan, parameters, engines } = this;
    const trained = plan.fullBatch ? await this.fullBatchPass() : this.takeRunningTotals();
    this.watch.observe(trained.loss, this.iteration);
    const test = await engines.test.evaluate(parameters);
    // The mean of a mini-batch run's batches was measured at earlier parameters; these are now.
    this.watch.checkFinite(test.loss, this.iteration);
    let point: HistoryPoint = {
      iteration: this.iteration,
      loss: trained.loss,
      trainAccuracy: trained.accuracy,
      testAccuracy: test.correct / engines.testCount,
    };
    const validation = plan.split.validation;
    if (validation.length > 0) {
      const held = await engines.train.evaluate(parameters, validation);
      this.watch.checkFinite(held.loss, this.iteration);
      point = {
        ...point,
        validationAccuracy: held.correct / validation.length,
        validationLoss: held.loss,
      };
      this.best = nextBest(this.best, point, parameters);
    }
    this.history.push(point);
    return point;
  }

  /**
   * Whether the present parameters may become a checkpoint: their loss on the next step's batch
   * (computed now, and reused by that step) is finite — else training diverged — and not over
   * the rule's bound against the lowest loss seen; a suspicious one is skipped, not saved, and
   * the next history point decides. Their magnitude must also load back.
   */
  async saneForCheckpoint(): Promise<boolean> {
    this.nextPass ??= await this.engines.train.compute(
      this.parameters,
      this.gradients,
      this.plan.batchAt(this.iteration),
    );
    this.checkMagnitude(this.parameters);
    if (this.plan.fullBatch) {
      this.watch.observe(this.nextPass.loss, this.iteration);
      return true;
    }
    this.watch.checkFinite(this.nextPass.loss, this.iteration);
    return !this.watch.wouldDiverge(this.nextPass.loss);
  }

  /** Throws the diverged error when `parameters` hold a weight too large to be loaded back. */
  checkMagnitude(parameters: Parameters): void {
    const largest = largestMagnitude(parameters);
    if (largest > MAX_PARAMETER_MAGNITUDE) {
      throw divergedError(
        `a weight grew to ${largest.toPrecision(3)}, beyond a working network's ${MAX_PARAMETER_MAGNITUDE}`,
        this.iteration,
      );
    }
  }

  /**
   * Gives a mini-batch run the loss its history points are compared with before it has any: the
   * mean loss at the starting parameters over up to STARTING_LOSS_SAMPLES training samples (a
   * full batch measures its start as a history point; a resumed run has its history).
   */
  async measureStartingLoss(): Promise<void> {
    if (this.plan.fullBatch || this.watch.lowest !== Infinity) return;
    const samples = this.plan.split.train.subarray(0, STARTING_LOSS_SAMPLES);
    const start = await this.engines.train.evaluate(this.parameters, samples);
    this.watch.observe(start.loss, this.iteration);
  }

  /** Whether early stopping has seen `earlyStop` points without a better validation accuracy. */
  get patienceRunOut(): boolean {
    const patience = this.options.earlyStop;
    return patience !== undefined && this.best !== undefined && this.best.pointsSince >= patience;
  }

  /** Where training stands, with the parameters to keep and their history point. */
  snapshot(): TrainResult {
    // The optimizer state as the engine has it, before anything reads or saves it.
    this.engines.train.sync?.();
    const { best, history } = this;
    const summary = best
      ? history.find((point) => point.iteration === best.iteration)
      : history[history.length - 1];
    return {
      parameters: this.parameters,
      iteration: this.iteration,
      history,
      seconds: (this.options.resume?.seconds ?? 0) + (performance.now() - this.started) / 1000,
      optimizer: this.optimizerState,
      best,
      running: this.running,
      selected: best?.parameters ?? this.parameters,
      summary,
      stopped: this.stopped,
      stoppedEarly: this.stoppedEarly,
    };
  }

  /** The whole training set's loss and accuracy at the present parameters: the next step's pass. */
  private async fullBatchPass(): Promise<{ loss: number; accuracy: number }> {
    const batch = this.plan.batchAt(this.iteration);
    const pass = await this.engines.train.compute(this.parameters, this.gradients, batch);
    this.nextPass = pass;
    return { loss: pass.loss, accuracy: pass.correct / this.plan.trainCount };
  }

  /** The mean loss and accuracy of the batches since the last point, as trained; then restarts them. */
  private takeRunningTotals(): { loss: number; accuracy: number } {
    const { lossSum, correct, samples } = this.running;
    this.running = NO_TOTALS;
    return { loss: lossSum / samples, accuracy: correct / samples };
  }
}

/** Decides after each step when to save a checkpoint: every `checkpointEvery` steps, or by time. */
function checkpointClock(options: TrainOptions): (iteration: number) => boolean {
  const every = options.checkpointEvery ?? 0;
  const seconds = options.checkpointSeconds;
  let last = performance.now();
  return (iteration) => {
    const now = performance.now();
    const due =
      (every > 0 && iteration % every === 0) ||
      (seconds !== undefined && now - last >= seconds * 1000);
    if (due) last = now;
    return due;
  };
}

/**
 * Trains as docs/math.md says. By default the paper's full-batch gradient descent: each step is one
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
  checkTrainOptions(options, data.train);
  const plan = new BatchPlan(data.train.count, options);
  // Only the paper's full batch passes over the whole training set (BatchPlan.batchAt).
  const { engine, testEngine } = await openEngines(data, options, createEngine, plan.paper);
  try {
    const engines = { train: engine, test: testEngine, testCount: data.test.count };
    const run = new TrainingRun(options, plan, engines);
    await run.measureStartingLoss();
    if (plan.fullBatch && run.iteration === 0) {
      const start = await run.record();
      events.onHistory?.(start);
    }
    const checkpointDue = checkpointClock(options);
    while (run.iteration < options.iterations) {
      const points = run.history.length;
      const progress = await run.step();
      if (run.history.length > points) events.onHistory?.(run.history[points]);
      events.onIteration?.(progress);
      const unfinished = run.iteration < options.iterations;
      if (events.shouldStop?.()) {
        run.stopped = unfinished;
        break;
      }
      if (run.patienceRunOut) {
        run.stoppedEarly = unfinished;
        break;
      }
      if (checkpointDue(run.iteration) && unfinished && (await run.saneForCheckpoint())) {
        await events.onCheckpoint?.(run.snapshot());
      }
      await yieldToEventLoop();
    }
    const result = run.snapshot();
    run.checkMagnitude(result.selected);
    return detached(result);
  } finally {
    await Promise.all([engine.close(), testEngine.close()]);
  }
}
