/**
 * mnn as a library: networks with hand-written backpropagation, their training, evaluation,
 * data, images and model files. The `mnn` command is one client of this API.
 *
 * @example
 * ```ts
 * import { createModel, evaluate, loadPackagedMnist, saveModel, sliceDataset, train } from 'mnn';
 *
 * const mnist = loadPackagedMnist();
 * const data = { train: sliceDataset(mnist.train, 0, 1000), test: mnist.test };
 * const options = { layerSizes: [784, 32, 10], alpha: 0.1, iterations: 200, seed: 1, init: 'he', evalEvery: 50 } as const;
 * const result = await train(data, options);
 * console.log(evaluate(result.selected, mnist.test).accuracy);
 * saveModel('model.json', createModel(result.selected));
 * ```
 *
 * @packageDocumentation
 */
import { availableParallelism } from 'node:os';
import type { Dataset } from './data/dataset.js';
import { MnnError } from './errors.js';
import { initParameters, type InitOptions } from './nn/init.js';
import { Network } from './nn/network.js';
import { layerSizesProblem } from './nn/parameters.js';
import { createEngine } from './train/create-engine.js';
import { checkTrainOptions } from './train/options.js';
import { ReferenceEngine } from './train/reference-engine.js';
import {
  train as runTrainer,
  type EngineFactory,
  type TrainEvents,
  type TrainOptions,
  type TrainResult,
} from './train/train.js';

// ---- errors ----
export { MnnError, type ErrorKind, type MnnErrorDetails } from './errors.js';
export { packageVersion } from './version.js';

// ---- matrices and networks ----
export { Matrix } from './matrix/matrix.js';
export { Network, type ForwardCache } from './nn/network.js';
export { initParameters, zeroParameters, type InitOptions, type InitScheme } from './nn/init.js';
export { inputFromPixels, PIXEL_SCALE } from './nn/input.js';
export {
  isLayerSize,
  layerSizesProblem,
  MAX_LAYER_SIZE,
  type Parameters,
} from './nn/parameters.js';
export {
  gradientCheck,
  relativeError,
  type ArrayCheck,
  type BackwardPass,
  type GradientCheckOptions,
  type GradientCheckResult,
  type LayerCheck,
} from './nn/gradcheck.js';

/**
 * A network with fresh weights for layer sizes [n₀, …, n_L]: ReLU hidden layers and a softmax
 * output. The same sizes, scheme and seed give the same weights.
 *
 * @param layerSizes - Neurons per layer, input first: `[784, 32, 10]` for MNIST.
 * @param options - Initialization: 'he' (default) or 'uniform', and the seed (default 1).
 * @throws MnnError (kind 'usage') for sizes that cannot make a network.
 */
export function createNetwork(
  layerSizes: readonly number[],
  options: Partial<InitOptions> = {},
): Network {
  const problem = layerSizesProblem(layerSizes);
  if (problem !== undefined) {
    throw new MnnError(`layerSizes [${layerSizes.join(', ')}]: ${problem}`, {
      kind: 'usage',
      option: 'layerSizes',
    });
  }
  return new Network(
    initParameters(layerSizes, { init: options.init ?? 'he', seed: options.seed ?? 1 }),
  );
}

// ---- training ----
export type {
  BestSoFar,
  IterationProgress,
  RunningTotals,
  TrainEvents,
  TrainOptions,
  TrainResult,
  TrainState,
} from './train/train.js';
export {
  adamUpdate,
  gradientDescentUpdate,
  initialOptimizerState,
  momentumUpdate,
  optimizerStep,
  PAPER_OPTIMIZER,
  type OptimizerKind,
  type OptimizerSettings,
  type OptimizerState,
} from './train/optimizer.js';
export {
  CONSTANT_SCHEDULE,
  learningRate,
  type ScheduleKind,
  type ScheduleSettings,
  type StepPosition,
} from './train/schedule.js';
export { BatchPlan, stepsPerEpoch, type BatchOptions } from './train/batches.js';
export {
  epochOrder,
  sampleShifts,
  splitValidation,
  type ValidationSplit,
} from './train/sampling.js';
export { defaultEvalEvery } from './train/history.js';
export { dropoutKeeps, dropoutScaledMask, type DropoutSpec } from './nn/dropout.js';
export type { EngineFactory, EngineUse } from './train/train.js';
export type { HistoryPoint } from './train/history.js';
export type { Batch, GradientEngine, PassResult } from './train/engine.js';
export { ReferenceEngine } from './train/reference-engine.js';
export { checkTrainOptions } from './train/options.js';
export { batchInputMatrix, batchLabels, inputMatrix } from './train/inputs.js';

