import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  dataSourceFromName,
  dataSourceName,
  DEFAULT_DATA_DIRECTORIES,
  resolveDataSource,
} from '../../src/data/source.js';
import { writeTinyDataset } from '../helpers/tiny-data.js';

// resolveDataSource reads the working directory (data/mnist): each test runs in a fresh one.
let workspace: string;
const started = process.cwd();
beforeEach(() => {
  workspace = mkdtempSync(join(tmpdir(), 'mnn-source-'));
  process.chdir(workspace);
});
afterEach(() => {
  process.chdir(started);
  rmSync(workspace, { recursive: true, force: true });
});

describe('resolveDataSource (the --data option)', () => {
  it('without a value: the packaged MNIST until data/mnist holds the four files', () => {
    expect(resolveDataSource(undefined)).toEqual({ kind: 'packaged' });
    writeTinyDataset(join(workspace, DEFAULT_DATA_DIRECTORIES.mnist), { train: 2, test: 2 });
    expect(resolveDataSource(undefined)).toEqual({
      kind: 'directory',
      directory: join(workspace, 'data', 'mnist'),
    });
  });

  it('names the packaged MNIST, the fetched sets by name, and any directory by path', () => {
    expect(resolveDataSource('packaged')).toEqual({ kind: 'packaged' });
    expect(resolveDataSource('mnist')).toEqual({
      kind: 'directory',
      directory: join(workspace, 'data', 'mnist'),
    });
    expect(resolveDataSource('fashion')).toEqual({
      kind: 'directory',
      directory: join(workspace, 'data', 'fashion'),
    });
    expect(resolveDataSource('sets/mine')).toEqual({
      kind: 'directory',
      directory: join(workspace, 'sets', 'mine'),
    });
  });

  it('round-trips through the name a model file records', () => {
    for (const source of [resolveDataSource('packaged'), resolveDataSource('sets/mine')]) {
      expect(dataSourceFromName(dataSourceName(source))).toEqual(source);
    }
    expect(dataSourceName(resolveDataSource('sets/mine'))).toBe(join(workspace, 'sets', 'mine'));
  });

  it('reads the retired embedded digits of old models as the packaged MNIST, and refuses to be asked for them', () => {
    expect(dataSourceFromName('embedded')).toEqual({ kind: 'packaged' });
    expect(() => resolveDataSource('embedded')).toThrow(
      expect.objectContaining({ kind: 'usage', option: 'data' }),
    );
  });
});
