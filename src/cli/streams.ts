import { writeFailureReason } from '../io/atomic-write.js';

/** Whether stdout was found closed (EPIPE: the reader, e.g. `head -1`, has gone). */
let stdoutClosed = false;
/** Why stdout could not be written, when it failed for another reason (a full disk). */
let stdoutFailure: string | undefined;

/** True once stdout's reader has gone: output for it can be skipped. */
export function stdoutIsClosed(): boolean {
  return stdoutClosed;
}

/**
 * Makes the standard streams safe to write whatever happens to them: a reader that goes away
 * (`mnn … | head -1`, EPIPE) ends the output quietly, and a stdout that cannot be written (a full
 * disk) is said once on stderr with exit status 1; neither stops the command, so training still
 * saves its model. A stderr that has gone (the terminal closed: EPIPE, EIO) is ignored.
 */
export function guardStandardStreams(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') {
      stdoutClosed = true;
      return;
    }
    if (stdoutFailure !== undefined) return;
    stdoutFailure = writeFailureReason(error);
    process.stderr.write(`error: cannot write the output: ${stdoutFailure}\n`);
  });
  process.stderr.on('error', () => undefined);
  process.on('exit', (code) => {
    if (stdoutFailure !== undefined && code === 0) process.exitCode = 1;
  });
}
