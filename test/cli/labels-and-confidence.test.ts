/**
 * Issue 9, findings 12 and 13: a model never silently meets data of other classes (resume
 * refuses, eval warns), and predict says when its answer is unsure or the image may not be a
 * digit at all, in text and in JSON.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../src/nn/random.js';
import { runCli } from '../helpers/cli-process.js';
import { writeTinyDataset } from '../helpers/tiny-data.js';

let root: string;
const at = (name: string): string => join(root, name);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mnn-labels-'));
  writeTinyDataset(at('mnist'), { train: 20, test: 10 });
  writeTinyDataset(at('fashion'), { train: 20, test: 10, seed: 9 });
  const digits = await runCli(
    ['train', '--data', at('mnist'), '--iters', '5', '--out', 'digits.json'],
    root,
  );
  const fashion = await runCli(
    ['train', '--data', at('fashion'), '--iters', '5', '--out', 'fashion.json'],
    root,
  );
  expect([digits.code, fashion.code]).toEqual([0, 0]);
  const trained = await runCli(['train', '--iters', '200', '--out', 'embedded.json'], root);
  expect(trained.code).toBe(0);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('finding 12: models and data of other classes', () => {
  it('--resume of a digits model onto Fashion-MNIST is refused, naming both class sets', async () => {
    const result = await runCli(
      ['train', '--resume', 'digits.json', '--data', at('fashion'), '--iters', '10'],
      root,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'digits.json knows the classes 0, 1, 2, … but the data holds Fashion-MNIST (T-shirt/top, Trouser, Pullover, …)',
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--resume onto other classes is allowed when --labels says which names to keep', async () => {
    const result = await runCli(
      [
        'train',
        '--resume',
        'digits.json',
        '--data',
        at('fashion'),
        '--iters',
        '20',
        '--labels',
        'fashion',
        '--out',
        'tuned.json',
      ],
      root,
    );
    expect(result.code).toBe(0);
  });

  it.each([
    ['digits.json', 'fashion', 'Fashion-MNIST (T-shirt/top, Trouser, Pullover, …)'],
    ['fashion.json', 'mnist', 'MNIST (0, 1, 2, …)'],
  ])('eval of %s on %s data warns, in text and JSON', async (model, data, holds) => {
    const dataDir = at(data);
    const text = await runCli(['eval', model, '--data', dataDir], root);
    expect(text.code).toBe(0);
    expect(text.stderr).toContain(`warning: ${model} knows the classes`);
    expect(text.stderr).toContain(`but the data holds ${holds}`);
    const json = await runCli(['eval', model, '--data', dataDir, '--json'], root);
    expect((JSON.parse(json.stdout) as { warning?: string }).warning).toContain(
      `but the data holds ${holds}`,
    );
  });

  it('eval of a model on its own kind of data does not warn', async () => {
    const result = await runCli(['eval', 'fashion.json'], root);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });
});

/** A 28×28 PNG of random grey noise. */
function noisePng(): Buffer {
  const random = new Random(3);
  const png = new PNG({ width: 28, height: 28 });
  for (let i = 0; i < 28 * 28; i++) {
    const grey = random.integer(256);
    png.data.set([grey, grey, grey, 255], i * 4);
  }
  return PNG.sync.write(png);
}

describe('finding 13: predict says when it is unsure', () => {
  it('random noise: "may not be a digit", in text and JSON, still exit 0', async () => {
    writeFileSync(at('noise.png'), noisePng());
    const text = await runCli(['predict', 'noise.png', '--model', 'embedded.json'], root);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /warning: may not be a digit: the most likely class has only [\d.]+% \(under 50%\)/,
    );
    const json = await runCli(['predict', 'noise.png', '--model', 'embedded.json', '--json'], root);
    const [result] = JSON.parse(json.stdout) as { warning?: string; confidence: number }[];
    expect(result.warning).toBe('may not be a digit');
    expect(result.confidence).toBeLessThan(0.5);
  });
});
