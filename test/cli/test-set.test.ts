import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testModelsOn } from '../../src/cli/test-set.js';
import { loadDatasetDirectory } from '../../src/data/directory.js';
import { MnnError } from '../../src/errors.js';
import { evaluate } from '../../src/train/evaluate.js';
import { randomDigitModel } from '../helpers/models.js';
import { writeTinyDataset } from '../helpers/tiny-data.js';

describe('testModelsOn (the test results of mnn serve and mnn report)', () => {
  const directory = join(mkdtempSync(join(tmpdir(), 'mnn-test-set-')), 'tiny');
  writeTinyDataset(directory, { test: 50 });

  it('puts each test image in the confusion cell of its label and prediction', () => {
    const model = randomDigitModel([784, 8, 10]);
    const results = testModelsOn('m.json', directory)(model);
    const { test } = loadDatasetDirectory(directory, { splits: 'test' });
    if (!test) throw new Error('no test split');
    const evaluation = evaluate(model.parameters, test, model.input.scale);
    expect(results.confusion).toEqual(evaluation.confusion);
    expect(results.cells.map((row) => row.map((cell) => cell.length))).toEqual(
      evaluation.confusion,
    );
    results.cells.forEach((row, label) =>
      row.forEach((cell, predicted) =>
        cell.forEach((index) => {
          expect(test.labels[index]).toBe(label);
          expect(evaluation.predicted[index]).toBe(predicted);
        }),
      ),
    );
    expect(results.image(3)).toEqual(test.images.subarray(3 * 784, 4 * 784));
    expect(results.samples).toBe(50);
  });

  it('refuses a model whose input does not fit the images', () => {
    const wide = {
      ...randomDigitModel([784, 8, 10]),
      parameters: randomDigitModel([100, 10]).parameters,
    };
    expect(() => testModelsOn('wide.json', directory)(wide)).toThrowError(MnnError);
    expect(() => testModelsOn('wide.json', directory)(wide)).toThrowError(
      /wide\.json expects 100 inputs/,
    );
  });
});
