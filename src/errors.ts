/**
 * What kind of problem an `MnnError` is. Front ends decide what each kind means to their users
 * (the CLI maps kinds to exit codes: 'usage' → 2, every other kind → 1).
 */
export type ErrorKind =
  /** An option, argument or setting has a value that cannot work. */
  | 'usage'
  /** A file, image, model or data set is missing, malformed, or does not fit the task. */
  | 'input'
  /** Reading or writing failed (permissions, a full disk, a special file). */
  | 'io'
  /** A download failed. */
  | 'network'
  /** Training diverged: the loss became NaN or infinite, or exploded. */
  | 'diverged'
  /** Too large: over a format's limits or this machine's memory. */
  | 'limit';

/** What an `MnnError` carries besides its message. */
export interface MnnErrorDetails {
  /** Defaults to 'input'. */
  readonly kind?: ErrorKind;
  /** What to do about it, in plain words (no command-line syntax: front ends name their own flags). */
  readonly hint?: string;
  /** The library option the problem concerns (e.g. 'alpha', 'layerSizes'), for front ends to name. */
  readonly option?: string;
  readonly cause?: unknown;
}

/**
 * An error the user can cause and fix (bad file, bad option, unwritable path). Its message says
 * what is wrong; `hint` says what to do. Anything that is not an MnnError is a bug.
 */
export class MnnError extends Error {
  readonly kind: ErrorKind;
  readonly hint: string | undefined;
  readonly option: string | undefined;

  constructor(message: string, details: MnnErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'MnnError';
    this.kind = details.kind ?? 'input';
    this.hint = details.hint;
    this.option = details.option;
  }
}
