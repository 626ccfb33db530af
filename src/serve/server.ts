import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MnnError } from '../errors.js';
import type { ModelReply } from './api.js';
import { loadPageScript } from './assets.js';
import { EventStreams } from './events.js';
import { watchModel, type ModelEvent } from './model-watch.js';
import { PAGE_HTML, PAGE_STYLE } from './page.js';
import { ServedVersion, type Reply, type TestModel } from './replies.js';
import {
  BodyTooLargeError,
  hostPolicy,
  isAllowedHost,
  isSameOrigin,
  isWildcard,
  readBody,
  SECURITY_HEADERS,
  type HostPolicy,
} from './security.js';

/** How `mnn serve` runs. */
export interface ServeOptions {
  /** The model file to show and follow. */
  readonly modelPath: string;
  /** The address to listen on; a loopback address keeps other machines out. */
  readonly host: string;
  /** 0 for any free port. */
  readonly port: number;
  /**
   * Tests a model on held-out images (per-class table, confusion matrix, gallery). Supplied by
   * the caller, which has the data; without it the page shows no test results. An MnnError it
   * throws is shown on the page instead of the results.
   */
  readonly testModel?: TestModel;
  /** How often the model file is checked for a new version. */
  readonly pollIntervalMs?: number;
  /** Told when a new version loads or the file cannot be read. */
  readonly onModelEvent?: (event: ModelEvent) => void;
  /** Told about a bug met while answering a request (the request gets a 500). */
  readonly onInternalError?: (error: unknown) => void;
}

/** A running server. */
export interface ModelServer {
  /** The page's address for this computer, e.g. "http://127.0.0.1:41234/". */
  readonly url: string;
  readonly port: number;
  /** Stops listening, ends the pages' event streams and open connections. */
  close(): Promise<void>;
}

/** Checked this often by default: a new checkpoint shows on the page well within 2 s. */
export const DEFAULT_POLL_INTERVAL_MS = 250;

/** A fixed asset: the page, its style and its script, held in memory. */
interface Asset {
  readonly type: string;
  readonly body: string;
}

/**
 * Serves the page and its API for one model file, following the file as it changes. Only the
 * fixed routes below exist: no part of a URL ever reaches the file system.
 */
export async function startServer(options: ServeOptions): Promise<ModelServer> {
  const assets: Readonly<Record<string, Asset>> = {
    '/': { type: 'text/html; charset=utf-8', body: PAGE_HTML },
    '/style.css': { type: 'text/css; charset=utf-8', body: PAGE_STYLE },
    '/page.js': { type: 'text/javascript; charset=utf-8', body: loadPageScript() },
  };
  const streams = new EventStreams();
  let served: ServedVersion | undefined;
  const watch = await watchModel(
    options.modelPath,
    options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
    (event) => {
      if (event.kind === 'loaded') {
        served = new ServedVersion(event.version, options.modelPath, options.testModel);
      }
      streams.send('model', { revision: served?.version.revision ?? 0 });
      options.onModelEvent?.(event);
    },
  );
  const waiting = (): ModelReply => ({
    file: options.modelPath,
    problem: watch.problem,
    revision: 0,
    status: 'waiting for the model file',
  });
  const api = async (
    route: string,
    request: IncomingMessage,
    url: URL,
  ): Promise<Reply | undefined> => {
    if (route === 'GET /api/model') {
      return { status: 200, json: served?.modelReply(watch.problem) ?? waiting() };
    }
    if (route === 'GET /api/gallery') {
      return (
        served?.galleryReply(url.searchParams) ?? { status: 503, json: { error: 'no model yet' } }
      );
    }
    if (route === 'POST /api/predict') {
      const bytes = await readBody(request);
      return (
        served?.predictReply(bytes) ?? {
          status: 503,
          json: { error: watch.problem ?? 'no model is loaded yet' },
        }
      );
    }
    return undefined;
  };

  let policy: HostPolicy | undefined = undefined;
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (policy === undefined || !isAllowedHost(request.headers.host, policy)) {
      const host = JSON.stringify(request.headers.host ?? '');
      sendJson(response, 403, {
        error: `this server answers only to its own address (Host ${host} refused)`,
      });
      return;
    }
    const url = new URL(request.url ?? '/', 'http://server');
    const method = request.method === 'HEAD' ? 'GET' : (request.method ?? '');
    const route = `${method} ${url.pathname}`;
    const asset = method === 'GET' ? assets[url.pathname] : undefined;
    if (asset !== undefined) return send(response, 200, asset.type, asset.body);
    if (route === 'GET /api/events') return streams.open(response);
    if (method === 'POST' && !isSameOrigin(request)) {
      return sendJson(response, 403, { error: 'requests from other sites are refused' });
    }
    try {
      const reply = await api(route, request, url);
      if (reply !== undefined) return sendJson(response, reply.status, reply.json);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      response.setHeader('connection', 'close');
      const megabytes = error.limit / 1024 / 1024;
      return sendJson(response, 413, { error: `images up to ${megabytes} MB are accepted` });
    }
    sendJson(response, 404, {
      error: `${request.method} ${url.pathname} is not something this server offers`,
    });
  };
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.onInternalError?.(error);
      if (response.headersSent) response.destroy();
      else sendJson(response, 500, { error: 'internal error; see the terminal running mnn serve' });
    });
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  const stopWatching = (): void => {
    watch.close();
    streams.close();
  };
  const port = await listen(server, options.host, options.port).catch((error: unknown) => {
    stopWatching();
    throw error;
  });
  policy = hostPolicy(options.host, port);
  // On every interface, this computer opens the page through loopback.
  const urlHost = isWildcard(options.host)
    ? '127.0.0.1'
    : options.host.includes(':')
      ? `[${options.host}]`
      : options.host;
  return {
    url: `http://${urlHost}:${port}/`,
    port,
    close: async () => {
      stopWatching();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Writes a response with the security headers. */
function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': type,
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

/** Listens on host:port; the usual failures become MnnErrors that say what to do. */
function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, host, port)));
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** Says why listening failed and what to change, naming the option concerned. */
function listenError(error: NodeJS.ErrnoException, host: string, port: number): MnnError {
  const where = `cannot serve on ${host}:${port}`;
  if (error.code === 'EADDRINUSE') {
    return new MnnError(`${where}: the port is already in use`, {
      kind: 'usage',
      option: 'port',
      hint: 'choose another port, or 0 for any free one',
    });
  }
  if (error.code === 'EACCES') {
    return new MnnError(`${where}: not allowed to listen on this port`, {
      kind: 'usage',
      option: 'port',
      hint: 'choose a port above 1023',
    });
  }
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
    return new MnnError(`${where}: ${host} is not an address of this machine`, {
      kind: 'usage',
      option: 'host',
      hint: 'give one of its addresses, or 127.0.0.1 for this computer only',
    });
  }
  return new MnnError(`${where}: ${error.message}`, { kind: 'io', cause: error });
}
