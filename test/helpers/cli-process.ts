import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI (the vitest global setup compiles dist/ before any test runs). */
export const CLI_PATH = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** How a CLI run ended and what it printed. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running CLI process, with its output so far and its end. */
export interface CliProcess {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  readonly done: Promise<CliResult>;
}

/** Starts `node dist/cli/main.js …args` in `cwd`, without colours, proxies or npx's marks. */
export function startCli(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): CliProcess {
  const environment: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env };
  delete environment.FORCE_COLOR;
  // The CLI writes its hints as `npx mnn …` under npx: tests see plain `mnn` unless they ask.
  if (!('npm_command' in env)) delete environment.npm_command;
  const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd, env: environment });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, ...output }));
  });
  return { child, output, done };
}

/** Runs the CLI to its end. */
export function runCli(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  return startCli(args, cwd, env).done;
}

/**
 * Runs the CLI, killing it (SIGKILL) if it has not ended within `timeoutMs`: for inputs that a
 * regression would read without end (/dev/zero, a FIFO), so that a failing test cannot leave a
 * process eating the machine's memory. A killed run ends with code null.
 */
export async function runCliWithin(
  timeoutMs: number,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  const run = startCli(args, cwd, env);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
  try {
    return await run.done;
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `condition` every 5 ms until it holds; fails after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
