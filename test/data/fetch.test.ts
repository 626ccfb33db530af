import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MnnError } from '../../src/errors.js';
import {
  DATASET_FILE_NAMES,
  DATASET_SHA256,
  datasetFiles,
  datasetMirrors,
  DEFAULT_MIRRORS,
  fetchFiles,
  fileUrl,
} from '../../src/data/fetch.js';
import type { FetchEvent, FetchOptions } from '../../src/data/fetch.js';
import { makeFixtures, startMirrorServer, startTunnelProxy } from '../helpers/mirror-server.js';
import type { MirrorServer, Script } from '../helpers/mirror-server.js';

const fixtures = makeFixtures();
const files = datasetFiles('mnist', fixtures.sha256);
const ok: Script = () => 'ok';

let workspace: string;
let directory: string;
let server: MirrorServer | undefined;

beforeEach(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'mnn-fetch-'));
  directory = join(workspace, 'data', 'mnist');
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(workspace, { recursive: true, force: true });
});

/** Starts mirrors and fetches every fixture from them (in the given order), recording events. */
async function fetchFrom(
  scripts: Record<string, Script>,
  extra: Partial<FetchOptions> = {},
): Promise<{ events: FetchEvent[]; run: ReturnType<typeof fetchFiles> }> {
  server ??= await startMirrorServer(fixtures, scripts);
  const events: FetchEvent[] = [];
  const mirrorServer = server;
  const run = fetchFiles({
    directory,
    files,
    mirrors: Object.keys(scripts).map((mirror) => mirrorServer.url(mirror)),
    timeoutMs: 2000,
    backoffMs: 5,
    proxy: {},
    onEvent: (event) => events.push(event),
    ...extra,
  });
  return { events, run };
}

/** Asserts the directory holds exactly the fixtures, byte for byte (no temporary files). */
async function expectAllFixtures(): Promise<void> {
  expect((await readdir(directory)).sort()).toEqual([...DATASET_FILE_NAMES].sort());
  for (const [name, contents] of fixtures.files) {
    expect(Buffer.compare(await readFile(join(directory, name)), contents)).toBe(0);
  }
}

/** The rejection of a run, which must be an MnnError. */
async function failureOf(run: Promise<unknown>): Promise<MnnError> {
  const error = await run.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(MnnError);
  return error as MnnError;
}

