import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Random } from '../../src/nn/random.js';

/** How a mirror answers one request. */
export type Behavior =
  | 'ok'
  | 404
  | 500
  | 'reset' // half the body, then a TCP reset
  | 'truncate' // Content-Length of the whole file, half the body, then a clean close
  | 'stall' // half the body, then silence
  | 'hang' // never answers
  | 'html' // a login page with status 200
  | 'wrong' // a valid gzip file with other contents
  | 'endless' // status 200 without a length, then bytes without end
  | 'oversize' // a Content-Length far above the file's size, then bytes without end
  | 'trickle' // the file's length, then one byte per second
  | { basicAuth: string } // the file for "Authorization: Basic <that>", else 401
  | { redirect: string };

/** Decides a mirror's answer from the file name and how many times it was asked for it (1-based). */
export type Script = (file: string, request: number) => Behavior;

/** Small gzipped IDX files named like the real ones, with their digests. */
export interface Fixtures {
  readonly files: ReadonlyMap<string, Buffer>;
  readonly sha256: Readonly<Record<string, string>>;
}

/** An IDX header: two zero bytes, the type code 0x08 (unsigned byte), rank, then each size. */
function idx(sizes: readonly number[], body: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * sizes.length);
  header.writeUInt8(0x08, 2);
  header.writeUInt8(sizes.length, 3);
  sizes.forEach((size, index) => header.writeUInt32BE(size, 4 + 4 * index));
  return Buffer.concat([header, body]);
}

/** Makes gzipped IDX fixtures (a few hundred bytes each) from a fixed seed. */
export function makeFixtures(seed = 7, count = 6): Fixtures {
  const random = new Random(seed);
  const bytes = (length: number, max: number) =>
    Uint8Array.from({ length }, () => random.integer(max));
  const files = new Map<string, Buffer>([
    ['train-images-idx3-ubyte.gz', gzipSync(idx([count, 28, 28], bytes(count * 784, 256)))],
    ['train-labels-idx1-ubyte.gz', gzipSync(idx([count], bytes(count, 10)))],
    ['t10k-images-idx3-ubyte.gz', gzipSync(idx([count, 28, 28], bytes(count * 784, 256)))],
    ['t10k-labels-idx1-ubyte.gz', gzipSync(idx([count], bytes(count, 10)))],
  ]);
  const sha256 = Object.fromEntries(
    [...files].map(([name, contents]) => [
      name,
      createHash('sha256').update(contents).digest('hex'),
    ]),
  );
  return { files, sha256 };
}

/** A local HTTP server playing several mirrors at /<mirror>/<file>, counting every request. */
export interface MirrorServer {
  /** The base URL of a mirror (ends with a slash). */
  url(mirror: string): string;
  /** Requests received for a mirror (optionally for one file). */
  requests(mirror: string, file?: string): number;
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1 at a random port; `scripts` maps mirror names to behaviours. */
export async function startMirrorServer(
  fixtures: Fixtures,
  scripts: Record<string, Script>,
): Promise<MirrorServer> {
  const counts = new Map<string, number>();
  const server = createServer((request, response) => {
    const [, mirror = '', file = ''] = (request.url ?? '').split('/');
    const key = `${mirror}/${file}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const script = scripts[mirror];
    const contents = fixtures.files.get(file);
    if (script === undefined || contents === undefined) {
      response.writeHead(404).end('no such file');
      return;
    }
    answer(script(file, counts.get(key) ?? 1), contents, request, response);
  });
  await listen(server);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: (mirror) => `${base}/${mirror}/`,
    requests: (mirror, file) =>
      [...counts]
        .filter(([key]) => key.startsWith(`${mirror}/${file ?? ''}`))
        .reduce((sum, [, count]) => sum + count, 0),
    close: () => closeServer(server),
  };
}

/** Sends one answer of the given kind. */
function answer(
  behavior: Behavior,
  contents: Buffer,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const half = contents.subarray(0, contents.length >> 1);
  const whole = { 'content-length': String(contents.length) };
  if (typeof behavior === 'object' && 'basicAuth' in behavior) {
    const authorized = request.headers.authorization === `Basic ${behavior.basicAuth}`;
    if (authorized) response.writeHead(200, whole).end(contents);
    else response.writeHead(401, { 'www-authenticate': 'Basic' }).end('log in');
  } else if (typeof behavior === 'object') {
    response.writeHead(302, { location: behavior.redirect }).end();
  } else if (behavior === 'ok') {
    response.writeHead(200, whole).end(contents);
  } else if (behavior === 404 || behavior === 500) {
    response.writeHead(behavior).end(`error ${behavior}`);
  } else if (behavior === 'reset') {
    response.writeHead(200, whole);
    response.write(half, () => setTimeout(() => request.socket.resetAndDestroy(), 20));
  } else if (behavior === 'truncate') {
    response.writeHead(200, whole);
    response.write(half, () => setTimeout(() => request.socket.end(), 20));
  } else if (behavior === 'stall') {
    response.writeHead(200, whole);
    response.write(half);
  } else if (behavior === 'html') {
    const page = '<!DOCTYPE html><html><body>Please log in to download.</body></html>';
    response.writeHead(200, { 'content-type': 'text/html' }).end(page);
  } else if (behavior === 'wrong') {
    response.writeHead(200).end(gzipSync(Buffer.from('not the file you are looking for')));
  } else if (behavior === 'endless' || behavior === 'oversize') {
    response.writeHead(200, behavior === 'oversize' ? { 'content-length': String(1 << 30) } : {});
    pour(response, Buffer.alloc(1 << 16, 7));
  } else if (behavior === 'trickle') {
    response.writeHead(200, whole);
    let sent = 0;
    const timer = setInterval(() => {
      if (response.destroyed || sent >= contents.length) clearInterval(timer);
      else response.write(contents.subarray(sent, ++sent));
    }, 1000);
    response.on('close', () => clearInterval(timer));
  }
  // 'hang': never answer; close() destroys the connection.
}

/** Writes `chunk` again and again, as fast as the client reads, until the connection closes. */
function pour(response: ServerResponse, chunk: Buffer): void {
  const more = (): void => {
    while (!response.destroyed && response.write(chunk));
    if (!response.destroyed) response.once('drain', more);
  };
  more();
}

/** A forward proxy that only tunnels (CONNECT), counting the tunnels it opened. */
export interface TunnelProxy {
  readonly url: string;
  tunnels(): number;
  close(): Promise<void>;
}

/** Starts a CONNECT proxy on 127.0.0.1 at a random port. */
export async function startTunnelProxy(): Promise<TunnelProxy> {
  let tunnels = 0;
  const sockets = new Set<Socket>();
  const server = createServer((_request, response) => response.writeHead(405).end());
  server.on('connect', (request: IncomingMessage, client: Socket, head: Buffer) => {
    tunnels += 1;
    sockets.add(client);
    const [host = '', port = '80'] = (request.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await listen(server);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tunnels: () => tunnels,
    close: () => {
      // Tunnelled sockets leave the HTTP server's bookkeeping, so end them here.
      sockets.forEach((socket) => socket.destroy());
      return closeServer(server);
    },
  };
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
