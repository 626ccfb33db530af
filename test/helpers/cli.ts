import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

/** The built CLI (the vitest global setup builds dist/ before any test runs). */
export const CLI = resolve('dist/cli/main.js');

/** What one run of the CLI printed and how it ended. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `mnn ARGS…` as a subprocess, in `cwd`, with colour off; never rejects. */
export function runMnn(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    ...options.env,
  };
  return new Promise((done) => {
    execFile(
      'node',
      [CLI, ...args],
      { cwd: options.cwd, env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        done({ code, stdout, stderr });
      },
    );
  });
}
