import { writeFileAtomic } from '../io/atomic-write.js';
import type { Parameters } from '../nn/parameters.js';
import { MODEL_FORMAT, MODEL_VERSION, layerActivations } from './model.js';
import type { CheckpointRecord, Model, TrainingRecord } from './model.js';

/** Parameters as the file writes them: flat row-major W⁽ℓ⁾ arrays and b⁽ℓ⁾ arrays. */
function parameterArrays(parameters: Parameters): { weights: number[][]; biases: number[][] } {
  return {
    weights: parameters.W.map((weights) => Array.from(weights)),
    biases: parameters.b.map((biases) => Array.from(biases)),
  };
}

/** A checkpoint's state with its parameter-shaped arrays written like the model's weights. */
function checkpointDocument(checkpoint: CheckpointRecord): object {
  const arrays = (parameters: Parameters | undefined) => parameters && parameterArrays(parameters);
  const { t, V, M, S } = checkpoint.optimizer;
  return {
    ...checkpoint,
    parameters: arrays(checkpoint.parameters),
    optimizer: { t, V: arrays(V), M: arrays(M), S: arrays(S) },
  };
}

/** The training record as written: the checkpoint's arrays as plain number arrays. */
function trainingDocument(training: TrainingRecord | undefined): object | undefined {
  if (training?.checkpoint === undefined) return training;
  return { ...training, checkpoint: checkpointDocument(training.checkpoint) };
}

/**
 * Turns a model into the JSON text of the current schema. Numbers use JavaScript's shortest
 * round-trip form, so save → load gives back the very same float64 weights (and optimizer state).
 */
export function serializeModel(model: Model): string {
  const { layerSizes } = model.parameters;
  const document = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    layers: layerSizes,
    activations: layerActivations(layerSizes.length - 1),
    labels: model.labels,
    input: model.input,
    ...parameterArrays(model.parameters),
    training: trainingDocument(model.training),
    createdBy: model.createdBy,
    createdAt: model.createdAt,
  };
  return `${JSON.stringify(document)}\n`;
}

/** Saves a model atomically (temporary file, then rename), creating the directory if needed. */
export function saveModel(path: string, model: Model): void {
  writeFileAtomic(path, serializeModel(model));
}
