import { PIXEL_SCALE } from '../nn/input.js';
import type { Parameters } from '../nn/parameters.js';
import { packageVersion } from '../version.js';
import type { InputDescription, Model, TrainingRecord } from './model.js';

/** What a model may say besides its parameters; each field has a default. */
export interface ModelDetails {
  /** Class names in output order; default "0", "1", … */
  readonly labels?: readonly string[];
  /** Default: a square image of n₀ pixels (1 × n₀ when n₀ is not a square), scale PIXEL_SCALE. */
  readonly input?: InputDescription;
  /** How it was trained; a model without a record can be used but not resumed. */
  readonly training?: TrainingRecord;
}

/** The class names of a model that names none: "0", "1", … one per output neuron. */
export function defaultLabels(outputSize: number): string[] {
  return Array.from({ length: outputSize }, (_, index) => String(index));
}

/** The input of a model that describes none: square if n₀ is a square, pixels / PIXEL_SCALE. */
export function defaultInput(inputSize: number): InputDescription {
  const side = Math.round(Math.sqrt(inputSize));
  return side * side === inputSize
    ? { width: side, height: side, scale: PIXEL_SCALE }
    : { width: inputSize, height: 1, scale: PIXEL_SCALE };
}

/** A model of `parameters`, ready for `saveModel`, stamped with this mnn's version and the time. */
export function createModel(parameters: Parameters, details: ModelDetails = {}): Model {
  const sizes = parameters.layerSizes;
  return {
    parameters,
    labels: details.labels ?? defaultLabels(sizes[sizes.length - 1]),
    input: details.input ?? defaultInput(sizes[0]),
    ...(details.training && { training: details.training }),
    createdBy: `mnn ${packageVersion()}`,
    createdAt: new Date().toISOString(),
  };
}
