import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { hostname } from 'node:os';

/** Largest request body accepted (an uploaded photo); bigger ones are refused unread. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

/**
 * The page may load only what this server sends: its own script and style, images it made
 * (data: URIs) or the drawing (blob:), and requests back to itself. No external origin at all.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers sent with every response. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cache-control': 'no-store',
};

/** Whether an address only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

/** Whether an address listens on every interface. */
export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** Which Host headers a server bound to `host`:`port` answers. */
export interface HostPolicy {
  readonly port: number;
  readonly names: ReadonlySet<string>;
  /** Any IP address is fine (the server listens on all of them); names still must be known. */
  readonly anyAddress: boolean;
}

/**
 * The Host names a browser can legitimately use to reach the server. A page on another site that
 * re-points its own domain name at 127.0.0.1 (DNS rebinding) sends that domain as Host, and is
 * refused: only loopback names, the bound address, this machine's name and IP addresses pass.
 */
export function hostPolicy(host: string, port: number): HostPolicy {
  const names = new Set(['localhost', '127.0.0.1', '::1', host.replace(/^\[|\]$/g, '')]);
  const wildcard = isWildcard(host);
  if (wildcard) {
    const machine = hostname().toLowerCase();
    names.add(machine);
    names.add(`${machine}.local`);
  }
  return { port, names, anyAddress: wildcard };
}

/** Whether a request's Host header ("name:port", "[v6]:port") is one the server answers to. */
export function isAllowedHost(header: string | undefined, policy: HostPolicy): boolean {
  if (header === undefined) return false;
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d+))?$/i.exec(header.trim());
  if (match === null) return false;
  const name = match[1].replace(/^\[|\]$/g, '').toLowerCase();
  const port = match[2] === undefined ? 80 : Number(match[2]);
  if (port !== policy.port) return false;
  return policy.names.has(name) || (policy.anyAddress && isIP(name) !== 0);
}

/** Whether a request's Origin, when it sends one, is this server's own (no cross-site posts). */
export function isSameOrigin(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  return origin === undefined || origin === `http://${request.headers.host ?? ''}`;
}

/** A request body over MAX_BODY_BYTES. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the request body is over ${limit} bytes`);
  }
}

/** Reads a request body, refusing (before reading it) one declared or found to exceed `limit`. */
export function readBody(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new BodyTooLargeError(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    request.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        request.removeAllListeners('data');
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
