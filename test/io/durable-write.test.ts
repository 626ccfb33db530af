/** Issue 9, finding 7: a saved file is synced to disk, then its directory, before the save returns. */
import { fstatSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const synced = vi.hoisted(() => [] as string[]);
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const fsyncSync = (fd: number): void => {
    synced.push(fs.fstatSync(fd).isDirectory() ? 'directory' : 'file');
    fs.fsyncSync(fd);
  };
  return { ...fs, default: { ...fs, fsyncSync }, fsyncSync };
});

const { writeFileAtomic } = await import('../../src/io/atomic-write.js');

beforeEach(() => void synced.splice(0));

describe('writeFileAtomic is durable', () => {
  it('fsyncs the file before the rename and the directory after it', () => {
    const directory = mkdtempSync(join(tmpdir(), 'mnn-durable-'));
    writeFileAtomic(join(directory, 'model.json'), 'weights');
    expect(synced).toEqual(['file', 'directory']);
    expect(fstatSync).toBeDefined();
  });
});