describe('fetchFiles', () => {
  it('downloads every file from the first mirror and leaves only verified files', async () => {
    const { events, run } = await fetchFrom({ first: ok, second: ok });
    const result = await run;
    await expectAllFixtures();
    expect(result.map((file) => file.status)).toEqual(Array(4).fill('downloaded'));
    expect(result.every((file) => file.mirror === server?.url('first'))).toBe(true);
    expect(server?.requests('second')).toBe(0);
    expect(events.filter((event) => event.type === 'done')).toHaveLength(4);
    const lastBytes = events.filter((event) => event.type === 'bytes').at(-1);
    expect(lastBytes).toMatchObject({ receivedBytes: fixtures.files.get('t10k-labels-idx1-ubyte.gz')?.length });
  });

  it('accepts checksum overrides in upper case (regression: issue 14)', async () => {
    const upper = Object.fromEntries(
      Object.entries(fixtures.sha256).map(([name, digest]) => [name, digest.toUpperCase()]),
    );
    const overridden = datasetFiles('mnist', upper);
    expect(overridden.map((file) => file.sha256)).toEqual(files.map((file) => file.sha256));
    const { run } = await fetchFrom({ first: ok }, { files: overridden });
    expect((await run).map((file) => file.status)).toEqual(Array(4).fill('downloaded'));
    await expectAllFixtures();
  });

  it('falls back to the second mirror after a 404, without retrying the 404', async () => {
    const { events, run } = await fetchFrom({ first: () => 404, second: ok });
    const result = await run;
    await expectAllFixtures();
    expect(result.every((file) => file.mirror === server?.url('second'))).toBe(true);
    expect(server?.requests('first')).toBe(4);
    expect(events.some((event) => event.type === 'retry')).toBe(false);
    expect(events.find((event) => event.type === 'mirror-failed')).toMatchObject({
      reason: 'HTTP 404 Not Found',
      tries: 1,
    });
  });

  it('retries a 500 with growing backoff and succeeds on the third try', async () => {
    const { events, run } = await fetchFrom({
      only: (_file, request) => (request <= 2 ? 500 : 'ok'),
    });
    await run;
    await expectAllFixtures();
    expect(server?.requests('only', 'train-images-idx3-ubyte.gz')).toBe(3);
    const retries = events.filter((event) => event.type === 'retry' && event.file === files[0].name);
    expect(retries).toMatchObject([
      { attempt: 1, delayMs: 5, reason: 'HTTP 500 Internal Server Error' },
      { attempt: 2, delayMs: 10 },
    ]);
  });

  it('gives up on a mirror after three 500s and names the tries', async () => {
    const { run } = await fetchFrom({ only: () => 500 });
    const error = await failureOf(run);
    expect(error.message).toContain('HTTP 500 Internal Server Error (3 tries)');
    expect(server?.requests('only')).toBe(3);
  });

  it('retries after the connection is reset mid-body', async () => {
    const { events, run } = await fetchFrom({ only: (_file, request) => (request === 1 ? 'reset' : 'ok') });
    await run;
    await expectAllFixtures();
    const retry = events.find((event) => event.type === 'retry');
    expect(retry).toMatchObject({ reason: expect.stringContaining('connection closed after') });
  });

  it('retries a body cut short under status 200 (Content-Length larger than what came)', async () => {
    const { events, run } = await fetchFrom({
      only: (_file, request) => (request === 1 ? 'truncate' : 'ok'),
    });
    await run;
    await expectAllFixtures();
    expect(events.filter((event) => event.type === 'retry')).toHaveLength(4);
  });

  it('retries a body that stalls longer than the timeout', async () => {
    const { events, run } = await fetchFrom(
      { only: (file, request) => (request === 1 && file === files[0].name ? 'stall' : 'ok') },
      { timeoutMs: 300 },
    );
    await run;
    await expectAllFixtures();
    expect(events.find((event) => event.type === 'retry')).toMatchObject({
      reason: expect.stringMatching(/^stalled for 0.3 s after \d+ of \d+ bytes$/),
    });
  });

  it('moves on from a mirror that never answers once the timeout passes, without retrying it', async () => {
    const { events, run } = await fetchFrom(
      { silent: () => 'hang', second: ok },
      { timeoutMs: 300, files: [files[0]] },
    );
    await run;
    expect(await readdir(directory)).toEqual([files[0].name]);
    expect(server?.requests('silent')).toBe(1);
    expect(events.find((event) => event.type === 'mirror-failed')).toMatchObject({
      reason: 'no answer within 0.3 s',
    });
  });

  it('rejects wrong bytes from every mirror, naming file, mirrors and digests, and leaves nothing', async () => {
    const { run } = await fetchFrom({ first: () => 'wrong', second: () => 'wrong' });
    const error = await failureOf(run);
    const name = files[0].name;
    expect(error.message).toContain(`cannot fetch ${name} from any mirror`);
    expect(error.message).toContain(`${server?.url('first')}: checksum mismatch`);
    expect(error.message).toContain(`${server?.url('second')}: checksum mismatch`);
    expect(error.message).toContain(`expected SHA-256 ${fixtures.sha256[name]}, got `);
    expect(error.kind).toBe('network');
    expect(error.hint).toContain('training still works offline on the MNIST shipped with mnn');
    expect(error.option).toBe('mirrors');
    expect(error.message).not.toContain('\n');
    // The target directory was created by this fetch; a failure removes it again.
    expect(existsSync(join(workspace, 'data'))).toBe(false);
  });

  it('keeps the verified files fetched before a failure', async () => {
    const { run } = await fetchFrom({
      only: (file) => (file === 't10k-images-idx3-ubyte.gz' ? 404 : 'ok'),
    });
    const error = await failureOf(run);
    expect(error.message).toContain('the 2 file(s) fetched before it are verified and stay there');
    expect((await readdir(directory)).sort()).toEqual([
      'train-images-idx3-ubyte.gz',
      'train-labels-idx1-ubyte.gz',
    ]);
  });

  it('catches an HTML error page served with status 200 by its checksum', async () => {
    const { events, run } = await fetchFrom({ login: () => 'html', second: ok });
    await run;
    await expectAllFixtures();
    const failed = events.find((event) => event.type === 'mirror-failed');
    expect(failed).toMatchObject({
      reason: expect.stringMatching(/^checksum mismatch: .*not a gzip file; it starts with "<!DOCTYPE html>/),
      tries: 1,
    });
  });

  it('follows a redirect to another mirror', async () => {
    const { run } = await fetchFrom({
      moved: (file) => ({ redirect: `${server?.url('target')}${file}` }),
      target: ok,
    });
    await run;
    await expectAllFixtures();
    expect(server?.requests('target')).toBe(4);
  });

  it('skips files already present and verified without any request', async () => {
    await (await fetchFrom({ only: ok })).run;
    const again = await fetchFrom({ only: ok });
    const result = await again.run;
    expect(server?.requests('only')).toBe(4);
    expect(result.map((file) => file.status)).toEqual(Array(4).fill('skipped'));
    expect(again.events.map((event) => event.type)).toEqual(Array(4).fill('skip'));
  });

  it('downloads again with force', async () => {
    await (await fetchFrom({ only: ok })).run;
    const result = await (await fetchFrom({ only: ok }, { force: true })).run;
    expect(server?.requests('only')).toBe(8);
    expect(result.map((file) => file.status)).toEqual(Array(4).fill('downloaded'));
    await expectAllFixtures();
  });

  it('replaces a present file whose checksum does not match', async () => {
    await (await fetchFrom({ only: ok })).run;
    const stale = join(directory, files[1].name);
    await writeFile(stale, 'half a file');
    const again = await fetchFrom({ only: ok });
    await again.run;
    await expectAllFixtures();
    expect(again.events.filter((event) => event.type === 'stale')).toEqual([
      { type: 'stale', file: files[1].name, path: stale },
    ]);
    expect(server?.requests('only')).toBe(5);
  });

  it('goes through the HTTP proxy, unless NO_PROXY names the host', async () => {
    const proxy = await startTunnelProxy();
    try {
      await (await fetchFrom({ only: ok }, { proxy: { httpProxy: proxy.url } })).run;
      await expectAllFixtures();
      expect(proxy.tunnels()).toBeGreaterThan(0);
      const tunnelsBefore = proxy.tunnels();
      const bypass = { httpProxy: proxy.url, noProxy: 'example.org, 127.0.0.1' };
      await (await fetchFrom({ only: ok }, { proxy: bypass, force: true })).run;
      expect(proxy.tunnels()).toBe(tunnelsBefore);
      expect(server?.requests('only')).toBe(8);
    } finally {
      await proxy.close();
    }
  });

  it('stops on abort, removing the temporary file', async () => {
    const controller = new AbortController();
    const { run } = await fetchFrom(
      { only: () => 'stall' },
      { signal: controller.signal, timeoutMs: 5000 },
    );
    setTimeout(() => controller.abort(), 200);
    const error = await failureOf(run);
    expect(error.message).toBe('download interrupted; no partial file was left.');
    expect(existsSync(join(workspace, 'data'))).toBe(false);
  });

  it('refuses an empty mirror list as a usage error', async () => {
    const error = await failureOf(fetchFiles({ directory, files, mirrors: [] }));
    expect(error.kind).toBe('usage');
  });
});

describe('mirror and file lists', () => {
  it('puts user mirrors first, and uses only them when asked', () => {
    expect(datasetMirrors('mnist', ['http://a/'])).toEqual(['http://a/', ...DEFAULT_MIRRORS.mnist]);
    expect(datasetMirrors('fashion', ['http://a/'], true)).toEqual(['http://a/']);
  });

  it('joins a mirror and a file name with or without a trailing slash', () => {
    expect(fileUrl('http://h/x', 'f.gz')).toBe('http://h/x/f.gz');
    expect(fileUrl('http://h/x/', 'f.gz')).toBe('http://h/x/f.gz');
  });

  it('knows a 64-digit digest for each of the four files of both data sets', () => {
    for (const dataset of ['mnist', 'fashion'] as const) {
      const list = datasetFiles(dataset);
      expect(list.map((file) => file.name)).toEqual([...DATASET_FILE_NAMES]);
      expect(list.every((file) => /^[0-9a-f]{64}$/.test(file.sha256))).toBe(true);
    }
    expect(DATASET_SHA256.mnist['train-images-idx3-ubyte.gz']).not.toBe(
      DATASET_SHA256.fashion['train-images-idx3-ubyte.gz'],
    );
  });
});
