import { createHash } from 'node:crypto';
import { mkdir, readFile, rmdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MnnError } from '../errors.js';
import { describeWriteFailure } from '../io/atomic-write.js';
import { DATASET_FILES } from './directory.js';
import { downloadVerified, throwIfAborted } from './download.js';
import { createHttpClient, proxySettingsFromEnv } from './http-client.js';
import type { HttpClient, ProxySettings } from './http-client.js';
import type { DatasetName } from './labels.js';

/** The four standard files of MNIST and Fashion-MNIST as the mirrors serve them (gzipped), in fetch order. */
export const DATASET_FILE_NAMES: readonly string[] = Object.values(DATASET_FILES).flatMap(
  (files) => [`${files.images}.gz`, `${files.labels}.gz`],
);

/** Built-in mirrors, tried in order after any the user gives. */
export const DEFAULT_MIRRORS: Readonly<Record<DatasetName, readonly string[]>> = {
  mnist: [
    'https://ossci-datasets.s3.amazonaws.com/mnist/', // used by torchvision
    'https://storage.googleapis.com/cvdf-datasets/mnist/', // used by TensorFlow
  ],
  fashion: ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'],
};

/** SHA-256 of each .gz file, from TensorFlow Datasets' checksum lists. */
export const DATASET_SHA256: Readonly<Record<DatasetName, Readonly<Record<string, string>>>> = {
  mnist: {
    'train-images-idx3-ubyte.gz':
      '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
    'train-labels-idx1-ubyte.gz':
      '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
    't10k-images-idx3-ubyte.gz': '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
    't10k-labels-idx1-ubyte.gz': 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
  },
  fashion: {
    'train-images-idx3-ubyte.gz':
      '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84',
    'train-labels-idx1-ubyte.gz':
      'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845',
    't10k-images-idx3-ubyte.gz': '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073',
    't10k-labels-idx1-ubyte.gz': '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5',
  },
};

/** A file to fetch: its name on every mirror and in the target directory, and its digest. */
export interface RemoteFile {
  readonly name: string;
  /** Lower-case hex SHA-256 the downloaded bytes must have. */
  readonly sha256: string;
}

/** A data set's four files with their known digests; `overrides` replaces digests by file name. */
export function datasetFiles(
  dataset: DatasetName,
  overrides: Readonly<Record<string, string>> = {},
): RemoteFile[] {
  return DATASET_FILE_NAMES.map((name) => ({
    name,
    sha256: (overrides[name] ?? DATASET_SHA256[dataset][name]).toLowerCase(),
  }));
}

/** The mirrors to try, in order: the user's first, then the built-in ones unless `userOnly`. */
export function datasetMirrors(
  dataset: DatasetName,
  userMirrors: readonly string[],
  userOnly = false,
): string[] {
  return userOnly ? [...userMirrors] : [...userMirrors, ...DEFAULT_MIRRORS[dataset]];
}

/** The URL of `name` under a mirror's base URL (with or without a trailing slash). */
export function fileUrl(mirror: string, name: string): string {
  return new URL(name, mirror.endsWith('/') ? mirror : `${mirror}/`).href;
}

/** What fetchFiles is doing, for a caller that shows progress. */
export type FetchEvent =
  | { readonly type: 'skip'; readonly file: string; readonly path: string }
  | { readonly type: 'stale'; readonly file: string; readonly path: string }
  | {
      readonly type: 'request';
      readonly file: string;
      readonly mirror: string;
      readonly url: string;
      readonly attempt: number;
    }
  | { readonly type: 'start'; readonly file: string; readonly totalBytes: number | undefined }
  | {
      readonly type: 'bytes';
      readonly file: string;
      readonly receivedBytes: number;
      readonly totalBytes: number | undefined;
    }
  | {
      readonly type: 'retry';
      readonly file: string;
      readonly mirror: string;
      readonly reason: string;
      /** The try that just failed (1-based) and how many are allowed per mirror. */
      readonly attempt: number;
      readonly tries: number;
      readonly delayMs: number;
    }
  | {
      readonly type: 'mirror-failed';
      readonly file: string;
      readonly mirror: string;
      readonly reason: string;
      readonly tries: number;
    }
  | {
      readonly type: 'done';
      readonly file: string;
      readonly mirror: string;
      readonly path: string;
      readonly bytes: number;
      readonly seconds: number;
    };

