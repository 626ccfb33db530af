import { constants } from 'node:os';

/**
 * The signals that ask a command to stop: Ctrl-C in a terminal (SIGINT), `kill` or a service
 * manager (SIGTERM), and a terminal that closes (SIGHUP).
 */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Exit status after Ctrl-C (128 + SIGINT's number 2). */
export const INTERRUPTED_EXIT_CODE = 130;

/** The exit status after a stop signal, as shells report it: 128 + its number (130, 143, 129). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}

/** What to do on the first stop signal and on any later one. */
export interface InterruptHandlers {
  /** First signal: finish the current step, save, exit. */
  onFirst(signal: NodeJS.Signals): void;
  /** Second signal: leave at once, touching no file. */
  onSecond(signal: NodeJS.Signals): void;
}

/** A watch on the stop signals while a command runs. */
export interface InterruptWatch {
  /** True once a first stop signal arrived. */
  readonly requested: boolean;
  /** The exit status the first signal calls for (128 + its number); 130 before any. */
  readonly exitCode: number;
  /** Restores the default behaviour of the signals. */
  dispose(): void;
}

/**
 * Catches SIGINT, SIGTERM and SIGHUP: the first asks for a graceful stop, a second one means
 * "now". Signals are counted together, so Ctrl-C followed by `kill` also quits at once.
 */
export function watchInterrupts(handlers: InterruptHandlers): InterruptWatch {
  let first: NodeJS.Signals | undefined;
  const listener = (signal: NodeJS.Signals): void => {
    if (first === undefined) {
      first = signal;
      handlers.onFirst(signal);
    } else handlers.onSecond(signal);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, listener);
  return {
    get requested() {
      return first !== undefined;
    },
    get exitCode() {
      return first === undefined ? INTERRUPTED_EXIT_CODE : signalExitCode(first);
    },
    dispose() {
      for (const signal of STOP_SIGNALS) process.off(signal, listener);
    },
  };
}
