import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeFixtures, startMirrorServer } from '../helpers/mirror-server.js';
import { runCli } from '../helpers/cli-process.js';

/** Runs the built CLI in `cwd` (the repository root by default). */
function runMnn(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return runCli(args, options.cwd ?? process.cwd(), options.env);
}

/** The parts of a model file that must not depend on when it was made. */
function weightsOf(path: string): unknown {
  const model = JSON.parse(readFileSync(path, 'utf8')) as { weights: unknown; biases: unknown };
  return { weights: model.weights, biases: model.biases };
}

describe('mnn train and eval on the MNIST shipped with mnn', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'mnn-cli-train-'));

  it('trains, prints a JSON summary, and eval reports the same test accuracy', async () => {
    const run = await runMnn(
      [
        'train',
        '--limit',
        '2000',
        '--iters',
        '50',
        '--eval-every',
        '10',
        '--json',
        '--out',
        'models/a.json',
      ],
      {
        cwd: workspace,
      },
    );
    // Only progress lines on stderr (a plain one every few seconds: stderr is a pipe here).
    const others = run.stderr
      .split('\n')
      .filter((line) => line && !/^training \d+\/50 /.test(line));
    expect(others).toEqual([]);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as Record<string, number | string>;
    expect(Object.keys(summary).sort()).toEqual(
      ['iterations', 'loss', 'model', 'seconds', 'testAccuracy', 'trainAccuracy'].sort(),
    );
    expect(summary.iterations).toBe(50);
    expect(summary.testAccuracy).toBeGreaterThan(0.5);

    const evaluation = await runMnn(['eval', 'models/a.json', '--json'], { cwd: workspace });
    expect(evaluation.code).toBe(0);
    const report = JSON.parse(evaluation.stdout) as {
      accuracy: number;
      samples: number;
      confusion: number[][];
    };
    expect(report.accuracy).toBe(summary.testAccuracy);
    expect(report.samples).toBe(10000);
    expect(report.confusion.flat().reduce((a, b) => a + b, 0)).toBe(10000);
  });

  it('writes byte-identical weights for the same --seed, and different ones for another seed', async () => {
    const args = ['train', '--limit', '1000', '--layers', '784,12,10', '--iters', '5', '--json'];
    await runMnn([...args, '--out', 'one.json'], { cwd: workspace });
    await runMnn([...args, '--out', 'two.json'], { cwd: workspace });
    await runMnn([...args, '--seed', '2', '--out', 'three.json'], { cwd: workspace });
    expect(weightsOf(join(workspace, 'one.json'))).toEqual(weightsOf(join(workspace, 'two.json')));
    expect(weightsOf(join(workspace, 'one.json'))).not.toEqual(
      weightsOf(join(workspace, 'three.json')),
    );
  });

  it('trains in f32 with --precision f32, records it, evaluates it, and keeps it on resume', async () => {
    const args = ['train', '--limit', '1000', '--layers', '784,40,10', '--json'];
    const run = await runMnn(
      [...args, '--iters', '20', '--precision', 'f32', '--out', 'f32.json'],
      {
        cwd: workspace,
      },
    );
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as { testAccuracy: number };
    expect(summary.testAccuracy).toBeGreaterThan(0.5);
    const file = JSON.parse(readFileSync(join(workspace, 'f32.json'), 'utf8')) as {
      training: { precision: string };
    };
    expect(file.training.precision).toBe('f32');
    // Computed in f32, not only recorded so: the same run in f64 ends on other weights.
    await runMnn([...args, '--iters', '20', '--out', 'f64.json'], { cwd: workspace });
    expect(weightsOf(join(workspace, 'f32.json'))).not.toEqual(
      weightsOf(join(workspace, 'f64.json')),
    );
    const evaluation = await runMnn(['eval', 'f32.json', '--json'], { cwd: workspace });
    expect(evaluation.code).toBe(0);
    // eval runs the f64 forward on the (f64) weights; training measured in f32: a near tie
    // between two classes may go the other way, nothing more.
    const accuracy = (JSON.parse(evaluation.stdout) as { accuracy: number }).accuracy;
    expect(Math.abs(accuracy - summary.testAccuracy)).toBeLessThanOrEqual(2 / 10000);
    const changed = await runMnn(
      ['train', '--resume', 'f32.json', '--iters', '30', '--precision', 'f64'],
      { cwd: workspace },
    );
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain('--precision cannot change when resuming');
  });

  it('shows progress-free text output with the data source, charts and a summary for people', async () => {
    const run = await runMnn(
      ['train', '--limit', '500', '--iters', '3', '--eval-every', '1', '--out', 'b.json'],
      { cwd: workspace },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'data: MNIST shipped with mnn (500 training + 10000 test samples)',
    );
    expect(run.stdout).toContain('loss (training set)');
    expect(run.stdout).toMatch(/done: train accuracy [\d.]+%, test accuracy [\d.]+%/);
    expect(run.stdout).toContain('model saved to b.json');
  });

  it('evaluates a version 1 model of the retired embedded digits on the MNIST shipped with mnn, saying so', async () => {
    const document = JSON.parse(readFileSync(join(workspace, 'models/a.json'), 'utf8')) as {
      version: number;
      training: Record<string, unknown>;
    };
    document.version = 1;
    document.training = { ...document.training, dataset: 'embedded', samples: 8000 };
    for (const key of ['optimizer', 'schedule', 'dropout', 'validation', 'maxShift']) {
      delete document.training[key];
    }
    writeFileSync(join(workspace, 'old.json'), JSON.stringify(document));
    const run = await runMnn(['eval', 'old.json', '--json'], { cwd: workspace });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      'note: old.json was trained on the embedded digits mnn no longer ships; evaluating it on the MNIST shipped with mnn',
    );
    expect(JSON.parse(run.stdout)).toMatchObject({ samples: 10000, data: 'packaged' });
  });

  it('prints eval tables for people: per-class precision/recall and the confusion matrix', async () => {
    const run = await runMnn(['eval', 'models/a.json'], { cwd: workspace });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/accuracy [\d.]+% \(\d+\/10000\)/);
    expect(run.stdout).toContain('precision');
    expect(run.stdout).toContain('confusion matrix (rows: true class, columns: predicted)');
  });
});

