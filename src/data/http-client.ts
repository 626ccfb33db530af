import { STATUS_CODES } from 'node:http';
import { Agent, ProxyAgent } from 'undici';
import type { Dispatcher } from 'undici';

/**
 * Proxy settings in the form of the usual environment variables. Node 20's global fetch ignores
 * them, so mnn reads them itself and routes requests through undici's ProxyAgent.
 */
export interface ProxySettings {
  /** Proxy for http:// URLs (HTTP_PROXY). */
  readonly httpProxy?: string;
  /** Proxy for https:// URLs (HTTPS_PROXY); falls back to httpProxy, as curl does. */
  readonly httpsProxy?: string;
  /** Hosts reached directly (NO_PROXY): "*", or a list of host, .domain, *.domain, host:port. */
  readonly noProxy?: string;
}

/** Reads HTTPS_PROXY / HTTP_PROXY / NO_PROXY (lower-case names first, as curl does). */
export function proxySettingsFromEnv(env: NodeJS.ProcessEnv): ProxySettings {
  const pick = (name: string): string | undefined =>
    env[name.toLowerCase()] || env[name.toUpperCase()] || undefined;
  return { httpProxy: pick('http_proxy'), httpsProxy: pick('https_proxy'), noProxy: pick('no_proxy') };
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** True when NO_PROXY says `url` is reached directly (the rules undici's EnvHttpProxyAgent uses). */
export function bypassesProxy(url: URL, noProxy: string | undefined): boolean {
  const entries = (noProxy ?? '').split(/[,\s]/).filter((entry) => entry !== '');
  if (entries.includes('*')) return true;
  // Keep IPv6 brackets: strip only a trailing port from url.host.
  const hostname = url.host.replace(/:\d*$/, '').toLowerCase();
  const port = Number.parseInt(url.port, 10) || DEFAULT_PORTS[url.protocol] || 0;
  return entries.some((entry) => {
    const match = /^(.+):(\d+)$/.exec(entry);
    const entryHost = (match ? match[1] : entry).toLowerCase();
    if (match && Number(match[2]) !== port) return false;
    return /^[.*]/.test(entryHost)
      ? hostname.endsWith(entryHost.replace(/^\*/, ''))
      : hostname === entryHost;
  });
}

/** The proxy URL for `url`, or undefined when it is reached directly. */
export function proxyFor(url: URL, proxy: ProxySettings): string | undefined {
  const chosen = url.protocol === 'https:' ? (proxy.httpsProxy ?? proxy.httpProxy) : proxy.httpProxy;
  return chosen === undefined || bypassesProxy(url, proxy.noProxy) ? undefined : chosen;
}

/** A response whose body has not been read yet. */
export interface HttpResponse {
  readonly statusCode: number;
  readonly statusText: string;
  /** Content-Length when the server sent one. */
  readonly contentLength: number | undefined;
  readonly body: AsyncIterable<Buffer> & { dump(): Promise<void> };
  /** The URL that answered, after redirects. */
  readonly url: string;
}

/** GET requests through the right proxy, with timeouts, following redirects. */
export interface HttpClient {
  /** Sends a GET; rejects on network errors and timeouts, resolves with any HTTP status. */
  get(url: string, signal?: AbortSignal): Promise<HttpResponse>;
  /** Closes every connection. */
  close(): Promise<void>;
}

const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Creates a client whose `timeoutMs` bounds connecting, waiting for the response headers, and
 * every silence while a body streams (a stall), but not a slow download that keeps moving.
 */
export function createHttpClient(proxy: ProxySettings, timeoutMs: number): HttpClient {
  const options = { connect: { timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs };
  const direct = new Agent(options);
  const proxies = new Map<string, ProxyAgent>();
  const dispatcherFor = (url: URL): Dispatcher => {
    const proxyUrl = proxyFor(url, proxy);
    if (proxyUrl === undefined) return direct;
    let agent = proxies.get(proxyUrl);
    if (agent === undefined) {
      agent = new ProxyAgent({ uri: proxyUrl, ...options });
      proxies.set(proxyUrl, agent);
    }
    return agent;
  };

  const get = async (url: string, signal?: AbortSignal): Promise<HttpResponse> => {
    let current = new URL(url);
    const credentials = basicAuthorization(current);
    for (let redirects = 0; ; redirects++) {
      // Credentials go to the origin they were given for, never to where it redirects.
      const sameOrigin = current.origin === new URL(url).origin;
      const response = await dispatcherFor(current).request({
        origin: current.origin,
        path: current.pathname + current.search,
        method: 'GET',
        signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        headers:
          credentials !== undefined && sameOrigin ? { authorization: credentials } : undefined,
      });
      const location = response.headers.location;
      if (
        REDIRECT_STATUSES.has(response.statusCode) &&
        typeof location === 'string' &&
        redirects < MAX_REDIRECTS
      ) {
        await response.body.dump();
        current = new URL(location, current);
        continue;
      }
      const length = Number(response.headers['content-length']);
      return {
        statusCode: response.statusCode,
        statusText: statusText(response.statusCode),
        contentLength: Number.isFinite(length) && length >= 0 ? length : undefined,
        body: response.body,
        url: current.href,
      };
    }
  };

  const close = async (): Promise<void> => {
    await Promise.all([direct.close(), ...[...proxies.values()].map((agent) => agent.close())]);
  };
  return { get, close };
}

/** A status code in words ("HTTP 404 Not Found"), for error messages. */
function statusText(code: number): string {
  const text = STATUS_CODES[code];
  return text === undefined ? `HTTP ${code}` : `HTTP ${code} ${text}`;
}

/** The Authorization header for a URL's user and password (HTTP basic), if it has them. */
function basicAuthorization(url: URL): string | undefined {
  if (url.username === '' && url.password === '') return undefined;
  const pair = `${percentDecoded(url.username)}:${percentDecoded(url.password)}`;
  return `Basic ${Buffer.from(pair).toString('base64')}`;
}

/** A URL component with its %XX escapes decoded (as typed when a stray % is not one). */
function percentDecoded(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    return component;
  }
}

/** A URL for messages: its password, if it has one, shown as *** ("http://ann:***@host/"). */
export function withoutPassword(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.password === '') return url;
  parsed.password = '***';
  return parsed.href;
}
