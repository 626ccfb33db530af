import { MnnError } from '../errors.js';
import { formatByteSize, readRegularFile } from '../io/bounded-read.js';
import { isLayerSize, LAYER_SIZE_RULE, type Parameters } from '../nn/parameters.js';
import { defaultInput, defaultLabels } from './create.js';
import {
  MAX_MODEL_FILE_BYTES,
  MAX_MODEL_PARAMETERS,
  MODEL_FORMAT,
  MODEL_VERSION,
  layerActivations,
  parameterCount,
  type HistoryPoint,
  type InputDescription,
  type Model,
  type TrainingRecord,
} from './model.js';

/**
 * Weights and biases beyond this size come only from a run that diverged (a working network's are
 * below 100); such a model gives NaN or meaningless outputs, so it is refused when loaded.
 */
export const MAX_PARAMETER_MAGNITUDE = 1e6;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Reads and validates a model file; every problem is an MnnError that names the file. */
export function loadModel(path: string): Model {
  const bytes = readRegularFile(path, {
    what: 'model file',
    maxBytes: MAX_MODEL_FILE_BYTES,
    missingHint: 'train a model first, or give the path of a saved one',
    limitReason: 'parsing a larger one would not fit in memory; is it a model?',
  });
  return parseModel(bytes.toString('utf8'), path);
}

/**
 * What JSON.parse costs beyond the text, measured on Node 20: about 30 bytes per scalar value
 * (a number in an array), about 100 per array or object (empty ones included).
 */
const PARSE_BYTES_PER_VALUE = 32;
const PARSE_BYTES_PER_CONTAINER = 96;
/** The most memory parsing a model file may take: keeps loading under 1 GB in all. */
export const MAX_PARSE_BYTES = 700_000_000;

/**
 * Refuses, before parsing, a text whose JSON values would take more than MAX_PARSE_BYTES: a file
 * within the size limit can still hold tens of millions of tiny values ("[],[],…" or "0,0,…").
 */
function checkParseCost(text: string, fileName: string): void {
  let separators = 0;
  let containers = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x2c)
      separators++; // ,
    else if (code === 0x5b || code === 0x7b) containers++; // [ {
  }
  const cost =
    text.length + PARSE_BYTES_PER_VALUE * separators + PARSE_BYTES_PER_CONTAINER * containers;
  if (cost > MAX_PARSE_BYTES) {
    throw new MnnError(
      `${fileName} would take about ${formatByteSize(cost)} of memory to parse (${separators + 1} values), over the limit of ${formatByteSize(MAX_PARSE_BYTES)}`,
      { kind: 'limit', hint: 'is it a model saved by mnn?' },
    );
  }
}

/** Parses and validates the JSON text of a model (schema v1). */
export function parseModel(text: string, fileName: string): Model {
  const fail = (problem: string): never => {
    throw new MnnError(`${fileName} is not a valid mnn model: ${problem}.`);
  };
  checkParseCost(text, fileName);
  let document: Json;
  try {
    // An editor may have saved the file with a byte-order mark, which JSON does not allow.
    document = JSON.parse(text.startsWith('\ufeff') ? text.slice(1) : text) as Json;
  } catch {
    throw new MnnError(`${fileName} is not a model file (not JSON)`, {
      hint: 'give the path of a model saved by mnn',
    });
  }
  const root = asObject(document, 'the file', fail);
  if (root.format !== MODEL_FORMAT) {
    fail(`"format" is ${JSON.stringify(root.format ?? null)}, expected "${MODEL_FORMAT}"`);
  }
  if (root.version !== MODEL_VERSION) {
    fail(
      `"version" is ${JSON.stringify(root.version ?? null)}; this mnn reads version ${MODEL_VERSION}`,
    );
  }
  const layerSizes = readLayerSizes(root.layers, fail);
  readActivations(root.activations, layerSizes.length - 1, fail);
  const parameters = readParameters(root, layerSizes, fail);
  const outputSize = layerSizes[layerSizes.length - 1];
  return {
    parameters,
    labels: readLabels(root.labels, outputSize, fail),
    input: readInput(root.input, layerSizes[0], fail),
    training: root.training === undefined ? undefined : readTraining(root.training, fail),
    createdBy:
      typeof root.createdBy === 'string'
        ? printable(root.createdBy, '"createdBy"', fail)
        : 'unknown',
    createdAt:
      typeof root.createdAt === 'string' ? printable(root.createdAt, '"createdAt"', fail) : '',
  };
}

type Fail = (problem: string) => never;

function asObject(value: Json | undefined, what: string, fail: Fail): JsonObject {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) {
    return fail(`${what} must be a JSON object`);
  }
  return value;
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
  const count = parameterCount(sizes);
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

