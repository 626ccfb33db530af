/**
 * Issue 9, finding 2: a diverging run never replaces the previous good model, says so and exits
 * non-zero; a run that learned nothing says so; a model with exploded weights is refused.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDatasetDirectory } from '../../src/data/directory.js';
import { parseModel } from '../../src/model/load.js';
import type { Model } from '../../src/model/model.js';
import { initParameters } from '../../src/nn/init.js';
import { classifyDigit } from '../../src/predict/predict.js';
import { evaluate } from '../../src/train/evaluate.js';
import { runCli } from '../helpers/cli-process.js';
import { writeTinyDataset } from '../helpers/tiny-data.js';

let root: string;
let data: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mnn-diverge-'));
  data = join(root, 'data');
  writeTinyDataset(data, { train: 30, test: 10 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh working directory for one test. */
function workspace(name: string): string {
  const directory = join(root, name);
  mkdirSync(directory);
  return directory;
}

/** A model file as mnn reads it. */
function readModel(path: string): Model {
  return parseModel(readFileSync(path, 'utf8'), path);
}

describe('a run that diverges', () => {
  it('keeps the previous good model with --checkpoint-every 1, exits 1 and says to lower --alpha', async () => {
    const cwd = workspace('keeps-good-model');
    const good = await runCli(['train', '--data', data, '--iters', '30', '--out', 'm.json'], cwd);
    expect(good.code).toBe(0);
    const before = readFileSync(join(cwd, 'm.json'), 'utf8');
    const result = await runCli(
      [
        'train',
        '--data',
        data,
        '--layers',
        '784,64,64,10',
        '--alpha',
        '1000',
        '--iters',
        '50',
        '--checkpoint-every',
        '1',
        '--out',
        'm.json',
      ],
      cwd,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: training diverged at iteration \d+: the loss rose to /);
    expect(result.stderr).toContain('try a learning rate about 10 times smaller (--alpha)');
    expect(result.stderr).not.toMatch(/^\s+at /m);
    // Whatever file is there holds weights whose loss is finite: the old model or a sane checkpoint.
    const saved = readModel(join(cwd, 'm.json'));
    const { train } = loadDatasetDirectory(data);
    expect(Number.isFinite(evaluate(saved.parameters, train).loss)).toBe(true);
    expect(readFileSync(join(cwd, 'm.json'), 'utf8')).toBe(before);
  });

  it('784-10-10 with --alpha 1000 is not "done": the exploding loss stops it with exit 1', async () => {
    const cwd = workspace('alpha-1000');
    const result = await runCli(
      ['train', '--data', data, '--alpha', '1000', '--iters', '30', '--out', 'm.json'],
      cwd,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('done');
    expect(result.stderr).toContain('training diverged at iteration 1');
  });

  it('warns when a run ends no better than chance', async () => {
    const cwd = workspace('chance');
    const result = await runCli(
      [
        'train',
        '--data',
        data,
        '--alpha',
        '0.000001',
        '--iters',
        '2',
        '--seed',
        '2',
        '--out',
        'm.json',
      ],
      cwd,
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /warning: the model is no better than chance \(training accuracy [\d.]+% with 10 classes\); train longer, or try another --alpha/,
    );
  });
});

describe('a model saved by a run that diverged', () => {
  const exploded = (magnitude: number): Model => {
    const parameters = initParameters([784, 10, 10], { init: 'he', seed: 1 });
    parameters.W[0].fill(magnitude);
    return {
      parameters,
      labels: Array.from({ length: 10 }, (_, i) => String(i)),
      input: { width: 28, height: 28, scale: 255 },
      createdBy: 'test',
      createdAt: '',
    };
  };

  it('is refused by eval and predict, with a reason instead of NaN and undefined', async () => {
    const cwd = workspace('exploded-model');
    const model = exploded(1e121);
    const text = JSON.stringify({
      format: 'mnn-model',
      version: 1,
      layers: [784, 10, 10],
      labels: model.labels,
      input: model.input,
      weights: model.parameters.W.map((w) => Array.from(w)),
      biases: model.parameters.b.map((b) => Array.from(b)),
    });
    writeFileSync(join(cwd, 'm.json'), text);
    const png = new PNG({ width: 28, height: 28 });
    png.data.fill(255);
    png.data.fill(0, 28 * 4 * 10, 28 * 4 * 14);
    writeFileSync(join(cwd, 'digit.png'), PNG.sync.write(png));
    const evaluation = await runCli(['eval', 'm.json', '--data', data], cwd);
    const prediction = await runCli(['predict', 'digit.png', '--model', 'm.json'], cwd);
    for (const result of [evaluation, prediction]) {
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('is 1.00e+121, far beyond a working network');
      expect(result.stdout).not.toMatch(/NaN|undefined/);
    }
  });

  it('gives no NaN prediction even when built in memory (the library refuses it too)', () => {
    expect(() => classifyDigit(exploded(Number.NaN), new Uint8Array(784).fill(255))).toThrow(
      'the model gives no usable probabilities (not numbers) for this image',
    );
  });
});
