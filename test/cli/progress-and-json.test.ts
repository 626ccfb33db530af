/**
 * Issue 9, finding 17: progress where people look — a plain line every few seconds when stderr is
 * not a terminal (CI logs, `2>&1 | cat`), a bar that shrinks on a narrow terminal but keeps the
 * numbers — and --json output that is one line.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, runCli, startCli, waitUntil } from '../helpers/cli-process.js';
import { writeTinyDataset } from '../helpers/tiny-data.js';

let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mnn-progress-'));
  writeTinyDataset(join(root, 'data'), { train: 20, test: 10 });
  expect(
    (await runCli(['train', '--data', 'data', '--iters', '3', '--out', 'm.json'], root)).code,
  ).toBe(0);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A plain progress line: iteration, share done, loss, accuracy, speed and time left. */
const PLAIN_LINE =
  /^training \d+\/10000000 \(\d+%\) \| training loss \d+\.\d{4} \| training accuracy \d+\.\d{2}% \| [\d.]+ it\/s \| ETA \S+$/m;

describe('progress', () => {
  it('on a pipe: a plain line every few seconds, with iteration, loss, accuracy and ETA', async () => {
    const run = startCli(
      ['train', '--data', 'data', '--iters', '10000000', '--out', 'p.json'],
      root,
    );
    await waitUntil(
      () => PLAIN_LINE.test(run.output.stderr) || run.child.exitCode !== null,
      20_000,
    ).catch(() => undefined);
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.stderr).toMatch(PLAIN_LINE);
    expect(result.stderr).not.toContain('\r');
  });

  it('on a 60-column terminal: the numbers stay, the bar shrinks, nothing is cut', async () => {
    const command = `stty cols 60; '${process.execPath}' '${CLI_PATH}' train --data data --iters 400 --eval-every 400 --out n.json`;
    const output = await new Promise<string>((resolve, reject) => {
      execFile(
        'script',
        ['-qec', command, '/dev/null'],
        { cwd: root, env: { ...process.env, TERM: 'xterm' } },
        (error, stdout) => (error === null ? resolve(stdout) : reject(error)),
      );
    });
    // Each redraw starts at column 1 (ESC [ 1 G, or a carriage return); other escapes are not text.
    const frames = output
      // eslint-disable-next-line no-control-regex -- terminal escape sequences are parsed here
      .split(/\u001b\[1G|[\r\n]+/)
      // eslint-disable-next-line no-control-regex -- terminal escape sequences are removed here
      .map((line) => line.replace(/\u001b(\[[0-9;?]*[A-Za-z]|[78])/g, ''))
      .filter((line) => /^(training )?\S* ?\d+\/400/.test(line));
    expect(frames.length).toBeGreaterThan(0);
    for (const frame of frames) {
      expect(frame.length).toBeLessThanOrEqual(60);
      expect(frame).toMatch(/loss \S+ .*acc\S* \S+ .*\S+ it\/s .*ETA \S+/);
    }
  });
});

describe('--json output is one line', () => {
  it.each([
    ['eval', ['eval', 'm.json', '--json']],
    ['gradcheck', ['gradcheck', '--layers', '4,3,2', '--json']],
    ['train', ['train', '--data', 'data', '--iters', '2', '--out', 'j.json', '--json']],
  ])('%s --json', async (_name, args) => {
    const result = await runCli(args, root);
    expect(result.code).toBe(0);
    expect(result.stdout.endsWith('\n')).toBe(true);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(() => JSON.parse(result.stdout) as unknown).not.toThrow();
  });
});
