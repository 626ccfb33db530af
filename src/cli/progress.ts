import cliProgress from 'cli-progress';

/** A progress bar on stderr that only draws on a terminal, so logs and pipes stay clean. */
export interface ProgressBar {
  update(value: number, payload?: Record<string, string | number>): void;
  stop(): void;
}

/** Starts a bar at `start` (a resumed run's iteration) with a format such as `{bar} {value}/{total}`. */
export function startProgressBar(
  total: number,
  format: string,
  payload: Record<string, string | number>,
  start = 0,
): ProgressBar {
  if (!process.stderr.isTTY) {
    return { update: () => undefined, stop: () => undefined };
  }
  const bar = new cliProgress.SingleBar(
    {
      format,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, start, payload);
  return {
    update: (value, update) => bar.update(value, update),
    stop: () => bar.stop(),
  };
}
