import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MnnError } from '../../src/errors.js';
import { createModel, defaultInput, defaultLabels } from '../../src/model/create.js';
import { loadModel, parseModel } from '../../src/model/load.js';
import { serializeModel } from '../../src/model/save.js';
import { initParameters } from '../../src/nn/init.js';

// The top level of a model file: each field's default, and the exact message past each edge.

type Document = Record<string, unknown>;

/** A valid 4-3-2 model document (version 2, no training record). */
function validDocument(): Document {
  return {
    format: 'mnn-model',
    version: 2,
    layers: [4, 3, 2],
    weights: [new Array(12).fill(0.5), new Array(6).fill(-0.5)],
    biases: [
      [0, 0, 0],
      [0, 0],
    ],
  };
}

/** The error parsing the document after `edit` gives (undefined when it loads). */
function errorAfter(edit: (document: Document) => void): MnnError | undefined {
  const document = validDocument();
  edit(document);
  try {
    parseModel(JSON.stringify(document), 'm.json');
  } catch (error) {
    if (!(error instanceof MnnError)) throw error;
    return error;
  }
  return undefined;
}

/** The problem reported after `edit` (the text after "m.json is not a valid mnn model: "). */
function problemAfter(edit: (document: Document) => void): string | undefined {
  return errorAfter(edit)?.message.replace(/^m\.json is not a valid mnn model: /, '');
}

describe('a model document', () => {
  it('gives defaults for what it leaves out', () => {
    const model = parseModel(JSON.stringify(validDocument()), 'm.json');
    expect(model.labels).toEqual(['0', '1']);
    expect(model.input).toEqual({ width: 2, height: 2, scale: 255 });
    expect(model.training).toBeUndefined();
    expect(model.createdBy).toBe('unknown');
    expect(model.createdAt).toBe('');
    expect(model.parameters.W[1]).toEqual(new Float64Array(6).fill(-0.5));
  });

  it('keeps what it says', () => {
    const document = {
      ...validDocument(),
      version: 1,
      activations: ['relu', 'softmax'],
      labels: ['no', 'yes'],
      input: { width: 4, height: 1, scale: 1 },
      createdBy: 'someone',
      createdAt: 'today',
    };
    expect(parseModel(JSON.stringify(document), 'm.json')).toMatchObject({
      labels: ['no', 'yes'],
      input: { width: 4, height: 1, scale: 1 },
      createdBy: 'someone',
      createdAt: 'today',
    });
  });

  it.each<[string, (d: Document) => void, string]>([
    ['a format of null', (d) => (d.format = null), '"format" is null, expected "mnn-model"'],
    ['no format', (d) => delete d.format, '"format" is null, expected "mnn-model"'],
    ['version 0', (d) => (d.version = 0), '"version" is 0; this mnn reads versions 1 to 2'],
    ['version "2"', (d) => (d.version = '2'), '"version" is "2"; this mnn reads versions 1 to 2'],
    ['version 1.5', (d) => (d.version = 1.5), '"version" is 1.5; this mnn reads versions 1 to 2'],
    [
      'layers that are not a list',
      (d) => (d.layers = 4),
      '"layers" must list at least two layer sizes',
    ],
    [
      'a layer size as text',
      (d) => (d.layers = [4, '3', 2]),
      '"layers"[1] must be a whole number from 1 to 100000',
    ],
    [
      'a layer of 100 001',
      (d) => (d.layers = [4, 100001, 2]),
      '"layers"[1] must be a whole number from 1 to 100000',
    ],
    [
      'layers of 9 003 000 parameters',
      (d) => (d.layers = [3000, 3000]),
      '"layers" 3000,3000 describe 9003000 parameters, over the limit of 8000000',
    ],
    [
      'exactly 8 × 10⁶ parameters (the limit) whose arrays do not match',
      (d) => (d.layers = [7999, 1000]),
      '"weights" must hold 1 arrays, one per layer',
    ],
    [
      'parameters counted with biases over the limit',
      (d) => (d.layers = [2000, 2000, 1999]),
      '"layers" 2000,2000,1999 describe 8001999 parameters, over the limit of 8000000',
    ],
    [
      'activations that are not a list',
      (d) => (d.activations = 'relu'),
      '"activations" must be ["relu","softmax"] (ReLU hidden layers, softmax output)',
    ],
    [
      'one activation too few',
      (d) => (d.activations = ['relu']),
      '"activations" must be ["relu","softmax"] (ReLU hidden layers, softmax output)',
    ],
    [
      'a sigmoid output',
      (d) => (d.activations = ['relu', 'sigmoid']),
      '"activations" must be ["relu","softmax"] (ReLU hidden layers, softmax output)',
    ],
    [
      'labels that are not a list',
      (d) => (d.labels = 'ab'),
      '"labels" must list 2 class names, one per output neuron',
    ],
    [
      'a numeric label',
      (d) => (d.labels = ['a', 2]),
      '"labels" must list 2 class names, one per output neuron',
    ],
    ['an input that is not an object', (d) => (d.input = [2, 2]), '"input" must be a JSON object'],
    [
      'an input of width 0',
      (d) => (d.input = { width: 0, height: 4, scale: 255 }),
      '"input" must give width × height = 4 pixels and a positive scale',
    ],
    [
      'an input of height 0',
      (d) => (d.input = { width: 4, height: 0, scale: 255 }),
      '"input" must give width × height = 4 pixels and a positive scale',
    ],
    [
      'a scale of 0',
      (d) => (d.input = { width: 2, height: 2, scale: 0 }),
      '"input" must give width × height = 4 pixels and a positive scale',
    ],
    [
      'a scale as text',
      (d) => (d.input = { width: 2, height: 2, scale: '255' }),
      '"input" must give width × height = 4 pixels and a positive scale',
    ],
    [
      'weights that are not a list',
      (d) => (d.weights = {}),
      '"weights" must hold 2 arrays, one per layer',
    ],
    [
      'biases that are not a list',
      (d) => (d.biases = 0),
      '"biases" must hold 2 arrays, one per layer',
    ],
    [
      'a layer of weights that is not a list',
      (d) => ((d.weights as unknown[])[1] = 7),
      '"weights"[1] (W of layer 2, 2×3) must be an array of numbers',
    ],
    [
      'a bias of null',
      (d) => ((d.biases as unknown[][])[1][1] = null),
      '"biases"[1] (b of layer 2)[1] is null, not a finite number',
    ],
    [
      'a weight as text',
      (d) => ((d.weights as unknown[][])[0][11] = '0.5'),
      '"weights"[0] (W of layer 1, 3×4)[11] is "0.5", not a finite number',
    ],
    [
      'a short bias array',
      (d) => ((d.biases as unknown[][])[1] = [0]),
      '"biases"[1] (b of layer 2) has 1 numbers, expected 2',
    ],
  ])('refuses %s', (_name, edit, expected) => {
    expect(problemAfter(edit)).toBe(`${expected}.`);
  });

  it('refuses text that is not a JSON object, saying what to do with a non-JSON file', () => {
    expect(() => parseModel('[1, 2]', 'm.json')).toThrow(
      'm.json is not a valid mnn model: the file must be a JSON object.',
    );
    expect(() => parseModel('null', 'm.json')).toThrow('the file must be a JSON object');
    const error = (() => {
      try {
        parseModel('{', 'm.json');
      } catch (caught) {
        return caught as MnnError;
      }
    })();
    expect(error?.message).toBe('m.json is not a model file (not JSON)');
    expect(error?.hint).toBe('give the path of a model saved by mnn');
    expect(error?.kind).toBe('input');
  });

  it('says a newer version needs a newer mnn', () => {
    const error = errorAfter((d) => (d.version = 3));
    expect(error?.hint).toBe('update mnn to use it');
  });

  it('reports a missing file and an unreadable one in their own words', () => {
    const directory = mkdtempSync(join(tmpdir(), 'mnn-document-'));
    const missing = join(directory, 'absent.json');
    expect(() => loadModel(missing)).toThrow(
      expect.objectContaining({
        message: `model file ${missing} not found`,
        hint: 'train a model first, or give the path of a saved one',
        kind: 'input',
      }),
    );
    expect(() => loadModel(directory)).toThrow(
      expect.objectContaining({
        message: `cannot read model file ${directory}: it is a directory, not a regular file`,
        hint: 'give the path of a regular file',
        kind: 'input',
      }),
    );
  });
});

