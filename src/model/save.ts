import { writeFileAtomic } from '../io/atomic-write.js';
import { MODEL_FORMAT, MODEL_VERSION, layerActivations } from './model.js';
import type { Model } from './model.js';

/**
 * Turns a model into the JSON text of schema v1. Numbers use JavaScript's shortest round-trip
 * form, so save → load gives back the very same float64 weights.
 */
export function serializeModel(model: Model): string {
  const { layerSizes, W, b } = model.parameters;
  const document = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    layers: layerSizes,
    activations: layerActivations(layerSizes.length - 1),
    labels: model.labels,
    input: model.input,
    weights: W.map((weights) => Array.from(weights)),
    biases: b.map((biases) => Array.from(biases)),
    training: model.training,
    createdBy: model.createdBy,
    createdAt: model.createdAt,
  };
  return `${JSON.stringify(document)}\n`;
}

/** Saves a model atomically (temporary file, then rename), creating the directory if needed. */
export function saveModel(path: string, model: Model): void {
  writeFileAtomic(path, serializeModel(model));
}
