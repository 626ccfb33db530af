import { MnnError } from '../errors.js';
import { formatByteSize, readRegularFile } from '../io/bounded-read.js';
import {
  asObject,
  isWholeNumber,
  printable,
  readParameters,
  type Fail,
  type Json,
} from './json-read.js';
import { readTraining } from './load-training.js';
import { isLayerSize, LAYER_SIZE_RULE } from '../nn/parameters.js';
import { defaultInput, defaultLabels } from './create.js';
import {
  MAX_MODEL_FILE_BYTES,
  MAX_MODEL_PARAMETERS,
  MODEL_FORMAT,
  MODEL_VERSION,
  layerActivations,
  parameterCount,
  type InputDescription,
  type Model,
} from './model.js';

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
    createdBy:
      typeof root.createdBy === 'string'
        ? printable(root.createdBy, '"createdBy"', fail)
        : 'unknown',
    createdAt:
      typeof root.createdAt === 'string' ? printable(root.createdAt, '"createdAt"', fail) : '',
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
