import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATASET_FILE_NAMES } from '../../src/data/fetch.js';
import { makeFixtures, startMirrorServer } from '../helpers/mirror-server.js';
import type { MirrorServer } from '../helpers/mirror-server.js';

const fixtures = makeFixtures();
let workspace: string;
let checksums: string;
let server: MirrorServer;

beforeEach(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'mnn-cli-fetch-'));
  checksums = join(workspace, 'checksums.json');
  await writeFile(checksums, JSON.stringify(fixtures.sha256));
  server = await startMirrorServer(fixtures, {
    good: () => 'ok',
    missing: () => 404,
    tampered: () => 'wrong',
  });
});

afterEach(async () => {
  await server.close();
  await rm(workspace, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI asynchronously (the mirror server lives in this process) with test hooks. */
function mnn(...args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MNN_FETCH_MIRRORS_ONLY: '1',
    MNN_FETCH_CHECKSUMS: checksums,
  };
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) delete env[name];
  return new Promise((resolve) => {
    execFile('node', ['dist/cli/main.js', ...args], { env }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
    });
  });
}

describe('mnn fetch', () => {
  it('downloads the four files from a mirror and says how to train on them', async () => {
    const dir = join(workspace, 'mnist');
    const run = await mnn(
      'fetch',
      '--dir',
      dir,
      '--mirror',
      server.url('missing'),
      '--mirror',
      server.url('good'),
    );
    expect(run.code).toBe(0);
    expect((await readdir(dir)).sort()).toEqual([...DATASET_FILE_NAMES].sort());
    expect(run.stdout).toContain(
      `MNIST is ready in ${dir}: 4 files verified (4 downloaded, 0 already present).`,
    );
    expect(run.stdout).toContain(`mnn train --data ${dir}`);
    // stderr is not a terminal here: plain lines, no bar drawing.
    expect(run.stderr).toContain(`fetching train-images-idx3-ubyte.gz from ${server.url('good')}`);
    expect(run.stderr).toContain(`${server.url('missing')} failed: HTTP 404 Not Found`);
    expect(run.stderr).not.toContain('\u001b[');
  });

  it('prints a JSON summary with --json and skips verified files on the next run', async () => {
    const dir = join(workspace, 'fashion');
    const args = [
      'fetch',
      '--dataset',
      'fashion',
      '--dir',
      dir,
      '--mirror',
      server.url('good'),
      '--json',
    ];
    const first = await mnn(...args);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    const summary = JSON.parse(first.stdout) as {
      dataset: string;
      files: { status: string; sha256: string }[];
    };
    expect(summary.dataset).toBe('fashion');
    expect(summary.files.map((file) => file.status)).toEqual(Array(4).fill('downloaded'));
    const second = await mnn(...args);
    const again = JSON.parse(second.stdout) as { files: { status: string }[] };
    expect(again.files.map((file) => file.status)).toEqual(Array(4).fill('skipped'));
    expect(server.requests('good')).toBe(4);
  });

  it('fails with exit 1, one line naming every mirror, and leaves nothing behind', async () => {
    const dir = join(workspace, 'data', 'mnist');
    const run = await mnn(
      'fetch',
      '--dir',
      dir,
      '--mirror',
      server.url('missing'),
      '--mirror',
      server.url('tampered'),
    );
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    const error = lines.at(-1) ?? '';
    expect(error).toMatch(/^error: cannot fetch train-images-idx3-ubyte\.gz from any mirror: /);
    expect(error).toContain(`${server.url('missing')}: HTTP 404 Not Found`);
    expect(error).toContain(
      `${server.url('tampered')}: checksum mismatch: expected SHA-256 ${fixtures.sha256['train-images-idx3-ubyte.gz']}`,
    );
    expect(error).toContain(
      '; training still works offline on the MNIST shipped with mnn; check the network or proxy ' +
        '(HTTPS_PROXY), or give another mirror (--mirror URL)',
    );
    expect(existsSync(join(workspace, 'data'))).toBe(false);
  });

  it('rejects a --mirror that is not an http(s) URL as a usage error', async () => {
    const run = await mnn('fetch', '--dir', join(workspace, 'x'), '--mirror', 'ftp://example.org/');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      '--mirror must be an http:// or https:// URL; got "ftp://example.org/".',
    );
    expect(existsSync(join(workspace, 'x'))).toBe(false);
  });

  it('rejects an unknown --dataset as a usage error', async () => {
    const run = await mnn('fetch', '--dataset', 'cifar');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--dataset must be one of mnist, fashion; got "cifar".');
  });
});
