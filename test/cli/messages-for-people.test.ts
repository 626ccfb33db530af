/**
 * Issue 9, finding 16: messages a person can trust and act on — no terminal escape sequences from
 * a model file, no raw error codes, the right fetch command for a named data set, a "did you
 * mean" for a misspelt one, and a model saved with a byte-order mark still loads.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli-process.js';
import { writeTinyDataset } from '../helpers/tiny-data.js';

let root: string;
const at = (name: string): string => join(root, name);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mnn-messages-'));
  writeTinyDataset(at('data'), { train: 20, test: 10 });
  const trained = await runCli(
    ['train', '--data', at('data'), '--iters', '3', '--out', 'm.json'],
    root,
  );
  expect(trained.code).toBe(0);
  mkdirSync(at('a-directory'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The model file with its document changed by `edit`, written as `name`. */
function editedModel(name: string, edit: (document: Record<string, unknown>) => void): string {
  const document = JSON.parse(readFileSync(at('m.json'), 'utf8')) as Record<string, unknown>;
  edit(document);
  writeFileSync(at(name), JSON.stringify(document));
  return name;
}

describe('finding 16: messages for people', () => {
  it('refuses class names with terminal escape sequences instead of printing them', async () => {
    const model = editedModel('escapes.json', (document) => {
      document.labels = ['0', '1', '2', '\u001b[2J\u001b[31mpwned', '4', '5', '6', '7', '8', '9'];
    });
    const result = await runCli(['eval', model], root);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).not.toContain('\u001b');
    expect(result.stderr).toContain('"labels"[3] contains control characters');
  });

  it('refuses a recorded data path with control characters', async () => {
    const model = editedModel('path.json', (document) => {
      (document.training as Record<string, unknown>).dataset = `${at('data')}\u001b]0;title\u0007`;
    });
    const result = await runCli(['eval', model], root);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).not.toContain('\u001b');
  });

  it('says "is a directory" instead of a raw error code', async () => {
    const result = await runCli(['predict', 'a-directory', '--model', 'm.json'], root);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('it is a directory');
    expect(result.stderr).not.toMatch(/\bE[A-Z]{3,}\b/);
  });

  it('--data fashion, not fetched, suggests fetching Fashion-MNIST, not MNIST', async () => {
    const result = await runCli(['train', '--data', 'fashion'], root);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('mnn fetch --dataset fashion');
  });

  it('--data mnsit (no such directory) gets a "did you mean"', async () => {
    const result = await runCli(['train', '--data', 'mnsit'], root);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('did you mean --data mnist?');
  });

  it('loads a model saved with a UTF-8 byte-order mark (an editor added one)', async () => {
    writeFileSync(
      at('bom.json'),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), readFileSync(at('m.json'))]),
    );
    const result = await runCli(['eval', 'bom.json'], root);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
