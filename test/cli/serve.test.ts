import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { saveModel } from '../../src/model/save.js';
import { runCli, startCli, waitUntil, type CliProcess } from '../helpers/cli-process.js';
import { randomDigitModel, trainingAt } from '../helpers/models.js';
import { writeTinyDataset } from '../helpers/tiny-data.js';

let workspace: string;

/** The URL a running `mnn serve` printed. */
async function servedUrl(serve: CliProcess): Promise<string> {
  await waitUntil(
    () => serve.output.stdout.includes('press Ctrl-C') || serve.child.exitCode !== null,
  );
  const match = /at (http:\S+)/.exec(serve.output.stdout);
  if (match === null) throw new Error(`mnn serve printed no URL: ${serve.output.stderr}`);
  return match[1];
}

beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'mnn-cli-serve-'));
  writeTinyDataset(join(workspace, 'tiny'));
  saveModel(join(workspace, 'model.json'), randomDigitModel([784, 8, 10], trainingAt(30)));
  writeFileSync(join(workspace, 'notes.json'), '{"shopping": ["eggs"]}');
});

describe('mnn serve', () => {
  it('serves on loopback by default, says so, and stops cleanly on Ctrl-C (exit 130)', async () => {
    const serve = startCli(['serve', 'model.json', '--data', 'tiny'], workspace);
    const url = await servedUrl(serve);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    await waitUntil(() => serve.output.stdout.includes('showing'));
    expect(serve.output.stdout).toContain('only this computer can open it');
    expect(serve.output.stdout).toContain('showing model.json: 784-8-10, iteration 30 of 100');
    const reply = (await (await fetch(new URL('api/model', url))).json()) as { revision: number };
    expect(reply.revision).toBe(1);
    serve.child.kill('SIGINT');
    const result = await serve.done;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('server stopped');
    await expect(fetch(url)).rejects.toThrow();
  });

  it('warns when --host exposes it to the network, and exits 143 on SIGTERM', async () => {
    const serve = startCli(
      ['serve', 'model.json', '--host', '0.0.0.0', '--data', 'tiny'],
      workspace,
    );
    await servedUrl(serve);
    await waitUntil(() => serve.output.stderr.includes('warning'));
    expect(serve.output.stderr).toMatch(/warning: listening on 0\.0\.0\.0: anyone who can reach/);
    serve.child.kill('SIGTERM');
    expect((await serve.done).code).toBe(143);
  });

  it('waits for a model file that does not exist yet', async () => {
    const serve = startCli(['serve', 'not-yet.json', '--json'], workspace);
    await waitUntil(() => serve.output.stdout.includes('"url"'));
    const started = JSON.parse(serve.output.stdout) as { url: string; port: number; model: string };
    expect(started.model).toBe('not-yet.json');
    await waitUntil(() => serve.output.stderr.includes('not-yet.json does not exist (yet)'));
    serve.child.kill('SIGINT');
    expect((await serve.done).code).toBe(130);
  });

  it('refuses a file that is not a model, and a bad port, with one line', async () => {
    const notModel = await runCli(['serve', 'notes.json'], workspace);
    expect(notModel.code).toBe(1);
    expect(notModel.stderr).toMatch(/^error: notes\.json is not a valid mnn model/);
    const badPort = await runCli(['serve', 'model.json', '--port', '70000'], workspace);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('--port must be a whole number from 0 to 65535');
  });
});
