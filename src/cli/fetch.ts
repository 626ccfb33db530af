import chalk, { chalkStderr } from 'chalk';
import { MultiBar } from 'cli-progress';
import type { SingleBar } from 'cli-progress';
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { MnnError } from '../errors.js';
import { discardPendingWrites } from '../io/atomic-write.js';
import { datasetFiles, datasetMirrors, fetchFiles } from '../data/fetch.js';
import type { FetchEvent, FetchedFile } from '../data/fetch.js';
import { DATASET_NAMES, DATASET_TITLES } from '../data/labels.js';
import type { DatasetName } from '../data/labels.js';
import { DEFAULT_DATA_DIRECTORIES } from '../data/source.js';
import { watchInterrupts } from './interrupt.js';
import { action, printJson } from './output.js';
import { typed } from './text.js';
import { choiceOption, positiveNumberOption } from './options.js';

/*
 * Two environment variables exist for tests, so that they never reach the internet:
 *   MNN_FETCH_MIRRORS_ONLY=1       use only the --mirror URLs, not the built-in mirrors;
 *   MNN_FETCH_CHECKSUMS=FILE.json  {"train-images-idx3-ubyte.gz": "<sha256 hex>", …} replaces
 *                                  the known digests of the files it names.
 */

interface FetchCommandOptions {
  dataset: DatasetName;
  dir?: string;
  mirror: string[];
  force: boolean;
  timeout: number;
  deadline: number;
  json: boolean;
}

/** Registers `mnn fetch`. */
export function registerFetch(program: Command): void {
  program
    .command('fetch')
    .description(
      'download MNIST or Fashion-MNIST (4 .gz files), each verified by SHA-256 before it gets its name',
    )
    .option(
      '--dataset <name>',
      `which data set: ${DATASET_NAMES.join(' or ')}`,
      choiceOption('--dataset', DATASET_NAMES),
      'mnist',
    )
    .option('--dir <dir>', 'where to put the files (default: data/<dataset>)')
    .option(
      '--mirror <url>',
      'a base URL to try before the built-in mirrors (repeatable)',
      collectMirror,
      [],
    )
    .option('--force', 'download again even when verified files are present', false)
    .option(
      '--timeout <seconds>',
      'limit for connecting, for an answer, and for any stall while downloading',
      positiveNumberOption('--timeout', 3600),
      30,
    )
    .option(
      '--deadline <seconds>',
      'limit for the whole fetch, whatever the mirrors do',
      positiveNumberOption('--deadline', 86_400),
      3600,
    )
    .option('--json', 'print a JSON summary on stdout instead of progress', false)
    .action(action((options: FetchCommandOptions) => runFetch(options)));
}

/** Adds one --mirror value, which must be an http(s) URL. */
function collectMirror(text: string, previous: string[]): string[] {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError(`--mirror must be an http:// or https:// URL; got "${text}".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(`--mirror must be an http:// or https:// URL; got "${text}".`);
  }
  return [...previous, text];
}

/** Fetches the data set, drawing progress on stderr, and prints a summary. */
async function runFetch(options: FetchCommandOptions): Promise<void> {
  const directory = options.dir ?? DEFAULT_DATA_DIRECTORIES[options.dataset];
  const mirrorsOnly = process.env.MNN_FETCH_MIRRORS_ONLY === '1';
  const files = datasetFiles(options.dataset, checksumOverrides(process.env.MNN_FETCH_CHECKSUMS));
  const progress = options.json ? undefined : createProgress();
  const interrupt = new AbortController();
  // The first Ctrl-C (or SIGTERM) stops the download cleanly; a second one leaves at once.
  const interrupts = watchInterrupts({
    onFirst: () => interrupt.abort(),
    onSecond: () => {
      discardPendingWrites();
      process.exit(interrupts.exitCode);
    },
  });
  let fetched: FetchedFile[];
  try {
    fetched = await fetchFiles({
      directory,
      files,
      mirrors: datasetMirrors(options.dataset, options.mirror, mirrorsOnly),
      force: options.force,
      timeoutMs: options.timeout * 1000,
      deadlineMs: options.deadline * 1000,
      signal: interrupt.signal,
      onEvent: progress?.onEvent,
    });
  } catch (error) {
    // A stop signal is not a failure of the fetch: say so, and exit as the signal asks.
    if (!interrupts.requested) throw error;
    progress?.stop();
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = interrupts.exitCode;
    return;
  } finally {
    interrupts.dispose();
    progress?.stop();
  }
  if (options.json) {
    printJson({ dataset: options.dataset, directory, files: fetched });
    return;
  }
  printSummary(options.dataset, directory, fetched);
}

/** Reads MNN_FETCH_CHECKSUMS (tests only): a JSON object from file name to SHA-256 hex. */
function checksumOverrides(path: string | undefined): Record<string, string> {
  if (path === undefined || path === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new MnnError(
      `cannot read MNN_FETCH_CHECKSUMS file ${path}: ${(error as Error).message}; unset the variable or fix the file.`,
    );
  }
  const valid =
    typeof parsed === 'object' &&
    parsed !== null &&
    Object.values(parsed).every(
      (value) => typeof value === 'string' && /^[0-9a-f]{64}$/i.test(value),
    );
  if (!valid) {
    throw new MnnError(
      `MNN_FETCH_CHECKSUMS file ${path} must be a JSON object from file name to a 64-digit SHA-256 hex digest.`,
    );
  }
  return parsed as Record<string, string>;
}