/** How to fetch a set of files. */
export interface FetchOptions {
  /** Target directory; created if missing (and removed again if a failed fetch left it empty). */
  readonly directory: string;
  readonly files: readonly RemoteFile[];
  /** Base URLs tried in order for each file. */
  readonly mirrors: readonly string[];
  /** Download again even when a verified file is present. */
  readonly force?: boolean;
  /** Limit for connecting, for the response headers, and for any stall in a body. Default 30 s. */
  readonly timeoutMs?: number;
  /** Tries per mirror for errors that may pass (5xx, dropped connections). Default 3. */
  readonly triesPerMirror?: number;
  /** Wait before the second try; doubled before each later one. Default 1 s. */
  readonly backoffMs?: number;
  /** Proxies; default: HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment. */
  readonly proxy?: ProxySettings;
  /** Aborting removes any temporary file and rejects with an MnnError. */
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: FetchEvent) => void;
}

/** One file after a successful fetch. */
export interface FetchedFile {
  readonly name: string;
  readonly path: string;
  /** 'skipped' when a verified copy was already there and no request was made. */
  readonly status: 'downloaded' | 'skipped';
  readonly bytes: number;
  readonly sha256: string;
  /** The mirror it came from, when downloaded. */
  readonly mirror?: string;
  readonly seconds: number;
}

/** One mirror's last answer for a file, for the error when every mirror fails. */
interface MirrorFailure {
  readonly mirror: string;
  readonly reason: string;
  readonly tries: number;
}

/**
 * Fetches each file into `directory`, trying the mirrors in order, verifying SHA-256 before a
 * file gets its final name, and skipping files already present and verified. Throws an MnnError
 * listing every mirror's answer when one file cannot be had from any of them.
 */
export async function fetchFiles(options: FetchOptions): Promise<FetchedFile[]> {
  if (options.mirrors.length === 0) {
    throw new MnnError('no mirror to fetch from', {
      kind: 'usage',
      hint: 'give the base URL of a mirror',
      option: 'mirrors',
    });
  }
  const createdRoot = await createDirectory(options.directory);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const client = createHttpClient(options.proxy ?? proxySettingsFromEnv(process.env), timeoutMs);
  const fetched: FetchedFile[] = [];
  try {
    for (const file of options.files) {
      fetched.push(await fetchOne(client, file, options, fetched.length));
    }
    return fetched;
  } catch (error) {
    if (createdRoot !== undefined) await removeEmptyDirectories(options.directory, createdRoot);
    throw error;
  } finally {
    await client.close();
  }
}

/** Skips a verified file, or downloads it from the first mirror that delivers the right bytes. */
async function fetchOne(
  client: HttpClient,
  file: RemoteFile,
  options: FetchOptions,
  alreadyFetched: number,
): Promise<FetchedFile> {
  const path = join(options.directory, file.name);
  const emit = options.onEvent ?? (() => undefined);
  if (!options.force) {
    const existing = await sha256OfFile(path);
    if (existing?.sha256 === file.sha256) {
      emit({ type: 'skip', file: file.name, path });
      return { name: file.name, path, status: 'skipped', seconds: 0, ...existing };
    }
    if (existing !== undefined) emit({ type: 'stale', file: file.name, path });
  }
  const failures: MirrorFailure[] = [];
  for (const mirror of options.mirrors) {
    const started = performance.now();
    const result = await tryMirror(client, file, path, mirror, options);
    if ('bytes' in result) {
      const seconds = (performance.now() - started) / 1000;
      emit({ type: 'done', file: file.name, mirror, path, bytes: result.bytes, seconds });
      return { name: file.name, path, status: 'downloaded', bytes: result.bytes, sha256: file.sha256, mirror, seconds };
    }
    failures.push(result);
    emit({ type: 'mirror-failed', file: file.name, ...result });
  }
  throw new MnnError(describeAllMirrorsFailed(file.name, failures, options.directory, alreadyFetched), {
    kind: 'network',
    hint:
      'training still works offline on the embedded digits; check the network or proxy ' +
      '(HTTPS_PROXY), or give another mirror',
    option: 'mirrors',
  });
}