describe('mnn gradcheck', () => {
  it('passes on the default network and reports every layer', async () => {
    const run = await runMnn(['gradcheck', '--json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { passed: boolean; checks: { layer: number }[] };
    expect(report.passed).toBe(true);
    expect(report.checks.map((check) => check.layer)).toEqual([1, 2, 3]);
  });

  it('checks networks on random inputs when the input is not 784 pixels', async () => {
    const run = await runMnn(['gradcheck', '--layers', '6,5,4,3', '--samples', '4']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('on 4 random inputs');
    expect(run.stdout).toContain('passed');
  });
});

describe('fetch then train, end to end against a local mirror', () => {
  it('fetches the four files and trains on them with --data DIR', async () => {
    const fixtures = makeFixtures(3, 12);
    const server = await startMirrorServer(fixtures, { good: () => 'ok' });
    const workspace = mkdtempSync(join(tmpdir(), 'mnn-e2e-'));
    const checksums = join(workspace, 'checksums.json');
    writeFileSync(checksums, JSON.stringify(fixtures.sha256));
    try {
      const env = {
        MNN_FETCH_MIRRORS_ONLY: '1',
        MNN_FETCH_CHECKSUMS: checksums,
        HTTPS_PROXY: '',
        HTTP_PROXY: '',
      };
      const fetched = await runMnn(['fetch', '--dir', 'digits', '--mirror', server.url('good')], {
        cwd: workspace,
        env,
      });
      expect(fetched.code).toBe(0);
      const trained = await runMnn(
        ['train', '--data', 'digits', '--iters', '5', '--json', '--out', 'm.json'],
        {
          cwd: workspace,
        },
      );
      expect(trained.stderr).toBe('');
      expect(trained.code).toBe(0);
      expect(JSON.parse(trained.stdout)).toMatchObject({ iterations: 5 });
      const model = JSON.parse(readFileSync(join(workspace, 'm.json'), 'utf8')) as {
        training: { dataset: string; samples: number };
      };
      expect(model.training.dataset).toBe(join(workspace, 'digits'));
      expect(model.training.samples).toBe(12);
    } finally {
      await server.close();
    }
  });
});
