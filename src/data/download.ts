import { createHash } from 'node:crypto';
import { MnnError } from '../errors.js';
import { beginAtomicWrite, type PendingWrite } from '../io/atomic-write.js';
import type { HttpClient, HttpResponse } from './http-client.js';
import { isGzip } from './idx.js';

/** What one request to one mirror came to. */
export type AttemptOutcome =
  | { readonly ok: true; readonly bytes: number }
  | {
      readonly ok: false;
      /** What the mirror answered, in words ("HTTP 404 Not Found", "no answer within 30 s"). */
      readonly reason: string;
      /** Whether trying the same mirror again could help (5xx, dropped connections, stalls). */
      readonly retryable: boolean;
    };

/** One request: where from, where to, what it must hash to. */
export interface AttemptRequest {
  readonly url: string;
  readonly path: string;
  readonly sha256: string;
  /** The file's size when known: more bytes than this are refused (an endless body). */
  readonly maxBytes?: number;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Called when a 200 answer arrives, with its announced size. */
  readonly onResponse?: (totalBytes: number | undefined) => void;
  /** Called after each chunk is written. */
  readonly onBytes?: (receivedBytes: number, totalBytes: number | undefined) => void;
}

/**
 * The slowest download kept going: over every window of the stall timeout, fewer bytes than this
 * per second means a server trickling bytes to keep a connection alive, not a slow network.
 */
export const MIN_BYTES_PER_SECOND = 1000;

/**
 * Downloads `url` to a temporary name beside `path` (the durable writer of src/io), hashing while
 * streaming, and gives it its name only when size and SHA-256 match; on any failure the temporary
 * file is removed. Mirror problems come back as an outcome; a local write failure or an abort throws.
 */
export async function downloadVerified(
  client: HttpClient,
  request: AttemptRequest,
): Promise<AttemptOutcome> {
  let response: HttpResponse;
  try {
    response = await client.get(request.url, request.signal);
  } catch (error) {
    throwIfAborted(request.signal);
    return describeNetworkFailure(error, request.timeoutMs, 0, undefined);
  }
  if (response.statusCode !== 200) {
    await response.body.dump().catch(() => undefined);
    const retryable = response.statusCode >= 500 || response.statusCode === 429;
    return { ok: false, reason: response.statusText, retryable };
  }
  const announced = response.contentLength;
  if (request.maxBytes !== undefined && announced !== undefined && announced > request.maxBytes) {
    await response.body.dump().catch(() => undefined);
    const reason = `the mirror announces ${announced} bytes, but the file has ${request.maxBytes}`;
    return { ok: false, reason, retryable: false };
  }
  request.onResponse?.(announced);

  const pending = beginAtomicWrite(request.path);
  let committed = false;
  try {
    const outcome = await streamToFile(response, pending, request);
    if (!outcome.ok) return outcome;
    pending.commit();
    committed = true;
    return outcome;
  } finally {
    if (!committed) pending.discard();
  }
}

/** Refuses a body that keeps coming below MIN_BYTES_PER_SECOND, window by window. */
class RateWatch {
  private windowStart = performance.now();
  private windowBytes = 0;
  private readonly windowMs: number;

  constructor(timeoutMs: number) {
    this.windowMs = Math.max(timeoutMs, 1000);
  }

  /** Counts a chunk; returns why the download is too slow, or undefined. */
  add(bytes: number): string | undefined {
    this.windowBytes += bytes;
    const elapsedMs = performance.now() - this.windowStart;
    if (elapsedMs < this.windowMs) return undefined;
    if (this.windowBytes < (MIN_BYTES_PER_SECOND * elapsedMs) / 1000) {
      const seconds = (elapsedMs / 1000).toFixed(1);
      return `too slow: ${this.windowBytes} bytes in ${seconds} s, under the minimum of ${MIN_BYTES_PER_SECOND / 1000} kB/s`;
    }
    this.windowStart = performance.now();
    this.windowBytes = 0;
    return undefined;
  }
}

