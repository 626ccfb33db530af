/**
 * Issue 9, findings 1, 4 and 7: what `mnn train --out` may replace, and how a run is never lost.
 * Each test runs the built CLI on a tiny data set in its own directory.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseModel } from '../../src/model/load.js';
import { runCli, startCli, waitUntil, type CliResult } from '../helpers/cli-process.js';
import { deviceNode, expectDevicesIntact } from '../helpers/devices.js';
import { writeTinyDataset } from '../helpers/tiny-data.js';

let root: string;
let data: string;
const ENDLESS = ['--iters', '10000000'];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mnn-outputs-'));
  data = join(root, 'data');
  writeTinyDataset(data, { train: 30, test: 10 });
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

/** `mnn train` on the tiny data set for a few iterations. */
function train(cwd: string, extra: readonly string[], env: NodeJS.ProcessEnv = {}) {
  return runCli(['train', '--data', data, '--iters', '3', '--eval-every', '1', ...extra], cwd, env);
}

/** A short error: one line, no stack trace. */
function expectOneLineError(result: CliResult, code: number, message: string): void {
  expect(result.code).toBe(code);
  expect(result.stderr).toContain(message);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
}

/** Reads a model file the way mnn does. */
function readModel(path: string) {
  return parseModel(readFileSync(path, 'utf8'), path);
}

describe('finding 1: an --out that is not a regular file is refused before training', () => {
  it.each(['null', 'full'] as const)('a %s device stays a device', async (name) => {
    const cwd = workspace(`device-${name}`);
    const device = deviceNode(cwd, name);
    const result = await train(cwd, ['--out', device]);
    expectOneLineError(
      result,
      1,
      `cannot write ${device}: it is a character device, not a regular file`,
    );
    expect(statSync(device).isCharacterDevice()).toBe(true);
    expect(result.stdout).toBe('');
  });

  it('a FIFO is refused without blocking', async () => {
    const cwd = workspace('fifo');
    execFileSync('mkfifo', [join(cwd, 'pipe')]);
    const result = await train(cwd, ['--out', 'pipe']);
    expectOneLineError(
      result,
      1,
      'cannot write pipe: it is a named pipe (FIFO), not a regular file',
    );
    expect(lstatSync(join(cwd, 'pipe')).isFIFO()).toBe(true);
  });
});

describe('finding 4: output paths that would fail after training are refused before it, and a failed save is rescued', () => {
  it('--out newdir/ names a directory: refused with an example file name', async () => {
    const cwd = workspace('trailing-slash');
    const result = await train(cwd, ['--out', 'newdir/']);
    expectOneLineError(
      result,
      2,
      'cannot write newdir/: it names a directory, not a file; give a file name such as newdir/model.json',
    );
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('a 250-character file name trains and saves (the temporary name fits)', async () => {
    const cwd = workspace('long-name');
    const name = `${'m'.repeat(245)}.json`;
    const result = await train(cwd, ['--out', name]);
    expect(result.code).toBe(0);
    expect(readdirSync(cwd)).toEqual([name]);
    expect(readModel(join(cwd, name)).training?.iterations).toBe(3);
  });

  it('a save that fails after training started writes the model elsewhere and says where', async () => {
    const cwd = workspace('rescue');
    const rescueDirectory = join(cwd, 'tmp');
    mkdirSync(rescueDirectory);
    const real = join(cwd, 'real');
    mkdirSync(real);
    symlinkSync(real, join(cwd, 'out'));
    const run = startCli(
      ['train', '--data', data, ...ENDLESS, '--checkpoint-every', '0', '--out', 'out/m.json'],
      cwd,
      { TMPDIR: rescueDirectory },
    );
    // The network line is printed once the data is loaded, just before training starts.
    await waitUntil(() => run.output.stdout.includes('network ') || run.child.exitCode !== null);
    // The output directory becomes a file: the save at the end fails (ENOTDIR).
    rmSync(join(cwd, 'out'));
    writeFileSync(join(cwd, 'out'), 'not a directory');
    run.child.kill('SIGINT');
    const result = await run.done;
    const rescued = join(rescueDirectory, `mnn-m-rescued-${run.child.pid}.json`);
    // The last line is the error (a line about stopping precedes it when Ctrl-C came first).
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stderr.trim().split('\n').at(-1)).toBe(
      `error: cannot write out/m.json: a part of the path is a file, not a directory; any previous file there is unchanged; the model was saved to ${rescued} instead`,
    );
    expect(readModel(rescued).training?.iterations).toBeGreaterThanOrEqual(1);
    expect(readdirSync(real)).toEqual([]);
  });
});

describe('finding 7: what a run may replace, and what it keeps', () => {
  it('says so when it replaces a previous model', async () => {
    const cwd = workspace('replace-note');
    expect((await train(cwd, ['--out', 'm.json'])).stderr).toBe('');
    const again = await train(cwd, ['--out', 'm.json', '--seed', '2']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('note: m.json holds a model; this run replaces it');
    expect(readModel(join(cwd, 'm.json')).training?.seed).toBe(2);
  });

  it('never replaces a file that is not an mnn model without --force', async () => {
    const cwd = workspace('foreign');
    const readme = join(cwd, 'README.md');
    writeFileSync(readme, '# My project\n');
    const refused = await train(cwd, ['--out', 'README.md']);
    expectOneLineError(
      refused,
      2,
      'README.md exists and is not an mnn model; it was left unchanged; choose another output file, or ask to replace it anyway (--force)',
    );
    expect(readFileSync(readme, 'utf8')).toBe('# My project\n');
    const forced = await train(cwd, ['--out', 'README.md', '--force']);
    expect(forced.code).toBe(0);
    expect(readModel(readme).training?.iterations).toBe(3);
  });

  it('refuses a second run on the same --out while the first one trains', async () => {
    const cwd = workspace('two-writers');
    const first = startCli(
      ['train', '--data', data, ...ENDLESS, '--checkpoint-every', '20', '--out', 'm.json'],
      cwd,
    );
    await waitUntil(() => existsSync(join(cwd, 'm.json')) || first.child.exitCode !== null);
    const second = await train(cwd, ['--out', 'm.json']);
    first.child.kill('SIGINT');
    expectOneLineError(
      second,
      1,
      `m.json is being written by another mnn process (pid ${first.child.pid})`,
    );
    expect((await first.done).code).toBe(130);
    expect(readdirSync(cwd)).toEqual(['m.json']);
    expect((await train(cwd, ['--out', 'm.json'])).code).toBe(0);
  });

  it('keeps a symbolic link at --out a link, and the mode of the model it replaces', async () => {
    const cwd = workspace('link-and-mode');
    mkdirSync(join(cwd, 'store'));
    expect((await train(cwd, ['--out', 'store/m.json'])).code).toBe(0);
    chmodSync(join(cwd, 'store', 'm.json'), 0o600);
    symlinkSync('store/m.json', join(cwd, 'latest.json'));
    expect((await train(cwd, ['--out', 'latest.json', '--seed', '3'])).code).toBe(0);
    expect(lstatSync(join(cwd, 'latest.json')).isSymbolicLink()).toBe(true);
    expect(statSync(join(cwd, 'store', 'm.json')).mode & 0o777).toBe(0o600);
    expect(readModel(join(cwd, 'store', 'm.json')).training?.seed).toBe(3);
    expect(readdirSync(join(cwd, 'store'))).toEqual(['m.json']);
  });
});
