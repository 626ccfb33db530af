import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rmdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MnnError } from '../errors.js';
import { describeWriteFailure, resolveWriteTarget } from '../io/atomic-write.js';
import { removeStaleTemporaries } from '../io/sibling.js';
import { DATASET_FILES } from './directory.js';
import { downloadVerified, throwIfAborted } from './download.js';
import { createHttpClient, proxySettingsFromEnv, withoutPassword } from './http-client.js';
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

/** The size in bytes of each .gz file (as published with the data sets): a download's cap. */
export const DATASET_BYTES: Readonly<Record<DatasetName, Readonly<Record<string, number>>>> = {
  mnist: {
    'train-images-idx3-ubyte.gz': 9912422,
    'train-labels-idx1-ubyte.gz': 28881,
    't10k-images-idx3-ubyte.gz': 1648877,
    't10k-labels-idx1-ubyte.gz': 4542,
  },
  fashion: {
    'train-images-idx3-ubyte.gz': 26421880,
    'train-labels-idx1-ubyte.gz': 29515,
    't10k-images-idx3-ubyte.gz': 4422102,
    't10k-labels-idx1-ubyte.gz': 5148,
  },
};

/** A file to fetch: its name on every mirror and in the target directory, digest and size. */
export interface RemoteFile {
  readonly name: string;
  /** Lower-case hex SHA-256 the downloaded bytes must have. */
  readonly sha256: string;
  /** Its size: a mirror that announces or sends more is refused. Unknown: no cap. */
  readonly bytes?: number;
}

/**
 * A data set's four files with their known digests and sizes; `overrides` replaces digests by
 * file name (the sizes stay as caps).
 */
export function datasetFiles(
  dataset: DatasetName,
  overrides: Readonly<Record<string, string>> = {},
): RemoteFile[] {
  return DATASET_FILE_NAMES.map((name) => ({
    name,
    sha256: (overrides[name] ?? DATASET_SHA256[dataset][name]).toLowerCase(),
    bytes: DATASET_BYTES[dataset][name],
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
  /** The whole fetch ends with an MnnError after this long, whatever the mirrors do. Default 1 h. */
  readonly deadlineMs?: number;
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
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const deadline = AbortSignal.timeout(deadlineMs);
  // The user's interruption and the deadline end the fetch the same way: by aborting.
  const signal =
    options.signal === undefined ? deadline : AbortSignal.any([options.signal, deadline]);
  const client = createHttpClient(options.proxy ?? proxySettingsFromEnv(process.env), timeoutMs);
  const fetched: FetchedFile[] = [];
  try {
    for (const file of options.files) {
      fetched.push(await fetchOne(client, file, { ...options, signal }, fetched.length));
    }
    return fetched;
  } catch (error) {
    if (createdRoot !== undefined) await removeEmptyDirectories(options.directory, createdRoot);
    if (deadline.aborted && options.signal?.aborted !== true) throw deadlineError(deadlineMs);
    throw error;
  } finally {
    await client.close();
  }
}

/** How long a whole fetch may take by default: MNIST at 10 kB/s, with room to spare. */
const DEFAULT_DEADLINE_MS = 60 * 60 * 1000;

/** The error of a fetch that ran out of time. */
function deadlineError(deadlineMs: number): MnnError {
  return new MnnError(
    `the download did not finish within ${deadlineMs / 1000} s; no partial file was left`,
    {
      kind: 'network',
      hint: 'allow more time, or give a faster mirror',
      option: 'deadlineMs',
    },
  );
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
  removeStaleTemporaries(path);
  if (!options.force) {
    const existing = await existingCopy(path, file);
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
      // Everything said of a mirror shows it without its password.
      const shown = withoutPassword(mirror);
      const seconds = (performance.now() - started) / 1000;
      emit({ type: 'done', file: file.name, mirror: shown, path, bytes: result.bytes, seconds });
      return {
        name: file.name,
        path,
        status: 'downloaded',
        bytes: result.bytes,
        sha256: file.sha256,
        mirror: shown,
        seconds,
      };
    }
    failures.push(result);
    emit({ type: 'mirror-failed', file: file.name, ...result });
  }
  throw new MnnError(describeAllMirrorsFailed(file.name, failures, options.directory, alreadyFetched), {
    kind: 'network',
    hint:
      'training still works offline on the MNIST shipped with mnn; check the network or proxy ' +
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
  const shown = withoutPassword(mirror);
  for (let attempt = 1; ; attempt++) {
    emit({ type: 'request', file: file.name, mirror: shown, url: withoutPassword(url), attempt });
    const outcome = await downloadVerified(client, {
      url,
      path,
      sha256: file.sha256,
      maxBytes: file.bytes,
      timeoutMs,
      signal: options.signal,
      onResponse: (totalBytes) => emit({ type: 'start', file: file.name, totalBytes }),
      onBytes: (receivedBytes, totalBytes) =>
        emit({ type: 'bytes', file: file.name, receivedBytes, totalBytes }),
    });
    if (outcome.ok) return { bytes: outcome.bytes };
    if (!outcome.retryable || attempt >= tries) {
      return { mirror: shown, reason: outcome.reason, tries: attempt };
    }
    const delayMs = (options.backoffMs ?? 1000) * 2 ** (attempt - 1);
    emit({
      type: 'retry',
      file: file.name,
      mirror: shown,
      reason: outcome.reason,
      attempt,
      tries,
      delayMs,
    });
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

/**
 * The SHA-256 and size of the file already at `path`, or undefined when there is none. Anything
 * but a regular file is refused (reading a FIFO would never end); a file larger than the known
 * size is stale without reading it.
 */
async function existingCopy(
  path: string,
  file: RemoteFile,
): Promise<{ sha256: string; bytes: number } | undefined> {
  const target = resolveWriteTarget(path);
  if (target.existing === undefined) return undefined;
  const bytes = target.existing.size;
  if (file.bytes !== undefined && bytes > file.bytes) return { sha256: '', bytes };
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(target.path, { end: Math.max(bytes - 1, 0) })) {
      hash.update(chunk as Buffer);
    }
  } catch {
    return undefined; // unreadable (permissions): download it again
  }
  return { sha256: hash.digest('hex'), bytes };
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