/** Writes the body to the pending file while hashing it, then checks size and SHA-256. */
async function streamToFile(
  response: HttpResponse,
  pending: PendingWrite,
  request: AttemptRequest,
): Promise<AttemptOutcome> {
  const hash = createHash('sha256');
  const total = response.contentLength;
  const rate = new RateWatch(request.timeoutMs);
  let received = 0;
  let head = Buffer.alloc(0);
  try {
    for await (const chunk of response.body) {
      received += chunk.length;
      if (request.maxBytes !== undefined && received > request.maxBytes) {
        const reason = `the mirror sent more than the ${request.maxBytes} bytes the file has`;
        return { ok: false, reason, retryable: false };
      }
      const tooSlow = rate.add(chunk.length);
      if (tooSlow !== undefined) return { ok: false, reason: tooSlow, retryable: true };
      hash.update(chunk);
      if (head.length < 64) head = Buffer.concat([head, chunk]).subarray(0, 64);
      pending.write(chunk);
      request.onBytes?.(received, total);
    }
  } catch (error) {
    if (error instanceof MnnError) throw error;
    throwIfAborted(request.signal);
    return describeNetworkFailure(error, request.timeoutMs, received, total);
  }
  if (total !== undefined && received !== total) {
    return { ok: false, reason: `body ended after ${received} of ${total} bytes`, retryable: true };
  }
  const actual = hash.digest('hex');
  if (actual !== request.sha256) {
    return { ok: false, reason: describeMismatch(request.sha256, actual, head), retryable: false };
  }
  return { ok: true, bytes: received };
}

/** A checksum mismatch with both digests, and what the body looked like when it is not gzip. */
function describeMismatch(expected: string, actual: string, head: Buffer): string {
  const digests = `checksum mismatch: expected SHA-256 ${expected}, got ${actual}`;
  if (isGzip(head)) return digests;
  const start = head
    .toString('latin1')
    .replace(/[^\x20-\x7e]+/g, ' ')
    .trim()
    .slice(0, 40);
  return `${digests} (not a gzip file; it starts with "${start}")`;
}

/** Turns an undici or socket error into a reason and whether a retry could help. */
function describeNetworkFailure(
  error: unknown,
  timeoutMs: number,
  received: number,
  total: number | undefined,
): AttemptOutcome {
  const code = errorCode(error);
  const seconds = `${timeoutMs / 1000} s`;
  const progress = `after ${received}${total === undefined ? '' : ` of ${total}`} bytes`;
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
      // A mirror silent for a whole timeout is unlikely to answer the next time: move on.
      return { ok: false, reason: `no answer within ${seconds}`, retryable: false };
    case 'UND_ERR_BODY_TIMEOUT':
      return { ok: false, reason: `stalled for ${seconds} ${progress}`, retryable: true };
    case 'ENOTFOUND':
      return { ok: false, reason: 'host not found (ENOTFOUND; offline?)', retryable: false };
    case 'ECONNREFUSED':
      return { ok: false, reason: 'connection refused', retryable: true };
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return { ok: false, reason: `connection closed ${progress}`, retryable: true };
    default:
      return describeOtherFailure(error, code);
  }
}

/** A refused proxy tunnel in words (undici reports it only in its message), or the raw error. */
function describeOtherFailure(error: unknown, code: string | undefined): AttemptOutcome {
  const message = error instanceof Error ? error.message : String(error);
  const proxyStatus = /^Proxy response \((\d+)\)/.exec(message);
  if (proxyStatus !== null) {
    const status = Number(proxyStatus[1]);
    const reason = `the proxy refused the connection with HTTP ${status}`;
    return { ok: false, reason, retryable: status >= 500 };
  }
  return { ok: false, reason: code === undefined ? message : `${message} (${code})`, retryable: true };
}

/** The most specific error code of an error or its cause. */
function errorCode(error: unknown): string | undefined {
  const { code, cause } = error as { code?: unknown; cause?: { code?: unknown } };
  if (typeof code === 'string') return code;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

/** Turns an abort into the one error a user should see for it; does nothing otherwise. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new MnnError('download interrupted; no partial file was left.');
}
