/** The signals that ask training to stop: Ctrl-C in a terminal, and `kill` or a service manager. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Exit status after an interruption (128 + SIGINT's number 2, as shells report Ctrl-C). */
export const INTERRUPTED_EXIT_CODE = 130;

/** What to do on the first stop signal and on any later one. */
export interface InterruptHandlers {
  /** First signal: finish the current iteration, save, exit. */
  onFirst(signal: NodeJS.Signals): void;
  /** Second signal: leave at once, touching no file. */
  onSecond(signal: NodeJS.Signals): void;
}

/** A watch on SIGINT and SIGTERM while training runs. */
export interface InterruptWatch {
  /** True once a first stop signal arrived. */
  readonly requested: boolean;
  /** Restores the default behaviour of the signals. */
  dispose(): void;
}

/**
 * Catches SIGINT and SIGTERM: the first asks for a graceful stop, a second one means "now".
 * Signals are counted together, so Ctrl-C followed by `kill` also quits at once.
 */
export function watchInterrupts(handlers: InterruptHandlers): InterruptWatch {
  let count = 0;
  const listener = (signal: NodeJS.Signals): void => {
    count++;
    if (count === 1) handlers.onFirst(signal);
    else handlers.onSecond(signal);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, listener);
  return {
    get requested() {
      return count > 0;
    },
    dispose() {
      for (const signal of STOP_SIGNALS) process.off(signal, listener);
    },
  };
}