/** How `train` runs: which engine, how many threads, how to stop it, what to report. */
export interface TrainRun extends Omit<TrainEvents, 'shouldStop'> {
  /** 'fast' (default: sparse, cache-blocked, multi-threaded) or 'reference' (plain matrices). */
  readonly engine?: 'fast' | 'reference' | EngineFactory;
  /** Worker threads of the fast engine (default: one per core); results do not depend on it. */
  readonly threads?: number;
  /** Aborting ends training after the current iteration; the result then has `stopped: true`. */
  readonly signal?: AbortSignal;
}

/**
 * Trains a network on `data.train`, measuring `data.test` at every history point, with the
 * options the `mnn train` command uses. Same data, options and seed give the same weights,
 * whatever the engine's thread count.
 *
 * @param data - Training and test sets (pixel bytes and labels 0–9).
 * @param options - What decides the result: layer sizes, learning rate, iterations, seed, …
 * @param run - Engine, threads, an AbortSignal, and progress callbacks.
 * @returns The parameters to keep (`selected`: the best on validation, else the last), the
 *   latest parameters, the history and the point of the selected parameters (`summary`).
 * @throws MnnError for options that cannot work (kind 'usage'), a loss that diverges
 *   (kind 'diverged'), or data that does not fit the network.
 */
export async function train(
  data: { readonly train: Dataset; readonly test: Dataset },
  options: TrainOptions,
  run: TrainRun = {},
): Promise<TrainResult> {
  checkTrainOptions(options);
  const { engine = 'fast', threads = availableParallelism(), signal, ...events } = run;
  const factory: EngineFactory =
    engine === 'fast'
      ? (dataset, layerSizes, precision, use) =>
          createEngine(dataset, layerSizes, { threads, precision, ...use })
      : engine === 'reference'
        ? async (dataset, layerSizes, precision) => {
            if (precision !== 'f64') {
              throw new MnnError('the reference engine computes in f64 only', {
                kind: 'usage',
                option: 'precision',
                hint: 'train in f32 with the fast engine, or in f64 with the reference one',
              });
            }
            return new ReferenceEngine(dataset, layerSizes);
          }
        : engine;
  return runTrainer(data, options, factory, {
    ...events,
    shouldStop: () => signal?.aborted ?? false,
  });
}

// ---- evaluation ----
export { classMetrics, evaluate, type ClassMetrics, type Evaluation } from './train/evaluate.js';

// ---- data ----
export { pixelsPerSample, sliceDataset, type DataSplits, type Dataset } from './data/dataset.js';
export {
  isGzip,
  parseIdx,
  readIdx,
  serializeIdx,
  writeIdx,
  type IdxData,
  type IdxImages,
  type IdxLabels,
  type IdxWriteOptions,
} from './data/idx.js';
export {
  DATASET_FILES,
  hasDatasetFiles,
  loadDatasetDirectory,
  type DirectoryLoadOptions,
  type SplitSelection,
} from './data/directory.js';
export { DATASET_NAMES, datasetLabels, type DatasetName } from './data/labels.js';
export {
  loadPackagedMnist,
  PACKAGED_MNIST_FILES,
  type PackagedLoadOptions,
} from './data/packaged.js';

// ---- images ----
export { decodeImage, MAX_IMAGE_PIXELS, type DecodedImage } from './image/decode.js';
export { FIELD_SIZE, preprocessDigit } from './image/preprocess.js';

// ---- models ----
export {
  MODEL_FORMAT,
  MODEL_VERSION,
  type InputDescription,
  type Model,
  type TrainingRecord,
} from './model/model.js';
export { createModel, type ModelDetails } from './model/create.js';
export { loadModel, parseModel } from './model/load.js';
export { saveModel, serializeModel } from './model/save.js';

// ---- models for other runtimes (ONNX, TensorFlow.js) ----
export { EXPORT_FORMATS, type ExportFormat, type ExportOptions } from './export/formats.js';
export { exportModel, writeExport, type ModelExport } from './export/export.js';
export { exportOnnx } from './export/onnx.js';
export { exportTfjs, type TfjsExport } from './export/tfjs.js';

// ---- prediction ----
export {
  checkDigitModel,
  classifyDigit,
  digitActivations,
  predictImageBytes,
  predictImageFile,
  type DigitPrediction,
  type ImagePrediction,
} from './predict/predict.js';
