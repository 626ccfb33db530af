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
