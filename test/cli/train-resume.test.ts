import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseModel } from '../../src/model/load.js';
import type { Model } from '../../src/model/model.js';
import { runCli, startCli, waitUntil, type CliResult } from '../helpers/cli-process.js';
import { writeTinyDataset } from '../helpers/tiny-data.js';

let root: string;
let data: string;
/** A run too long to finish before the test interrupts it (about 1 ms per iteration). */
const ENDLESS = ['--iters', '10000000'];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mnn-resume-'));
  data = join(root, 'data');
  writeTinyDataset(data, { train: 40, test: 20 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh working directory for one test. */
function workspace(name: string): string {
  const directory = join(root, name);
  mkdirSync(directory);
  return directory;
}

/** Reads a model file the way mnn does. */
function readModel(path: string): Model {
  return parseModel(readFileSync(path, 'utf8'), path);
}

/** The weights and biases of a model file, exactly as written. */
function parametersOf(path: string): unknown {
  const document = JSON.parse(readFileSync(path, 'utf8')) as { weights: unknown; biases: unknown };
  return { weights: document.weights, biases: document.biases };
}

/** Asserts a short error on stderr: no stack trace lines. */
function expectNoStack(result: CliResult): void {
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toContain('internal error');
}

/** Starts an endless training run, waits for its first checkpoint, then sends `signal`. */
async function interruptAfterCheckpoint(
  cwd: string,
  signal: NodeJS.Signals,
  extra: string[] = [],
): Promise<CliResult> {
  const run = startCli(
    [
      'train',
      '--data',
      data,
      ...ENDLESS,
      '--checkpoint-every',
      '50',
      '--eval-every',
      '50',
      ...extra,
    ],
    cwd,
  );
  const checkpoint = join(cwd, 'models', 'model.json');
  await waitUntil(() => existsSync(checkpoint) || run.child.exitCode !== null);
  run.child.kill(signal);
  return run.done;
}

describe('mnn train: Ctrl-C, checkpoints, --resume', () => {
  it('a real SIGINT saves a checkpoint, exits 130, and resuming equals an uninterrupted run', async () => {
    const cwd = workspace('sigint');
    const interrupted = await interruptAfterCheckpoint(cwd, 'SIGINT');
    expect(interrupted.code).toBe(130);
    expectNoStack(interrupted);
    expect(interrupted.stderr).toContain('continue with: mnn train --resume models/model.json');
    const checkpoint = readModel(join(cwd, 'models', 'model.json'));
    const stoppedAt = checkpoint.training?.iterations ?? 0;
    expect(stoppedAt).toBeGreaterThanOrEqual(50);
    expect(checkpoint.training?.complete).toBe(false);
    expect(interrupted.stderr).toContain(`interrupted at iteration ${stoppedAt} of 10000000`);

    const total = String(stoppedAt + 120);
    const resumed = await runCli(['train', '--resume', 'models/model.json', '--iters', total], cwd);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`resuming models/model.json at iteration ${stoppedAt}`);
    const uninterrupted = await runCli(
      ['train', '--data', data, '--iters', total, '--eval-every', '50', '--threads', '1'],
      workspace('uninterrupted'),
    );
    expect(uninterrupted.code).toBe(0);
    const final = readModel(join(cwd, 'models', 'model.json'));
    expect(final.training?.complete).toBe(true);
    expect(final.training?.iterations).toBe(Number(total));
    expect(parametersOf(join(cwd, 'models', 'model.json'))).toEqual(
      parametersOf(join(root, 'uninterrupted', 'models', 'model.json')),
    );
  });

  it('SIGTERM stops the same way; a second signal quits at once and leaves a whole file', async () => {
    const cwd = workspace('sigterm');
    const terminated = await interruptAfterCheckpoint(cwd, 'SIGTERM', ['--json']);
    expect(terminated.code).toBe(143);
    expect(JSON.parse(terminated.stdout)).toMatchObject({ complete: false });
    const path = join(cwd, 'models', 'model.json');
    expect(readModel(path).training?.complete).toBe(false);

    const run = startCli(
      ['train', '--resume', path, ...ENDLESS, '--checkpoint-every', '20', '--json'],
      cwd,
    );
    const before = readFileSync(path, 'utf8');
    await waitUntil(() => readFileSync(path, 'utf8') !== before || run.child.exitCode !== null);
    run.child.kill('SIGINT');
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.code).toBe(130);
    expectNoStack(result);
    expect(readModel(path).training?.complete).toBe(false);
    expect(readdirSync(join(cwd, 'models'))).toEqual(['model.json']);
  });

  it('a checkpoint write that fails mid-run stops training, keeps the previous file and rescues the model', async () => {
    const cwd = workspace('disk-error');
    const real = join(cwd, 'real');
    mkdirSync(real);
    const link = join(cwd, 'out');
    symlinkSync(real, link);
    const rescueDirectory = join(cwd, 'tmp');
    mkdirSync(rescueDirectory);
    const run = startCli(
      ['train', '--data', data, ...ENDLESS, '--checkpoint-every', '50', '--out', 'out/m.json'],
      cwd,
      { TMPDIR: rescueDirectory },
    );
    await waitUntil(() => existsSync(join(real, 'm.json')) || run.child.exitCode !== null);
    // The output directory turns into a file: every later write fails with ENOTDIR.
    rmSync(link);
    writeFileSync(link, 'not a directory');
    const result = await run.done;
    expect(result.code).toBe(1);
    expectNoStack(result);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    // Training stops, and the model it had reached is rescued to the temporary directory.
    const rescued = join(rescueDirectory, `mnn-m-rescued-${run.child.pid}.json`);
    expect(result.stderr).toContain(
      `cannot write out/m.json: a part of the path is a file, not a directory; any previous file there is unchanged; the model was saved to ${rescued} instead`,
    );
    expect(readdirSync(real)).toEqual(['m.json']);
    expect(readModel(join(real, 'm.json')).training?.complete).toBe(false);
    expect(readModel(rescued).training?.iterations).toBeGreaterThan(50);
  });

  it('Adam mini-batches: SIGINT mid-run, --resume, byte-identical to an uninterrupted run on any --threads', async () => {
    const miniBatches = [
      ...['--layers', '784,16,10', '--batch-size', '3', '--optimizer', 'adam', '--lr', '0.003'],
      ...['--validation', '7', '--dropout', '0.2', '--augment', 'shift:1', '--eval-every', '10'],
    ];
    const cwd = workspace('adam');
    const interrupted = await interruptAfterCheckpoint(cwd, 'SIGINT', miniBatches);
    expect(interrupted.code).toBe(130);
    const checkpoint = readModel(join(cwd, 'models', 'model.json'));
    const stoppedAt = checkpoint.training?.iterations ?? 0;
    expect(checkpoint.training?.checkpoint?.optimizer.M).toBeDefined();
    const total = String(stoppedAt + 25);
    const resumed = await runCli(['train', '--resume', 'models/model.json', '--iters', total], cwd);
    expect(resumed.code).toBe(0);
    const runs = await Promise.all(
      ['1', '2', '3'].map((threads) =>
        runCli(
          ['train', '--data', data, '--iters', total, ...miniBatches, '--threads', threads],
          workspace(`adam-threads-${threads}`),
        ),
      ),
    );
    expect(runs.map((run) => run.code)).toEqual([0, 0, 0]);
    const expected = parametersOf(join(root, 'adam-threads-1', 'models', 'model.json'));
    expect(parametersOf(join(root, 'adam-threads-2', 'models', 'model.json'))).toEqual(expected);
    expect(parametersOf(join(root, 'adam-threads-3', 'models', 'model.json'))).toEqual(expected);
    expect(parametersOf(join(cwd, 'models', 'model.json'))).toEqual(expected);
    const final = readModel(join(cwd, 'models', 'model.json')).training;
    const reference = readModel(join(root, 'adam-threads-1', 'models', 'model.json')).training;
    expect(final?.history).toEqual(reference?.history);
    expect(final?.checkpoint).toBeUndefined();
    expect(final).toMatchObject({
      batchSize: 3,
      optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 },
      dropout: 0.2,
      validation: 7,
      maxShift: 1,
      complete: true,
    });
  });

  describe('refusals, each before any work and leaving the file unchanged', () => {
    let cwd: string;
    let path: string;
    let saved: string;
    beforeAll(async () => {
      cwd = workspace('refusals');
      const first = await runCli(
        ['train', '--data', data, '--iters', '30', '--seed', '4', '--eval-every', '100'],
        cwd,
      );
      expect(first.code).toBe(0);
      path = join(cwd, 'models', 'model.json');
      saved = readFileSync(path, 'utf8');
      writeTinyDataset(join(cwd, 'small'), { side: 14 });
    });

    it.each([
      [
        ['--layers', '784,20,10'],
        2,
        '--layers cannot change when resuming: models/model.json continues its own run',
      ],
      [['--seed', '9'], 2, '--seed cannot change when resuming'],
      [['--init', 'uniform'], 2, '--init cannot change when resuming'],
      [
        [],
        2,
        'models/model.json is complete (30 iterations); to train it more, give the new total with --iters, e.g. --iters 60',
      ],
      [['--iters', '30'], 2, 'has already done 30 iterations and --iters is the new total'],
      [['--iters', '60', '--data', 'small'], 2, 'was trained on 28×28 images but'],
      [
        ['--iters', '60', '--out', '/proc/mnn-test/m.json'],
        1,
        'cannot write /proc/mnn-test/m.json',
      ],
    ])('--resume with %j exits %i: %s', async (extra, code, message) => {
      const result = await runCli(['train', '--resume', 'models/model.json', ...extra], cwd);
      expect(result.code).toBe(code);
      expectNoStack(result);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(message);
      expect(readFileSync(path, 'utf8')).toBe(saved);
    });

    it('accepts the same --seed, a new --alpha, and writes to another --out when asked', async () => {
      const result = await runCli(
        [
          'train',
          '--resume',
          'models/model.json',
          '--iters',
          '40',
          '--seed',
          '4',
          '--alpha',
          '0.05',
          '--out',
          'more.json',
        ],
        cwd,
      );
      expect(result.code).toBe(0);
      expect(readFileSync(path, 'utf8')).toBe(saved);
      const more = readModel(join(cwd, 'more.json'));
      expect(more.training).toMatchObject({ iterations: 40, alpha: 0.05, seed: 4, complete: true });
      // The history a user charts keeps the first run's points (regression: issue 14).
      const before = readModel(path).training?.history ?? [];
      expect(before.map((point) => point.iteration)).toEqual([0, 30]);
      expect(more.training?.history.slice(0, 2)).toEqual(before);
      expect(more.training?.history.map((point) => point.iteration)).toEqual([0, 30, 40]);
    });
  });
});
