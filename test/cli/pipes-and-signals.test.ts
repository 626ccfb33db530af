/**
 * Issue 9, findings 5 and 6: a closed or full stdout never crashes a command nor loses a model,
 * and every stop signal (Ctrl-C, kill, a closed terminal) saves the run and exits 128 + its number.
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseModel } from '../../src/model/load.js';
import { CLI_PATH, startCli, waitUntil, type CliResult } from '../helpers/cli-process.js';
import { deviceNode, expectDevicesIntact } from '../helpers/devices.js';
import { writeTinyDataset } from '../helpers/tiny-data.js';

let root: string;
let data: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mnn-pipes-'));
  data = join(root, 'data');
  writeTinyDataset(data, { train: 30, test: 10 });
  const png = new PNG({ width: 28, height: 28 });
  png.data.fill(255);
  for (let y = 4; y < 24; y++) png.data.fill(0, (y * 28 + 12) * 4, (y * 28 + 16) * 4 - 1);
  writeFileSync(join(root, 'digit.png'), PNG.sync.write(png));
  const model = await runWithStdout(
    ['train', '--data', data, '--iters', '5', '--out', join(root, 'm.json')],
    root,
    'ignore',
  );
  expect(model.code).toBe(0);
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  expectDevicesIntact();
});

/** A fresh working directory for one test. */
function workspace(name: string): string {
  const directory = join(root, name);
  mkdirSync(directory);
  return directory;
}

/**
 * Runs the CLI with stdout 'closed' (a pipe whose reader is gone before the first write, as
 * `mnn … | head -1` once head has exited), 'ignore', or a file descriptor (e.g. a full device).
 */
function runWithStdout(
  args: readonly string[],
  cwd: string,
  stdout: 'closed' | 'ignore' | number,
): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', stdout === 'closed' ? 'pipe' : stdout, 'pipe'],
  });
  if (stdout === 'closed') child.stdout?.destroy();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: '', stderr }));
  });
}

/** Ends quietly: exit 0 (or 141, the shell's SIGPIPE status) and nothing on stderr. */
function expectQuietEnd(result: CliResult): void {
  expect([0, 141]).toContain(result.code);
  expect(result.stderr).toBe('');
}

describe('finding 5: a closed stdout (… | head -1)', () => {
  it('train still trains and saves its model, without a stack trace', async () => {
    const cwd = workspace('train-closed');
    const result = await runWithStdout(
      ['train', '--data', data, '--iters', '20', '--out', 'm.json'],
      cwd,
      'closed',
    );
    expectQuietEnd(result);
    expect(
      parseModel(readFileSync(join(cwd, 'm.json'), 'utf8'), 'm.json').training?.iterations,
    ).toBe(20);
  });

  it.each([
    ['eval', () => ['eval', join(root, 'm.json'), '--data', data]],
    ['eval --json', () => ['eval', join(root, 'm.json'), '--data', data, '--json']],
    ['predict', () => ['predict', join(root, 'digit.png'), '--model', join(root, 'm.json')]],
    ['gradcheck', () => ['gradcheck', '--layers', '4,3,2']],
  ])('%s ends quietly', async (_name, args) => {
    expectQuietEnd(await runWithStdout(args(), root, 'closed'));
  });
});

describe('finding 5: a full stdout (> /dev/full)', () => {
  it('eval --json says the output could not be written, in one line, and exits 1', async () => {
    const full = openSync(deviceNode(workspace('full'), 'full'), 'w');
    const result = await runWithStdout(
      ['eval', join(root, 'm.json'), '--data', data, '--json'],
      root,
      full,
    );
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('error: cannot write the output: the disk is full');
  });

  it('train saves its model although its output cannot be written', async () => {
    const cwd = workspace('train-full');
    const full = openSync(deviceNode(cwd, 'full'), 'w');
    const result = await runWithStdout(
      ['train', '--data', data, '--iters', '5', '--out', 'm.json'],
      cwd,
      full,
    );
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('error: cannot write the output: the disk is full');
    expect(existsSync(join(cwd, 'm.json'))).toBe(true);
  });
});

/** Starts an endless run and sends `signal` once its first checkpoint is on disk. */
async function stopAfterCheckpoint(cwd: string, signal: NodeJS.Signals, closeStderr = false) {
  const run = startCli(
    ['train', '--data', data, '--iters', '10000000', '--checkpoint-every', '50', '--out', 'm.json'],
    cwd,
  );
  if (closeStderr) run.child.stderr?.destroy(); // the terminal is gone
  await waitUntil(() => existsSync(join(cwd, 'm.json')) || run.child.exitCode !== null);
  run.child.kill(signal);
  return run.done;
}

describe('finding 6: stop signals', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s saves a checkpoint and exits %i', async (signal, code) => {
    const cwd = workspace(`stop-${signal}`);
    const result = await stopAfterCheckpoint(cwd, signal);
    expect(result.code).toBe(code);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    const saved = parseModel(readFileSync(join(cwd, 'm.json'), 'utf8'), 'm.json');
    expect(saved.training?.complete).toBe(false);
    expect(result.stderr).toContain(
      `interrupted at iteration ${saved.training?.iterations} of 10000000`,
    );
  });

  it('SIGHUP after the terminal closed (stderr gone) still saves the run', async () => {
    const cwd = workspace('hangup-closed');
    const result = await stopAfterCheckpoint(cwd, 'SIGHUP', true);
    expect(result.code).toBe(129);
    const saved = parseModel(readFileSync(join(cwd, 'm.json'), 'utf8'), 'm.json');
    // The interrupted run's own save, after the first checkpoint at 50.
    expect(saved.training?.iterations).toBeGreaterThan(50);
  });
});