describe('createModel and its defaults', () => {
  it('labels classes 0, 1, … and takes n₀ as a square image when it is one, else one row', () => {
    expect(defaultLabels(3)).toEqual(['0', '1', '2']);
    expect(defaultInput(784)).toEqual({ width: 28, height: 28, scale: 255 });
    expect(defaultInput(6)).toEqual({ width: 6, height: 1, scale: 255 });
  });

  it('stamps the version and time, and keeps given labels, input and training', () => {
    const parameters = initParameters([6, 2], { init: 'he', seed: 1 });
    const before = Date.now();
    const model = createModel(parameters);
    const after = Date.now();
    expect(model).toMatchObject({
      parameters,
      labels: ['0', '1'],
      input: { width: 6, height: 1, scale: 255 },
    });
    expect(model.createdBy).toMatch(/^mnn \d+\.\d+\.\d+/);
    expect(Date.parse(model.createdAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(model.createdAt)).toBeLessThanOrEqual(after);
    expect('training' in model).toBe(false);
    const input = { width: 3, height: 2, scale: 1 };
    const training = parseModel(
      JSON.stringify({ ...validDocument(), training: { alpha: 0.1 } }),
      'm.json',
    ).training;
    const described = createModel(parameters, { labels: ['x', 'y'], input, training });
    expect(described).toMatchObject({ labels: ['x', 'y'], input, training });
  });

  it('serializes to one line of JSON and a newline', () => {
    const text = serializeModel(createModel(initParameters([4, 2], { init: 'he', seed: 2 })));
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.indexOf('\n')).toBe(text.length - 1);
  });
});
