/**
 * Issue 9, finding 8 (command line): every stop signal ends `mnn fetch` with 128 + its number and
 * no temporary file, a stalled mirror cannot outlast --deadline, and a FIFO at a target name is
 * refused instead of hanging.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeFixtures, startMirrorServer, type MirrorServer } from '../helpers/mirror-server.js';
import { runCli, startCli, waitUntil } from '../helpers/cli-process.js';

const fixtures = makeFixtures();
let workspace: string;
let env: NodeJS.ProcessEnv;
let server: MirrorServer;

beforeEach(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'mnn-cli-fetch-signals-'));
  const checksums = join(workspace, 'checksums.json');
  await writeFile(checksums, JSON.stringify(fixtures.sha256));
  env = {
    MNN_FETCH_MIRRORS_ONLY: '1',
    MNN_FETCH_CHECKSUMS: checksums,
    HTTP_PROXY: '',
    HTTPS_PROXY: '',
    http_proxy: '',
    https_proxy: '',
  };
  server = await startMirrorServer(fixtures, { stall: () => 'stall', hang: () => 'hang' });
});

afterEach(async () => {
  await server.close();
  await rm(workspace, { recursive: true, force: true });
});

describe('mnn fetch under signals and limits', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s mid-download exits %i and leaves no temporary file', async (signal, code) => {
    const dir = join(workspace, 'mnist');
    const run = startCli(
      ['fetch', '--dir', dir, '--mirror', server.url('stall'), '--timeout', '60'],
      workspace,
      env,
    );
    // The stalled body is half written to a temporary file: stop then.
    const temporaryExists = (): boolean =>
      existsSync(dir) && readdirSync(dir).some((name) => name.endsWith('.tmp'));
    await waitUntil(() => temporaryExists() || run.child.exitCode !== null);
    run.child.kill(signal);
    const result = await run.done;
    expect(result.code).toBe(code);
    expect(result.stderr).toContain('download interrupted; no partial file was left');
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(readdirSync(workspace)).not.toContain('mnist');
  });

  it('--deadline ends a fetch from a mirror that never answers', async () => {
    const result = await runCli(
      [
        'fetch',
        '--dir',
        'mnist',
        '--mirror',
        server.url('hang'),
        '--timeout',
        '60',
        '--deadline',
        '1',
      ],
      workspace,
      env,
    );
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n').at(-1)).toBe(
      'error: the download did not finish within 1 s; no partial file was left; allow more time, or give a faster mirror (--deadline)',
    );
  });

  it('refuses a FIFO at a target name at once, leaving it as it is', async () => {
    const dir = join(workspace, 'mnist');
    mkdirSync(dir);
    execFileSync('mkfifo', [join(dir, 'train-images-idx3-ubyte.gz')]);
    const result = await runCli(
      ['fetch', '--dir', dir, '--mirror', server.url('hang')],
      workspace,
      env,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('it is a named pipe (FIFO), not a regular file');
    expect(lstatSync(join(dir, 'train-images-idx3-ubyte.gz')).isFIFO()).toBe(true);
  });
});