/** Up to `triesPerMirror` requests to one mirror, with exponential backoff between them. */
async function tryMirror(
  client: HttpClient,
  file: RemoteFile,
  path: string,
  mirror: string,
  options: FetchOptions,
): Promise<{ readonly bytes: number } | MirrorFailure> {
  const tries = options.triesPerMirror ?? 3;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const url = fileUrl(mirror, file.name);
  const emit = options.onEvent ?? (() => undefined);
  for (let attempt = 1; ; attempt++) {
    emit({ type: 'request', file: file.name, mirror, url, attempt });
    const outcome = await downloadVerified(client, {
      url,
      path,
      sha256: file.sha256,
      timeoutMs,
      signal: options.signal,
      onResponse: (totalBytes) => emit({ type: 'start', file: file.name, totalBytes }),
      onBytes: (receivedBytes, totalBytes) =>
        emit({ type: 'bytes', file: file.name, receivedBytes, totalBytes }),
    });
    if (outcome.ok) return { bytes: outcome.bytes };
    if (!outcome.retryable || attempt >= tries) {
      return { mirror, reason: outcome.reason, tries: attempt };
    }
    const delayMs = (options.backoffMs ?? 1000) * 2 ** (attempt - 1);
    emit({ type: 'retry', file: file.name, mirror, reason: outcome.reason, attempt, tries, delayMs });
    await sleepUnlessAborted(delayMs, options.signal);
  }
}

/** The one-line error for a file no mirror could deliver, with what each mirror answered. */
function describeAllMirrorsFailed(
  name: string,
  failures: readonly MirrorFailure[],
  directory: string,
  alreadyFetched: number,
): string {
  const answers = failures
    .map(({ mirror, reason, tries }) => `${mirror}: ${reason}${tries > 1 ? ` (${tries} tries)` : ''}`)
    .join('; ');
  const kept =
    alreadyFetched > 0
      ? `; the ${alreadyFetched} file(s) fetched before it are verified and stay there`
      : '';
  return `cannot fetch ${name} from any mirror: ${answers}. No partial file was left in ${directory}${kept}`;
}

/** The SHA-256 and size of a file, or undefined when it cannot be read (missing, a directory). */
async function sha256OfFile(path: string): Promise<{ sha256: string; bytes: number } | undefined> {
  try {
    const contents = await readFile(path);
    return { sha256: createHash('sha256').update(contents).digest('hex'), bytes: contents.length };
  } catch {
    return undefined;
  }
}

/** Creates `directory`; returns the first directory this created, or undefined if it existed. */
async function createDirectory(directory: string): Promise<string | undefined> {
  try {
    return await mkdir(directory, { recursive: true });
  } catch (error) {
    throw new MnnError(describeWriteFailure(directory, error), { kind: 'io' });
  }
}

/** Removes `directory` and its parents up to `createdRoot`, each only while empty. */
async function removeEmptyDirectories(directory: string, createdRoot: string): Promise<void> {
  const root = resolve(createdRoot);
  for (let current = resolve(directory); ; current = dirname(current)) {
    try {
      await rmdir(current);
    } catch {
      return; // not empty (or already gone): keep it and everything above it
    }
    if (current === root || dirname(current) === current) return;
  }
}

/** Waits between tries; an abort ends the wait with the interruption error. */
async function sleepUnlessAborted(delayMs: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(delayMs, undefined, { signal });
  } catch (error) {
    throwIfAborted(signal);
    throw error;
  }
}
