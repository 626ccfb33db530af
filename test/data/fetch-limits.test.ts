/**
 * Issue 9, finding 8: a download is bounded in bytes (the file's known size), in rate and in
 * total time, never reads what is at the target name without end, and leaves no temporary file,
 * even after a killed run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MnnError } from '../../src/errors.js';
import { DATASET_BYTES, datasetFiles, fetchFiles, type RemoteFile } from '../../src/data/fetch.js';
import { makeFixtures, startMirrorServer, type MirrorServer, type Script } from '../helpers/mirror-server.js';

const fixtures = makeFixtures();
/** The fixtures with their real sizes as the known sizes: the byte cap of each download. */
const files: RemoteFile[] = datasetFiles('mnist', fixtures.sha256).map((file) => ({
  ...file,
  bytes: fixtures.files.get(file.name)?.length,
}));
const FIRST = files[0].name;

let directory: string;
let server: MirrorServer | undefined;

beforeEach(async () => {
  directory = join(await mkdtemp(join(tmpdir(), 'mnn-fetch-limits-')), 'mnist');
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(join(directory, '..'), { recursive: true, force: true });
});

/** Fetches the first fixture from one mirror playing `script`; returns the error and the time. */
async function fetchFirst(script: Script, timeoutMs = 2000, deadlineMs?: number) {
  server = await startMirrorServer(fixtures, { mirror: script });
  const started = performance.now();
  const error = await fetchFiles({
    directory,
    files: files.slice(0, 1),
    mirrors: [server.url('mirror')],
    timeoutMs,
    deadlineMs,
    triesPerMirror: 1,
    proxy: {},
  }).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(MnnError);
  return { error: error as MnnError, seconds: (performance.now() - started) / 1000 };
}

describe('fetch limits', () => {
  it('knows the size of every file of both data sets', () => {
    expect(DATASET_BYTES.mnist['train-images-idx3-ubyte.gz']).toBe(9912422);
    expect(DATASET_BYTES.fashion['t10k-images-idx3-ubyte.gz']).toBe(4422102);
    expect(datasetFiles('fashion').every((file) => file.bytes !== undefined)).toBe(true);
  });

  it('stops an endless body at the known size, leaving no temporary file', async () => {
    const { error } = await fetchFirst(() => 'endless');
    expect(error.message).toContain(`sent more than the ${files[0].bytes} bytes the file has`);
    expect(await readdir(directory).catch(() => [])).toEqual([]);
  });

  it('refuses a Content-Length above the known size before reading the body', async () => {
    const { error } = await fetchFirst(() => 'oversize');
    expect(error.message).toContain(`announces ${1 << 30} bytes, but the file has ${files[0].bytes}`);
  });

  it('gives up on a server sending 1 byte per second (a minimum rate), not after hours', async () => {
    const { error, seconds } = await fetchFirst(() => 'trickle', 1000);
    expect(error.message).toMatch(/too slow: \d+ bytes in [\d.]+ s, under the minimum of 1 kB\/s/);
    expect(seconds).toBeLessThan(30);
  });

  it('ends the whole fetch at the deadline, whatever the mirrors do', async () => {
    const { error, seconds } = await fetchFirst(() => 'hang', 60_000, 1000);
    expect(error.message).toContain('the download did not finish within 1 s');
    expect(error.kind).toBe('network');
    expect(error.option).toBe('deadlineMs');
    expect(seconds).toBeLessThan(30);
  });

  it('refuses a FIFO at the target name instead of reading it for ever', async () => {
    mkdirSync(directory, { recursive: true });
    const fifo = join(directory, FIRST);
    execFileSync('mkfifo', [fifo]);
    const { error } = await fetchFirst(() => 'ok');
    expect(error.message).toContain('it is a named pipe (FIFO), not a regular file');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('removes the temporary files a killed fetch left, and only those', async () => {
    mkdirSync(directory, { recursive: true });
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const dead = child.stdout.toString();
    const stale = `.${FIRST}.${dead}-0a1b2c.tmp`;
    writeFileSync(join(directory, stale), 'half a download');
    writeFileSync(join(directory, 'notes.txt'), 'mine');
    server = await startMirrorServer(fixtures, { mirror: () => 'ok' });
    await fetchFiles({ directory, files, mirrors: [server.url('mirror')], proxy: {} });
    expect((await readdir(directory)).sort()).toEqual(
      [...files.map((file) => file.name), 'notes.txt'].sort(),
    );
  });
});
