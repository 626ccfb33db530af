import { describe, expect, it, vi } from 'vitest';
import { MnnError } from '../../src/errors.js';

/** The error code the mocked openSync fails with (root opens every file, so it is simulated). */
const failure = vi.hoisted(() => ({ code: 'EACCES' }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const openSync = () => {
    throw Object.assign(new Error(`${failure.code}: simulated, open`), { code: failure.code });
  };
  return { ...fs, openSync, default: { ...fs, openSync } };
});
const { readIdx } = await import('../../src/data/idx.js');

describe('readIdx: failures to open', () => {
  it.each([
    ['EACCES', 'permission denied'],
    ['EPERM', 'permission denied'],
    ['ELOOP', 'it is a loop of symbolic links'],
    ['EIO', 'EIO: simulated, open'],
  ])('words %s as "%s"', (code, reason) => {
    failure.code = code;
    expect(() => readIdx('/data/train-labels-idx1-ubyte')).toThrow(
      new MnnError(`cannot read IDX file /data/train-labels-idx1-ubyte: ${reason}`, {
        kind: 'io',
      }),
    );
  });

  it('names a missing file as not found, with what to do', () => {
    failure.code = 'ENOENT';
    expect(() => readIdx('/data/train-labels-idx1-ubyte')).toThrow(
      new MnnError('IDX file /data/train-labels-idx1-ubyte not found', {
        hint: 'check the path, or download the data set',
        option: 'directory',
      }),
    );
  });
});
