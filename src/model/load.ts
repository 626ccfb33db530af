import { readFileSync, statSync } from 'node:fs';
import { MnnError } from '../errors.js';
import { asObject, isWholeNumber, readParameters, type Fail, type Json } from './json-read.js';
import { readTraining } from './load-training.js';
import { isLayerSize, LAYER_SIZE_RULE } from '../nn/parameters.js';
import { defaultInput, defaultLabels } from './create.js';
import {
  MODEL_FORMAT,
  MODEL_VERSION,
  layerActivations,
  type InputDescription,
  type Model,
} from './model.js';

/** Model files above this size are refused before reading (a 784-128-10 model is about 2 MB). */
export const MAX_MODEL_FILE_BYTES = 1024 ** 3;
/** Networks above this many parameters are refused before their arrays are read. */
export const MAX_MODEL_PARAMETERS = 1e8;

/** Reads and validates a model file; every problem is an MnnError that names the file. */
export function loadModel(path: string): Model {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new MnnError(`model file ${path} not found`, {
      hint: 'train a model first, or give the path of a saved one',
    });
  }
  if (size > MAX_MODEL_FILE_BYTES) {
    throw new MnnError(`${path} is ${size} bytes, over the 1 GB limit for model files`, {
      kind: 'limit',
      hint: 'is it a model?',
    });
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new MnnError(`cannot read model file ${path}: ${(error as Error).message}`, {
      kind: 'io',
    });
  }
  return parseModel(text, path);
}

/** Parses and validates the JSON text of a model (schema v1). */
export function parseModel(text: string, fileName: string): Model {
  const fail = (problem: string): never => {
    throw new MnnError(`${fileName} is not a valid mnn model: ${problem}.`);
  };
  let document: Json;
  try {
    document = JSON.parse(text) as Json;
  } catch {
    throw new MnnError(`${fileName} is not a model file (not JSON)`, {
      hint: 'give the path of a model saved by mnn',
    });
  }
  const root = asObject(document, 'the file', fail);
  if (root.format !== MODEL_FORMAT) {
    fail(`"format" is ${JSON.stringify(root.format ?? null)}, expected "${MODEL_FORMAT}"`);
  }
  readVersion(root.version, fileName, fail);
  const layerSizes = readLayerSizes(root.layers, fail);
  readActivations(root.activations, layerSizes.length - 1, fail);
  const parameters = readParameters(root, layerSizes, fail);
  const outputSize = layerSizes[layerSizes.length - 1];
  return {
    parameters,
    labels: readLabels(root.labels, outputSize, fail),
    input: readInput(root.input, layerSizes[0], fail),
    training:
      root.training === undefined ? undefined : readTraining(root.training, { layerSizes }, fail),
    createdBy: typeof root.createdBy === 'string' ? root.createdBy : 'unknown',
    createdAt: typeof root.createdAt === 'string' ? root.createdAt : '',
  };
}

/** Accepts versions 1 to MODEL_VERSION; a newer one is refused naming both versions. */
function readVersion(value: Json | undefined, fileName: string, fail: Fail): void {
  if (isWholeNumber(value, 1) && value > MODEL_VERSION) {
    throw new MnnError(
      `${fileName} is a version ${value} model file, written by a newer mnn; this mnn reads versions 1 to ${MODEL_VERSION}`,
      { hint: 'update mnn to use it' },
    );
  }
  if (!isWholeNumber(value, 1)) {
    fail(
      `"version" is ${JSON.stringify(value ?? null)}; this mnn reads versions 1 to ${MODEL_VERSION}`,
    );
  }
}

function readLayerSizes(value: Json | undefined, fail: Fail): number[] {
  if (!Array.isArray(value) || value.length < 2) {
    return fail('"layers" must list at least two layer sizes');
  }
  const sizes = value.map((size, index) => {
    if (typeof size !== 'number' || !isLayerSize(size)) {
      return fail(`"layers"[${index}] must be ${LAYER_SIZE_RULE}`);
    }
    return size;
  });
  let count = 0;
  for (let l = 1; l < sizes.length; l++) count += sizes[l] * (sizes[l - 1] + 1);
  if (count > MAX_MODEL_PARAMETERS) {
    fail(
      `"layers" ${sizes.join(',')} describe ${count} parameters, over the limit of ${MAX_MODEL_PARAMETERS}`,
    );
  }
  return sizes;
}

function readActivations(value: Json | undefined, layerCount: number, fail: Fail): void {
  const expected = layerActivations(layerCount);
  if (value === undefined) return;
  if (
    !Array.isArray(value) ||
    value.length !== layerCount ||
    value.some((name, i) => name !== expected[i])
  ) {
    fail(`"activations" must be ${JSON.stringify(expected)} (ReLU hidden layers, softmax output)`);
  }
}

function readLabels(value: Json | undefined, outputSize: number, fail: Fail): string[] {
  if (value === undefined) return defaultLabels(outputSize);
  if (
    !Array.isArray(value) ||
    value.length !== outputSize ||
    value.some((label) => typeof label !== 'string')
  ) {
    return fail(`"labels" must list ${outputSize} class names, one per output neuron`);
  }
  return value as string[];
}

function readInput(value: Json | undefined, inputSize: number, fail: Fail): InputDescription {
  if (value === undefined) return defaultInput(inputSize);
  const input = asObject(value, '"input"', fail);
  const { width, height, scale } = input;
  if (
    !isWholeNumber(width, 1) ||
    !isWholeNumber(height, 1) ||
    typeof scale !== 'number' ||
    !(scale > 0) ||
    width * height !== inputSize
  ) {
    return fail(`"input" must give width × height = ${inputSize} pixels and a positive scale`);
  }
  return { width, height, scale };
}
