import { chalkStderr } from 'chalk';
import { MnnError, type ErrorKind } from '../errors.js';
import { describeError } from './hints.js';

/** The exit code of each kind of user error: 2 for bad usage, 1 for everything else. */
export function exitCodeFor(kind: ErrorKind): 1 | 2 {
  return kind === 'usage' ? 2 : 1;
}

/** Prints a user error as one red line on stderr and sets the exit code; bugs keep their stack. */
export function reportError(error: unknown): void {
  if (error instanceof MnnError) {
    process.stderr.write(`${chalkStderr.red('error:')} ${describeError(error)}\n`);
    process.exitCode = exitCodeFor(error.kind);
    return;
  }
  process.stderr.write(`${chalkStderr.red('internal error (please report it):')}\n`);
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 70;
}

/** Wraps a command's action so that user errors become one line and an exit code, not a stack. */
export function action<A extends unknown[]>(run: (...args: A) => Promise<void> | void) {
  return async (...args: A): Promise<void> => {
    try {
      await run(...args);
    } catch (error) {
      reportError(error);
    }
  };
}

/** Writes a value as one JSON document on one line of stdout, for scripts (and jq, and logs). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
