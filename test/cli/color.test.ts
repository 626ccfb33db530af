/**
 * Issue 9, finding 14: colour as chalk users expect — on a terminal by default; never with
 * NO_COLOR or --no-color; FORCE_COLOR or --color even when not a terminal; each stream judged
 * on its own (errors in a file have no escape codes while stdout is a terminal).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, runCli } from '../helpers/cli-process.js';
import { writeTinyDataset } from '../helpers/tiny-data.js';

let root: string;
const ESCAPE = '\u001b[';

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mnn-color-'));
  writeTinyDataset(join(root, 'data'), { train: 20, test: 10 });
  expect(
    (await runCli(['train', '--data', 'data', '--iters', '3', '--out', 'm.json'], root)).code,
  ).toBe(0);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A shell command line's words, quoted for sh. */
function shellWords(words: readonly string[]): string {
  return words.map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ');
}

/**
 * Runs `mnn eval m.json …args` with the given colour variables, on a terminal (a pseudo-terminal
 * made by script(1)) or on a pipe; `redirect` is appended to the command (e.g. "2>err.txt").
 */
function evalOutput(
  args: readonly string[],
  env: Record<string, string>,
  terminal: boolean,
  redirect = '',
): Promise<string> {
  const command = `${shellWords([process.execPath, CLI_PATH, 'eval', 'm.json', ...args])} ${redirect}`;
  // A user's terminal, not the CI machine's: chalk turns colour off wherever CI (or a CI
  // service's own variable) is set, so only the variables a shell needs are passed on.
  const environment: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TERM: 'xterm-256color',
    ...env,
  };
  const [file, argv] = terminal
    ? ['script', ['-qec', command, '/dev/null']]
    : ['sh', ['-c', command]];
  return new Promise((resolve, reject) => {
    execFile(file, argv, { cwd: root, env: environment }, (error, stdout, stderr) => {
      if (error !== null && error.code !== 1) reject(error);
      else resolve(stdout + stderr);
    });
  });
}

describe('colour', () => {
  it('is on for a terminal by default, and off for a pipe', async () => {
    expect(await evalOutput([], {}, true)).toContain(ESCAPE);
    expect(await evalOutput([], {}, false)).not.toContain(ESCAPE);
  });

  it('is off on a terminal with NO_COLOR set, or with --no-color', async () => {
    expect(await evalOutput([], { NO_COLOR: '1' }, true)).not.toContain(ESCAPE);
    expect(await evalOutput(['--no-color'], {}, true)).not.toContain(ESCAPE);
  });

  it('is on for a pipe with FORCE_COLOR (which wins over NO_COLOR) or --color', async () => {
    expect(await evalOutput([], { FORCE_COLOR: '1', NO_COLOR: '1' }, false)).toContain(ESCAPE);
    expect(await evalOutput(['--color'], {}, false)).toContain(ESCAPE);
    expect(await evalOutput([], { FORCE_COLOR: '0' }, true)).not.toContain(ESCAPE);
  });

  it('is judged per stream: an error written to a file has none while stdout is a terminal', async () => {
    await evalOutput(['--data', 'absent'], {}, true, '2>err.txt');
    const error = readFileSync(join(root, 'err.txt'), 'utf8');
    expect(error).toContain('error:');
    expect(error).not.toContain(ESCAPE);
  });
});
