import cliProgress from 'cli-progress';

/**
 * Progress on stderr: a bar on a terminal, and on anything else (CI logs, `2>&1 | cat`) a plain
 * line every few seconds, so that a long run is never silent and logs hold no redraws.
 */
export interface ProgressBar {
  update(value: number, payload?: Record<string, string | number>): void;
  stop(): void;
}

/** What a progress display shows. */
export interface ProgressOptions {
  readonly total: number;
  /** Where it starts (a resumed run's iteration). */
  readonly start?: number;
  /**
   * The line, with cli-progress tokens: {bar}, {value}, {total}, {percentage}, {eta_formatted}
   * and the payload's keys, e.g. `training {bar} {value}/{total} | loss {loss}`.
   */
  readonly format: string;
  /** A shorter line with the same numbers, for terminals too narrow for `format`. */
  readonly compactFormat: string;
  /** The payload's first values. */
  readonly payload: Record<string, string | number>;
  /** The payload at its widest (e.g. loss "0.0000"), to fit the line to a narrow terminal. */
  readonly widest: Record<string, string | number>;
}

/** Time between two plain progress lines when stderr is not a terminal. */
export const PLAIN_PROGRESS_INTERVAL_MS = 5000;
/** A bar narrower than this is left out: the numbers matter more than the bar. */
const MIN_BAR_WIDTH = 5;
/** What the time left looks like at its widest ("59m59s"). */
const WIDEST_ETA = '00h00m';

/** Starts the progress display that suits stderr. */
export function startProgressBar(options: ProgressOptions): ProgressBar {
  return process.stderr.isTTY ? terminalBar(options) : plainLines(options);
}

/** The format's tokens filled in; {bar} and the space after it left out. */
function render(format: string, values: Record<string, string | number>): string {
  return format
    .replace('{bar} ', '')
    .replace(/\{(\w+)\}/g, (token: string, name: string) => String(values[name] ?? token));
}

/** Time left for people, as cli-progress writes it: "36s", "5m12s", "2h05m". */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds)) return '-';
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m${whole % 60}s`;
  const minutes = Math.floor(whole / 60) % 60;
  return `${Math.floor(whole / 3600)}h${String(minutes).padStart(2, '0')}m`;
}

/**
 * The format that fits a terminal of `columns`: the full one, else the compact one, each with a
 * bar if at least MIN_BAR_WIDTH columns are left for it. Returns the format and the bar's width.
 */
function fitFormat(
  options: ProgressOptions,
  columns: number,
): { format: string; barWidth: number } {
  const widths = {
    ...options.widest,
    value: options.total,
    total: options.total,
    percentage: 100,
    eta_formatted: WIDEST_ETA,
  };
  for (const format of [options.format, options.compactFormat]) {
    // One column is kept free: writing the last one makes some terminals wrap.
    const room = columns - 1 - render(format, widths).length;
    if (room >= MIN_BAR_WIDTH + 1) return { format, barWidth: room - 1 };
    if (room >= 0) return { format: format.replace('{bar} ', ''), barWidth: MIN_BAR_WIDTH };
  }
  return { format: options.compactFormat.replace('{bar} ', ''), barWidth: MIN_BAR_WIDTH };
}

/** A cli-progress bar sized to the terminal: the numbers keep their room, the bar gets the rest. */
function terminalBar(options: ProgressOptions): ProgressBar {
  const { format, barWidth } = fitFormat(options, process.stderr.columns ?? 80);
  const bar = new cliProgress.SingleBar(
    {
      format,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
      fps: 10,
      barsize: barWidth,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(options.total, options.start ?? 0, options.payload);
  return {
    update: (value, update) => bar.update(value, update),
    stop: () => bar.stop(),
  };
}

/** A plain line every PLAIN_PROGRESS_INTERVAL_MS, with the time left estimated from the rate so far. */
function plainLines(options: ProgressOptions): ProgressBar {
  const start = options.start ?? 0;
  const started = performance.now();
  let lastLine = started;
  let payload = { ...options.payload };
  return {
    update(value, update) {
      payload = { ...payload, ...update };
      const now = performance.now();
      if (now - lastLine < PLAIN_PROGRESS_INTERVAL_MS) return;
      lastLine = now;
      const perSecond = (value - start) / ((now - started) / 1000);
      const line = render(options.format, {
        ...payload,
        value,
        total: options.total,
        percentage: Math.floor((100 * value) / options.total),
        eta_formatted: formatEta((options.total - value) / perSecond),
      });
      process.stderr.write(`${line}\n`);
    },
    stop: () => undefined,
  };
}
