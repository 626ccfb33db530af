/**
 * Issue 9, finding 16: a --mirror URL with a user and password is used as such (HTTP basic
 * authentication) and its password is never printed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeFixtures, startMirrorServer, type MirrorServer } from '../helpers/mirror-server.js';
import { runCli } from '../helpers/cli-process.js';

const fixtures = makeFixtures();
let workspace: string;
let env: NodeJS.ProcessEnv;
let server: MirrorServer;

beforeEach(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'mnn-fetch-auth-'));
  const checksums = join(workspace, 'checksums.json');
  await writeFile(checksums, JSON.stringify(fixtures.sha256));
  env = {
    MNN_FETCH_MIRRORS_ONLY: '1',
    MNN_FETCH_CHECKSUMS: checksums,
    HTTP_PROXY: '',
    http_proxy: '',
  };
  const basicAuth = Buffer.from('ann:s3cr%t pw').toString('base64');
  server = await startMirrorServer(fixtures, { private: () => ({ basicAuth }) });
});

afterEach(async () => {
  await server.close();
  await rm(workspace, { recursive: true, force: true });
});

/** The mirror's URL with credentials in it (the password percent-encoded, as URLs require). */
function withCredentials(password: string): string {
  const url = new URL(server.url('private'));
  url.username = 'ann';
  url.password = encodeURIComponent(password);
  return url.href;
}

describe('mnn fetch --mirror with credentials', () => {
  it('sends them as HTTP basic authentication', async () => {
    const result = await runCli(
      ['fetch', '--dir', 'mnist', '--mirror', withCredentials('s3cr%t pw')],
      workspace,
      env,
    );
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
    expect(server.requests('private')).toBe(4);
  });

  it('never prints the password, in progress, summary or errors', async () => {
    const good = await runCli(
      ['fetch', '--dir', 'mnist', '--mirror', withCredentials('s3cr%t pw'), '--json'],
      workspace,
      env,
    );
    const bad = await runCli(
      ['fetch', '--dir', 'other', '--mirror', withCredentials('wrong-secret')],
      workspace,
      env,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('HTTP 401');
    for (const output of [good.stdout, good.stderr, bad.stdout, bad.stderr]) {
      expect(output).not.toMatch(/s3cr|wrong-secret/);
    }
    expect(bad.stderr).toContain('ann:***@127.0.0.1');
  });
});
