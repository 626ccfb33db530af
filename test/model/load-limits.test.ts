import { closeSync, mkdtempSync, openSync, ftruncateSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MnnError } from '../../src/errors.js';
import { loadModel, parseModel } from '../../src/model/load.js';
import { MAX_MODEL_FILE_BYTES } from '../../src/model/model.js';

const directory = mkdtempSync(join(tmpdir(), 'mnn-load-limits-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** A valid 4-3-2 model document, edited by `edit` and parsed; returns the error message or ''. */
function messageAfter(edit: (document: Record<string, unknown>) => void): string {
  const document: Record<string, unknown> = {
    format: 'mnn-model',
    version: 1,
    layers: [4, 3, 2],
    weights: [new Array(12).fill(0.5), new Array(6).fill(-0.5)],
    biases: [
      [0, 0, 0],
      [0, 0],
    ],
    input: { width: 2, height: 2, scale: 255 },
    training: { alpha: 0.1, iterations: 5, targetIterations: 10, evalEvery: 1, seed: 1 },
  };
  edit(document);
  try {
    parseModel(JSON.stringify(document), 'm.json');
    return '';
  } catch (error) {
    if (!(error instanceof MnnError)) throw error;
    return error.message;
  }
}

describe('model loading refuses hostile sizes before allocating', () => {
  it('refuses a file over 200 MB from its size alone (a sparse file, nothing read)', () => {
    const path = join(directory, 'huge.json');
    const descriptor = openSync(path, 'w');
    ftruncateSync(descriptor, MAX_MODEL_FILE_BYTES + 1);
    closeSync(descriptor);
    const before = process.memoryUsage().arrayBuffers;
    expect(() => loadModel(path)).toThrow(
      `model file ${path} is ${MAX_MODEL_FILE_BYTES + 1} bytes, over the limit of 200 MB (parsing a larger one would not fit in memory; is it a model?)`,
    );
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 << 20);
  });

  it('refuses layers declaring millions of parameters whose arrays do not match, allocating nothing', () => {
    const before = process.memoryUsage().arrayBuffers;
    expect(messageAfter((d) => (d.layers = [1000, 7000, 2]))).toMatch(
      /"weights"\[0\] .* has 12 numbers, expected 7000000/,
    );
    expect(messageAfter((d) => (d.layers = [10000, 10000, 2]))).toMatch(
      /over the limit of 8000000/,
    );
    expect(messageAfter((d) => (d.layers = [4, 100001, 2]))).toMatch(/from 1 to 100000/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 << 20);
  });

  it('regression (fuzzing): refuses negative or fractional input sizes whose product matches', () => {
    expect(messageAfter((d) => (d.input = { width: -2, height: -2, scale: 255 }))).toContain(
      '"input" must give width × height = 4 pixels',
    );
    expect(messageAfter((d) => (d.input = { width: 0.5, height: 8, scale: 255 }))).toContain(
      '"input"',
    );
  });

  it.each([
    ['iterations', -1, 'whole number of at least 0'],
    ['iterations', 2.5, 'whole number of at least 0'],
    ['targetIterations', -10, 'whole number of at least 0'],
    ['evalEvery', 0, 'whole number of at least 1'],
    ['alpha', 0, 'learning rate above 0'],
    ['alpha', undefined, 'learning rate above 0'],
  ])(
    'regression (fuzzing): refuses training.%s = %s, which resuming relies on',
    (key, value, text) => {
      const message = messageAfter((d) => {
        const training = d.training as Record<string, unknown>;
        if (value === undefined) delete training[key];
        else training[key] = value;
      });
      expect(message).toContain(`"training.${key}"`);
      expect(message).toContain(text);
    },
  );
});
