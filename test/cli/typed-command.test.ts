/**
 * Issue 9, finding 15: the commands mnn suggests are written as the user runs mnn — `npx mnn …`
 * when it was started through npx (npm sets npm_command=exec), plain `mnn …` otherwise (after
 * `npm link` or a global install, as the README's set-up says) — so a pasted hint works.
 */
import { mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASET_FILES } from '../../src/data/directory.js';
import { runCli } from '../helpers/cli-process.js';
import { writeTinyDataset } from '../helpers/tiny-data.js';

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mnn-typed-'));
  writeTinyDataset(join(root, 'data'), { train: 20, test: 10 });
  writeTinyDataset(join(root, 'broken'), { train: 20, test: 10 });
  truncateSync(join(root, 'broken', DATASET_FILES.test.labels), 12);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const THROUGH_NPX = { npm_command: 'exec' };
const DIRECT = { npm_command: '' };

describe('suggested commands', () => {
  it('after training: evaluate it with `npx mnn eval` through npx, `mnn eval` otherwise', async () => {
    const args = ['train', '--data', 'data', '--iters', '3', '--out', 'm.json'];
    const npx = await runCli(args, root, THROUGH_NPX);
    expect(npx.stdout).toContain('(evaluate it with: npx mnn eval m.json)');
    const direct = await runCli(args, root, DIRECT);
    expect(direct.stdout).toContain('(evaluate it with: mnn eval m.json)');
  });

  it('in error hints that name a command', async () => {
    const npx = await runCli(['eval', 'm.json', '--data', 'broken'], root, THROUGH_NPX);
    expect(npx.stderr).toContain('(npx mnn fetch --force)');
    const direct = await runCli(['eval', 'm.json', '--data', 'broken'], root, DIRECT);
    expect(direct.stderr).toContain('(mnn fetch --force)');
    expect(direct.stderr).not.toContain('npx');
  });

  it('in the hint for a named data set not fetched yet', async () => {
    const npx = await runCli(['eval', 'm.json', '--data', 'fashion'], root, THROUGH_NPX);
    expect(npx.stderr).toContain('npx mnn fetch --dataset fashion');
  });
});
