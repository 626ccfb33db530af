import { describe, expect, it, vi } from 'vitest';
import { MnnError } from '../../src/errors.js';

/** The error code the mocked readFileSync fails with (root reads every file, so it is simulated). */
const failure = vi.hoisted(() => ({ code: 'EACCES' }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const readFileSync = () => {
    throw Object.assign(new Error(`${failure.code}: simulated, open`), { code: failure.code });
  };
  return { ...fs, readFileSync, default: { ...fs, readFileSync } };
});
const { readIdx } = await import('../../src/data/idx.js');

describe('readIdx: failures to read', () => {
  it.each([
    ['EACCES', 'permission denied'],
    ['EPERM', 'permission denied'],
    ['EIO', 'EIO: simulated, open'],
  ])('words %s as "%s"', (code, reason) => {
    failure.code = code;
    expect(() => readIdx('/data/train-labels-idx1-ubyte')).toThrow(
      new MnnError(`/data/train-labels-idx1-ubyte: cannot read: ${reason}`, {
        hint: 'check the path, or download the data set',
        option: 'directory',
      }),
    );
  });
});
