import type { Dataset } from '../data/dataset.js';
import { initParameters, zeroParameters } from '../nn/init.js';
import type { Parameters } from '../nn/parameters.js';
import type { GradientEngine, PassResult } from './engine.js';
import { LossWatch } from './divergence.js';
import { evaluate } from './evaluate.js';
import type { HistoryPoint } from './history.js';

/** Everything that decides what training computes (the same options and seed give the same weights). */
export interface TrainOptions {
  readonly layerSizes: readonly number[];
  /** Learning rate α of the update W ← W − α ∂C/∂W. */
  readonly alpha: number;
  /** Total iterations to reach (a resumed run continues up to this number). */
  readonly iterations: number;
  readonly seed: number;
  readonly init: 'he' | 'uniform';
  /** Record loss, train and test accuracy every this many iterations. */
  readonly evalEvery: number;
  /** Continue from a checkpoint instead of fresh initial weights. */
  readonly resume?: TrainState;
  /** Call onCheckpoint every this many iterations (0 or absent: never). */
  readonly checkpointEvery?: number;
}

/** Where training stands: enough to save a checkpoint and continue exactly. */
export interface TrainState {
  readonly parameters: Parameters;
  /** Iterations done. */
  readonly iteration: number;
  readonly history: readonly HistoryPoint[];
  /** Seconds spent training before this run (for resumed runs). */
  readonly seconds: number;
}

/** Progress of one iteration, for progress bars. */
export interface IterationProgress {
  readonly iteration: number;
  readonly total: number;
  /** Loss and training accuracy at the parameters this iteration started from. */
  readonly loss: number;
  readonly accuracy: number;
}

/** Callbacks through which training reports progress; the library itself never prints. */
export interface TrainEvents {
  onIteration?(progress: IterationProgress): void;
  onHistory?(point: HistoryPoint): void;
  /** Called after each iteration; returning true ends training early (e.g. on Ctrl-C). */
  shouldStop?(): boolean;
  /**
   * Called every `checkpointEvery` iterations with where training stands, to be saved before it
   * returns (the parameters are the live arrays, changed by the next iteration). Loss and
   * accuracies are those of the latest history point. Not called for the final state, which
   * train() returns. A throw (e.g. a failed write) ends training with that error.
   */
  onCheckpoint?(checkpoint: TrainResult): void | Promise<void>;
}

/** What training produced. */
export interface TrainResult extends TrainState {
  readonly loss: number;
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  /** True when training ended before `iterations` because shouldStop() asked it to. */
  readonly stopped: boolean;
}

/** Makes a gradient engine for a training set (the fast path, or the reference path in tests). */
export type EngineFactory = (
  dataset: Dataset,
  layerSizes: readonly number[],
) => Promise<GradientEngine>;

/** Copies parameters so training never changes the caller's arrays. */
function copyParameters(parameters: Parameters): Parameters {
  return {
    layerSizes: [...parameters.layerSizes],
    W: parameters.W.map((weights) => Float64Array.from(weights)),
    b: parameters.b.map((biases) => Float64Array.from(biases)),
  };
}

/** θ ← θ − α ∂C/∂θ for every W⁽ℓ⁾ and b⁽ℓ⁾ (docs/math.md, Update). */
export function gradientDescentStep(
  parameters: Parameters,
  gradients: Parameters,
  alpha: number,
): void {
  for (let l = 0; l < parameters.W.length; l++) {
    const W = parameters.W[l];
    const dW = gradients.W[l];
    for (let i = 0; i < W.length; i++) W[i] -= alpha * dW[i];
    const b = parameters.b[l];
    const db = gradients.b[l];
    for (let i = 0; i < b.length; i++) b[i] -= alpha * db[i];
  }
}

/**
 * Lets timers and signal handlers (Ctrl-C) run between iterations: a synchronous engine would
 * otherwise keep the event loop busy until training ends.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Full-batch gradient descent exactly as in docs/math.md: each iteration is one forward and one backward
 * pass over all training samples, then one update. Every `evalEvery` iterations (and at the start
 * and the end) the loss, training and test accuracy are recorded in the history.
 */
export async function train(
  data: { train: Dataset; test: Dataset },
  options: TrainOptions,
  createEngine: EngineFactory,
  events: TrainEvents = {},
): Promise<TrainResult> {
  const started = performance.now();
  const parameters = options.resume
    ? copyParameters(options.resume.parameters)
    : initParameters(options.layerSizes, { init: options.init, seed: options.seed });
  const gradients = zeroParameters(parameters.layerSizes);
  const history: HistoryPoint[] = [...(options.resume?.history ?? [])];
  const secondsBefore = options.resume?.seconds ?? 0;
  let iteration = options.resume?.iteration ?? 0;
  let stopped = false;

  const engine = await createEngine(data.train, options.layerSizes);
  const watch = new LossWatch(options.layerSizes[options.layerSizes.length - 1]);
  // The pass a history point ran at the present parameters: its gradients are the ones the
  // next iteration needs, so that iteration reuses it instead of computing it again.
  let passAtCurrentParameters: PassResult | undefined;
  try {
    const record = async (): Promise<HistoryPoint> => {
      const pass = await engine.compute(parameters, gradients);
      passAtCurrentParameters = pass;
      watch.observe(pass.loss, iteration);
      const point: HistoryPoint = {
        iteration,
        loss: pass.loss,
        trainAccuracy: pass.correct / data.train.count,
        testAccuracy: evaluate(parameters, data.test).accuracy,
      };
      if (history.length === 0 || history[history.length - 1].iteration !== iteration)
        history.push(point);
      events.onHistory?.(point);
      return point;
    };

    let last =
      history.length > 0 && history[history.length - 1].iteration === iteration
        ? history[history.length - 1]
        : await record();
    const snapshot = (): TrainResult => ({
      parameters,
      iteration,
      history,
      seconds: secondsBefore + (performance.now() - started) / 1000,
      loss: last.loss,
      trainAccuracy: last.trainAccuracy,
      testAccuracy: last.testAccuracy,
      stopped,
    });
    const checkpointEvery = options.checkpointEvery ?? 0;
    while (iteration < options.iterations) {
      const pass = passAtCurrentParameters ?? (await engine.compute(parameters, gradients));
      passAtCurrentParameters = undefined;
      watch.observe(pass.loss, iteration);
      gradientDescentStep(parameters, gradients, options.alpha);
      iteration++;
      events.onIteration?.({
        iteration,
        total: options.iterations,
        loss: pass.loss,
        accuracy: pass.correct / data.train.count,
      });
      const stopNow = events.shouldStop?.() ?? false;
      if (iteration % options.evalEvery === 0 || iteration === options.iterations || stopNow) {
        last = await record();
      }
      if (stopNow) {
        stopped = iteration < options.iterations;
        break;
      }
      if (
        checkpointEvery > 0 &&
        iteration % checkpointEvery === 0 &&
        iteration < options.iterations
      ) {
        // Only parameters whose loss is known sane become a checkpoint (the next step reuses the pass).
        passAtCurrentParameters ??= await engine.compute(parameters, gradients);
        watch.observe(passAtCurrentParameters.loss, iteration);
        await events.onCheckpoint?.(snapshot());
      }
      await yieldToEventLoop();
    }
    return snapshot();
  } finally {
    await engine.close();
  }
}
