import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MnnError } from '../../src/errors.js';
import { loadModel, parseModel } from '../../src/model/load.js';
import type { Model } from '../../src/model/model.js';
import { saveModel, serializeModel } from '../../src/model/save.js';
import { Random } from '../../src/nn/random.js';

/** A small model with awkward float64 values (subnormals, long mantissas) to prove exact round trips. */
function sampleModel(): Model {
  const random = new Random(7);
  const layerSizes = [4, 3, 2];
  const W = [new Float64Array(12), new Float64Array(6)];
  const b = [new Float64Array(3), new Float64Array(2)];
  for (const array of [...W, ...b])
    for (let i = 0; i < array.length; i++) array[i] = random.normal() / 3;
  W[0][0] = 5e-324;
  W[1][5] = -1.0000000000000002;
  return {
    parameters: { layerSizes, W, b },
    labels: ['a', 'b'],
    input: { width: 2, height: 2, scale: 255 },
    training: {
      dataset: 'embedded',
      samples: 8,
      alpha: 0.1,
      iterations: 3,
      targetIterations: 3,
      seed: 1,
      init: 'he',
      evalEvery: 1,
      optimizer: { kind: 'gd', weightDecay: 0 },
      schedule: { kind: 'constant', warmup: 0 },
      dropout: 0,
      validation: 0,
      maxShift: 0,
      loss: 0.5,
      trainAccuracy: 0.75,
      testAccuracy: 0.5,
      seconds: 0.01,
      complete: true,
      stoppedEarly: false,
      history: [{ iteration: 0, loss: 0.7, trainAccuracy: 0.5, testAccuracy: 0.5 }],
    },
    createdBy: 'mnn test',
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

/** Parses a model JSON after an edit, returning the error message (or undefined when it loads). */
function errorAfterEdit(edit: (document: Record<string, unknown>) => void): string | undefined {
  const document = JSON.parse(serializeModel(sampleModel())) as Record<string, unknown>;
  edit(document);
  try {
    parseModel(JSON.stringify(document), 'm.json');
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(MnnError);
    return (error as Error).message;
  }
}

describe('model files', () => {
  it('save then load gives back bit-identical parameters and the metadata', () => {
    const directory = mkdtempSync(join(tmpdir(), 'mnn-model-'));
    const path = join(directory, 'nested', 'model.json');
    const model = sampleModel();
    saveModel(path, model);
    const loaded = loadModel(path);
    expect(loaded.parameters.layerSizes).toEqual([4, 3, 2]);
    for (let l = 0; l < 2; l++) {
      expect(Array.from(loaded.parameters.W[l])).toEqual(Array.from(model.parameters.W[l]));
      expect(Array.from(loaded.parameters.b[l])).toEqual(Array.from(model.parameters.b[l]));
    }
    expect(loaded.labels).toEqual(['a', 'b']);
    expect(loaded.training?.history).toEqual(model.training?.history);
    expect(serializeModel(loaded)).toBe(readFileSync(path, 'utf8'));
  });

  it('writes the documented schema fields', () => {
    const document = JSON.parse(serializeModel(sampleModel())) as Record<string, unknown>;
    expect(document.format).toBe('mnn-model');
    expect(document.version).toBe(2);
    expect(document.activations).toEqual(['relu', 'softmax']);
    expect(Object.keys(document)).toEqual(
      expect.arrayContaining([
        'layers',
        'weights',
        'biases',
        'input',
        'training',
        'createdBy',
        'createdAt',
      ]),
    );
  });

  it.each([
    ['a wrong format name', (d: Record<string, unknown>) => (d.format = 'keras'), /"format"/],
    ['no version', (d: Record<string, unknown>) => delete d.version, /"version" is null/],
    ['one layer size', (d: Record<string, unknown>) => (d.layers = [4]), /at least two/],
    [
      'a fractional layer size',
      (d: Record<string, unknown>) => (d.layers = [4, 2.5, 2]),
      /whole number/,
    ],
    [
      'an enormous network',
      (d: Record<string, unknown>) => (d.layers = [100000, 100000, 10]),
      /over the limit/,
    ],
    [
      'a short weight array',
      (d: Record<string, unknown>) => ((d.weights as number[][])[0] = [1, 2]),
      /has 2 numbers, expected 12/,
    ],
    [
      'a missing bias layer',
      (d: Record<string, unknown>) => (d.biases = [[0, 0, 0]]),
      /"biases" must hold 2/,
    ],
    [
      'a non-number weight',
      (d: Record<string, unknown>) => ((d.weights as unknown[][])[1][0] = 'x'),
      /not a finite number/,
    ],
    ['labels of the wrong count', (d: Record<string, unknown>) => (d.labels = ['a']), /"labels"/],
    [
      'input size not matching layer 0',
      (d: Record<string, unknown>) => (d.input = { width: 3, height: 3, scale: 255 }),
      /"input"/,
    ],
  ])('refuses %s with a message naming the file', (_name, edit, expected) => {
    const message = errorAfterEdit(edit);
    expect(message).toMatch(expected);
    expect(message).toMatch(/^m\.json is not a valid mnn model/);
  });

  it('refuses a file from a newer mnn, naming both versions', () => {
    const message = errorAfterEdit((d) => (d.version = 3));
    expect(message).toBe(
      'm.json is a version 3 model file, written by a newer mnn; this mnn reads versions 1 to 2',
    );
  });

  it("loads a version 1 file as the paper's full-batch gradient descent", () => {
    const document = JSON.parse(serializeModel(sampleModel())) as {
      version: number;
      training: Record<string, unknown>;
    };
    document.version = 1;
    for (const key of [
      'optimizer',
      'schedule',
      'dropout',
      'validation',
      'maxShift',
      'stoppedEarly',
    ])
      delete document.training[key];
    const training = parseModel(JSON.stringify(document), 'v1.json').training;
    expect(training).toMatchObject({
      optimizer: { kind: 'gd', weightDecay: 0 },
      schedule: { kind: 'constant', warmup: 0 },
      dropout: 0,
      validation: 0,
      maxShift: 0,
      stoppedEarly: false,
    });
    expect(training?.batchSize).toBeUndefined();
    expect(training?.checkpoint).toBeUndefined();
  });

  it("round-trips a checkpoint's Adam state, latest parameters and best point bit for bit", () => {
    const model = sampleModel();
    const random = new Random(3);
    const arrays = () => ({
      layerSizes: [4, 3, 2],
      W: [12, 6].map((n) => Float64Array.from({ length: n }, () => random.normal() * 1e-9)),
      b: [3, 2].map((n) => Float64Array.from({ length: n }, () => random.normal())),
    });
    const checkpoint = {
      parameters: arrays(),
      optimizer: { t: 7, M: arrays(), S: arrays() },
      best: { iteration: 5, validationAccuracy: 0.5, validationLoss: 0.9, pointsSince: 1 },
      running: { lossSum: 1.2345678901234567, correct: 3, samples: 4 },
    };
    const training = {
      ...model.training!,
      optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 },
      validation: 2,
      complete: false,
      checkpoint,
    } as const;
    const loaded = parseModel(serializeModel({ ...model, training }), 'c.json').training;
    expect(loaded?.checkpoint).toEqual(checkpoint);
    expect(loaded?.optimizer).toEqual(training.optimizer);
  });

  it.each([
    [
      'Adam state for momentum',
      { kind: 'momentum', momentum: 0.9, weightDecay: 0 },
      /does not hold the state of the momentum optimizer/,
    ],
    ['an unknown optimizer', { kind: 'rmsprop', weightDecay: 0 }, /"training.optimizer.kind"/],
    [
      'an Adam β₂ of 1',
      { kind: 'adam', beta1: 0.9, beta2: 1, epsilon: 1e-8, weightDecay: 0 },
      /"training.optimizer.beta2" must be in \[0, 1\)/,
    ],
  ])('refuses a checkpoint with %s', (_name, optimizer, expected) => {
    const message = errorAfterEdit((d) => {
      const training = d.training as Record<string, unknown>;
      training.optimizer = optimizer;
      training.checkpoint = {
        optimizer: {
          t: 1,
          M: { weights: d.weights, biases: d.biases },
          S: { weights: d.weights, biases: d.biases },
        },
        running: { lossSum: 0, correct: 0, samples: 0 },
      };
    });
    expect(message).toMatch(expected);
  });

  it('refuses a weight or bias written as 1e999, which JSON parses to ±Infinity (regression: issue 14)', () => {
    const text = serializeModel(sampleModel());
    const first = /"weights":\[\[([^,\]]+)/.exec(text)?.[1] ?? '';
    const firstBias = /"biases":\[\[([^,\]]+)/.exec(text)?.[1] ?? '';
    for (const [from, to, where] of [
      [
        `"weights":[[${first}`,
        '"weights":[[1e999',
        /"weights"\[0\] \(W of layer 1, 3×4\)\[0\] is Infinity/,
      ],
      [`"weights":[[${first}`, '"weights":[[-1e999', /\[0\] is -Infinity/],
      [
        `"biases":[[${firstBias}`,
        '"biases":[[1e999',
        /"biases"\[0\] \(b of layer 1\)\[0\] is Infinity/,
      ],
    ] as const) {
      expect(text).toContain(from);
      const load = () => parseModel(text.replace(from, to), 'm.json');
      expect(load).toThrow(MnnError);
      expect(load).toThrow(/not a finite number/);
      expect(load).toThrow(where);
    }
  });

  it('refuses text that is not JSON, and a missing file', () => {
    const directory = mkdtempSync(join(tmpdir(), 'mnn-model-'));
    const path = join(directory, 'notes.json');
    writeFileSync(path, 'hello');
    expect(() => loadModel(path)).toThrow(/not a model file \(not JSON\)/);
    expect(() => loadModel(join(directory, 'absent.json'))).toThrow(/not found/);
  });
});
