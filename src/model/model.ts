import { MnnError } from '../errors.js';
import type { Parameters } from '../nn/parameters.js';

/** The format name and version written into every model file (ARCHITECTURE.md, "Model file"). */
export const MODEL_FORMAT = 'mnn-model';
export const MODEL_VERSION = 1;

/** One point of the training history as the model file records it (src/train's HistoryPoint). */
export interface HistoryPoint {
  readonly iteration: number;
  /** Mean cross-entropy on the training set at this iteration's parameters. */
  readonly loss: number;
  /** Fractions in [0, 1]. */
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
}

/** How a model was trained: enough to reproduce it, resume it, and evaluate it on the same data. */
export interface TrainingRecord {
  /** "embedded", or the absolute path of an IDX directory. */
  readonly dataset: string;
  readonly samples: number;
  readonly alpha: number;
  /** Iterations done so far. */
  readonly iterations: number;
  /** Iterations asked for; equal to `iterations` once training is complete. */
  readonly targetIterations: number;
  readonly seed: number;
  readonly init: 'he' | 'uniform';
  readonly evalEvery: number;
  readonly loss: number;
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  readonly seconds: number;
  /** False for a checkpoint written before the last iteration. */
  readonly complete: boolean;
  readonly history: readonly HistoryPoint[];
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

/** Refuses, with an MnnError of kind 'limit', a network whose model file could not be loaded back. */
export function checkParameterCount(layerSizes: readonly number[]): void {
  const count = parameterCount(layerSizes);
  if (count <= MAX_MODEL_PARAMETERS) return;
  const fileBytes = count * MAX_BYTES_PER_PARAMETER;
  throw new MnnError(
    `a ${layerSizes.join('-')} network has ${(count / 1e6).toFixed(1)} million parameters, over the limit of ${MAX_MODEL_PARAMETERS / 1e6} million: ` +
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
 * large to load back (a point every iteration of millions of iterations).
 */
export function checkHistorySize(layerSizes: readonly number[], plan: HistoryPlan): void {
  const points = Math.floor(plan.iterations / plan.evalEvery) + 2;
  const fileBytes =
    parameterCount(layerSizes) * MAX_BYTES_PER_PARAMETER + points * MAX_BYTES_PER_HISTORY_POINT;
  if (fileBytes <= MAX_MODEL_FILE_BYTES) return;
  throw new MnnError(
    `recording the history every ${plan.evalEvery} iteration(s) for ${plan.iterations} iterations (${points} points) would make the model file up to ${Math.round(fileBytes / 1e6)} MB, ` +
      `over the ${MAX_MODEL_FILE_BYTES / 1e6} MB model files are limited to so that they load back in memory`,
    { kind: 'limit', option: 'evalEvery', hint: 'record the history less often' },
  );
}
