/**
 * An error the user can cause and fix (bad file, bad option, unwritable path). Its message says
 * what is wrong and what to do; the CLI prints it as one line and exits with `exitCode`.
 */
export class MnnError extends Error {
  constructor(
    message: string,
    /** 1 for bad input or a failed operation, 2 for bad usage (options, arguments). */
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'MnnError';
  }
}