/** Reads W⁽ℓ⁾ (n_ℓ × n_{ℓ−1}) and b⁽ℓ⁾ (n_ℓ), checking each length before copying. */
function readParameters(root: JsonObject, layerSizes: number[], fail: Fail): Parameters {
  const layerCount = layerSizes.length - 1;
  const weights = root.weights;
  const biases = root.biases;
  if (!Array.isArray(weights) || weights.length !== layerCount) {
    return fail(`"weights" must hold ${layerCount} arrays, one per layer`);
  }
  if (!Array.isArray(biases) || biases.length !== layerCount) {
    return fail(`"biases" must hold ${layerCount} arrays, one per layer`);
  }
  const W: Float64Array[] = [];
  const b: Float64Array[] = [];
  for (let l = 1; l <= layerCount; l++) {
    W.push(
      readNumbers(
        weights[l - 1],
        layerSizes[l] * layerSizes[l - 1],
        `"weights"[${l - 1}] (W of layer ${l}, ${layerSizes[l]}×${layerSizes[l - 1]})`,
        fail,
      ),
    );
    b.push(readNumbers(biases[l - 1], layerSizes[l], `"biases"[${l - 1}] (b of layer ${l})`, fail));
  }
  return { layerSizes, W, b };
}

function readNumbers(value: Json, length: number, what: string, fail: Fail): Float64Array {
  if (!Array.isArray(value)) return fail(`${what} must be an array of numbers`);
  if (value.length !== length)
    return fail(`${what} has ${value.length} numbers, expected ${length}`);
  const numbers = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const number = value[i];
    if (typeof number !== 'number' || !Number.isFinite(number)) {
      // String(): 1e999 in the file parses to Infinity, which JSON.stringify would show as null.
      const shown = typeof number === 'number' ? String(number) : JSON.stringify(number);
      return fail(`${what}[${i}] is ${shown}, not a finite number`);
    }
    if (Math.abs(number) > MAX_PARAMETER_MAGNITUDE) {
      return fail(
        `${what}[${i}] is ${number.toPrecision(3)}, far beyond a working network's (at most ${MAX_PARAMETER_MAGNITUDE}): it was saved by a training run that diverged; train it again with a smaller learning rate`,
      );
    }
    numbers[i] = number;
  }
  return numbers;
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
  const labels = value as string[];
  labels.forEach((label, index) => printable(label, `"labels"[${index}]`, fail));
  return labels;
}

/**
 * Refuses text with control characters (C0, DEL, C1): a model file's strings are printed on
 * terminals, where escape sequences could rewrite the screen or the window title.
 */
function printable(text: string, what: string, fail: Fail): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is looked for
  if (/[\u0000-\u001f\u007f-\u009f]/.test(text)) fail(`${what} contains control characters`);
  return text;
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

/** Whether a JSON value is a whole number of at least `min` (and a safe integer). */
function isWholeNumber(value: Json | undefined, min: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}

/** Reads the training record; the fields a resumed run relies on must be in range. */
function readTraining(value: Json, fail: Fail): TrainingRecord {
  const training = asObject(value, '"training"', fail);
  const number = (key: string, fallback = 0): number => {
    const field = training[key];
    if (field === undefined) return fallback;
    if (typeof field !== 'number' || !Number.isFinite(field)) {
      return fail(`"training.${key}" must be a finite number`);
    }
    return field;
  };
  const whole = (key: string, min: number, fallback: number): number => {
    const field = training[key];
    if (field === undefined) return fallback;
    if (!isWholeNumber(field, min)) {
      return fail(`"training.${key}" must be a whole number of at least ${min}`);
    }
    return field;
  };
  const alpha = training.alpha;
  if (typeof alpha !== 'number' || !(alpha > 0) || !Number.isFinite(alpha)) {
    return fail('"training.alpha" must be a learning rate above 0');
  }
  const iterations = whole('iterations', 0, 0);
  const history = Array.isArray(training.history)
    ? training.history.map((point) => readHistoryPoint(point, fail))
    : [];
  return {
    dataset:
      typeof training.dataset === 'string'
        ? printable(training.dataset, '"training.dataset"', fail)
        : 'embedded',
    samples: whole('samples', 0, 0),
    alpha,
    iterations,
    targetIterations: whole('targetIterations', 0, iterations),
    seed: whole('seed', 0, 1),
    init: training.init === 'uniform' ? 'uniform' : 'he',
    evalEvery: whole('evalEvery', 1, 100),
    loss: number('loss'),
    trainAccuracy: number('trainAccuracy'),
    testAccuracy: number('testAccuracy'),
    seconds: number('seconds'),
    complete: training.complete !== false,
    history,
  };
}

function readHistoryPoint(value: Json, fail: Fail): HistoryPoint {
  const point = asObject(value, '"training.history" entries', fail);
  const field = (key: string): number => {
    const number = point[key];
    return typeof number === 'number'
      ? number
      : fail(`"training.history" entry lacks a number "${key}"`);
  };
  return {
    iteration: field('iteration'),
    loss: field('loss'),
    trainAccuracy: field('trainAccuracy'),
    testAccuracy: field('testAccuracy'),
  };
}