/** Prints what was fetched and what to do next, on stdout. */
function printSummary(dataset: DatasetName, directory: string, fetched: FetchedFile[]): void {
  const downloaded = fetched.filter((file) => file.status === 'downloaded').length;
  const skipped = fetched.length - downloaded;
  process.stdout.write(
    `${chalk.green(DATASET_TITLES[dataset])} is ready in ${directory}: ${fetched.length} files verified` +
      ` (${downloaded} downloaded, ${skipped} already present).\n` +
      `Train on it: ${typed(`train --data ${directory}`)}\n`,
  );
}

/** Where fetch events go: bars on a terminal, plain lines otherwise. */
interface Progress {
  onEvent(event: FetchEvent): void;
  stop(): void;
}

/** Bars when stderr is a terminal, one line per event otherwise. */
function createProgress(): Progress {
  return process.stderr.isTTY ? createBars() : createLines();
}

/** Plain lines on stderr, for logs and pipes: no per-chunk output. */
function createLines(): Progress {
  const onEvent = (event: FetchEvent): void => {
    const line = describeEvent(event);
    if (line !== undefined) process.stderr.write(`${line}\n`);
    if (event.type === 'request') {
      process.stderr.write(`fetching ${event.file} from ${event.url}\n`);
    }
  };
  return { onEvent, stop: () => undefined };
}

/** The line a person reads for an event; undefined for events that only move a bar. */
function describeEvent(event: FetchEvent): string | undefined {
  switch (event.type) {
    case 'skip':
      return `${chalkStderr.green('✓')} ${event.file} is already present and verified; skipped (--force downloads it again)`;
    case 'stale':
      return `${chalkStderr.yellow('!')} ${event.file} is present but does not match its SHA-256; downloading it again`;
    case 'retry':
      return `${chalkStderr.yellow('!')} ${event.file}: ${event.mirror}: ${event.reason}; try ${event.attempt + 1} of ${event.tries} in ${event.delayMs / 1000} s`;
    case 'mirror-failed':
      return `${chalkStderr.red('✗')} ${event.file}: ${event.mirror} failed: ${event.reason}`;
    case 'done':
      return `${chalkStderr.green('✓')} ${event.file}: ${formatBytes(event.bytes)} in ${event.seconds.toFixed(1)} s, SHA-256 verified`;
    default:
      return undefined;
  }
}

/** One cli-progress bar per file on stderr, with size, speed and ETA. */
function createBars(): Progress {
  const multibar = new MultiBar({
    stream: process.stderr,
    // Sized to fit 80 columns: 26-character file names, then "100% of 9.9 MB 4.2 MB/s ETA 3 s".
    format: '{file} {bar} {percentage}% of {size} {status}',
    barsize: 16,
    barCompleteChar: '█',
    barIncompleteChar: '░',
    hideCursor: true,
    clearOnComplete: false,
    stopOnComplete: false,
    autopadding: true,
  });
  const bars = new Map<string, { bar: SingleBar; started: number }>();
  const onEvent = (event: FetchEvent): void => {
    const line = describeEvent(event);
    if (line !== undefined) multibar.log(`${line}\n`);
    if (event.type === 'request') {
      const status = `connecting to ${new URL(event.url).host}`;
      const entry = bars.get(event.file);
      if (entry === undefined) {
        bars.set(event.file, {
          bar: multibar.create(1, 0, { file: event.file, size: '', status }),
          started: performance.now(),
        });
      } else {
        entry.bar.update(0, { size: '', status });
      }
    } else if (event.type === 'start') {
      const entry = bars.get(event.file);
      if (entry !== undefined) {
        entry.started = performance.now();
        entry.bar.setTotal(Math.max(event.totalBytes ?? 0, 1));
        entry.bar.update(0, { status: '' });
      }
    } else if (event.type === 'bytes') {
      const entry = bars.get(event.file);
      if (entry !== undefined) updateBar(entry, event.receivedBytes, event.totalBytes);
    } else if (event.type === 'done') {
      bars.get(event.file)?.bar.update(event.bytes, {
        size: formatBytes(event.bytes),
        status: 'verified',
      });
    }
  };
  const stop = (): void => {
    // stop() draws the bars but not lines logged since the last redraw: redraw once first.
    multibar.update();
    multibar.stop();
  };
  return { onEvent, stop };
}

/** Moves a bar to `received` bytes, showing size, speed and the time left. */
function updateBar(
  entry: { bar: SingleBar; started: number },
  received: number,
  total: number | undefined,
): void {
  if (total === undefined) entry.bar.setTotal(Math.max(received, 1));
  const seconds = (performance.now() - entry.started) / 1000;
  const speed = seconds > 0 ? received / seconds : 0;
  const eta =
    total !== undefined && speed > 0 ? ` ETA ${Math.ceil((total - received) / speed)} s` : '';
  entry.bar.update(received, {
    size: formatBytes(total ?? received),
    status: `${formatBytes(speed)}/s${eta}`,
  });
}

/** Bytes for people: "812 B", "9.9 MB". */
function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
