import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MnnError } from '../../src/errors.js';
import {
  assertWritable,
  writeFailureReason,
  writeFileAtomic,
  writeFilesAtomic,
} from '../../src/io/atomic-write.js';

/** The MnnError `action` throws. */
function thrown(action: () => void): MnnError {
  try {
    action();
  } catch (error) {
    if (error instanceof MnnError) return error;
    throw error;
  }
  throw new Error('expected an MnnError');
}

describe('writeFileAtomic', () => {
  it('creates missing directories and leaves no temporary file behind', () => {
    const directory = mkdtempSync(join(tmpdir(), 'mnn-io-'));
    const path = join(directory, 'a', 'b', 'file.txt');
    writeFileAtomic(path, 'one');
    writeFileAtomic(path, 'two');
    expect(readFileSync(path, 'utf8')).toBe('two');
    expect(readdirSync(join(directory, 'a', 'b'))).toEqual(['file.txt']);
  });

  it('fails with a clear message and keeps the previous file when the target is a directory', () => {
    const directory = mkdtempSync(join(tmpdir(), 'mnn-io-'));
    expect(() => writeFileAtomic(directory, 'x')).toThrow(
      /cannot write .*: it is a directory, not a regular file/,
    );
    expect(readdirSync(directory)).toEqual([]);
  });

  it('reports a path under a regular file as an MnnError, not a raw ENOTDIR from cleanup', () => {
    const directory = mkdtempSync(join(tmpdir(), 'mnn-io-'));
    const file = join(directory, 'a-file');
    writeFileSync(file, 'x');
    const target = join(file, 'sub', 'out.bin');
    expect(() => writeFileAtomic(target, 'data')).toThrow(MnnError);
    expect(() => writeFileAtomic(target, 'data')).toThrow(`cannot write ${target}`);
    expect(thrown(() => writeFileAtomic(target, 'data')).kind).toBe('io');
  });
});

describe('writeFilesAtomic', () => {
  it('writes every file, or changes none when one cannot be written, leaving no temporary', () => {
    const directory = mkdtempSync(join(tmpdir(), 'mnn-io-'));
    const first = join(directory, 'model.json');
    const blocker = join(directory, 'a-file');
    writeFileSync(first, 'old');
    writeFileSync(blocker, 'x');
    const files = (second: string) =>
      new Map<string, string | Uint8Array>([
        [first, 'new'],
        [second, Uint8Array.of(1, 2, 3)],
      ]);
    // The second file's directory cannot be created (a file is in the way): nothing changes.
    expect(() => writeFilesAtomic(files(join(blocker, 'w.bin')))).toThrow(
      `cannot write ${join(blocker, 'w.bin')}`,
    );
    expect(readFileSync(first, 'utf8')).toBe('old');
    expect(readdirSync(directory).sort()).toEqual(['a-file', 'model.json']);

    writeFilesAtomic(files(join(directory, 'w.bin')));
    expect(readFileSync(first, 'utf8')).toBe('new');
    expect([...readFileSync(join(directory, 'w.bin'))]).toEqual([1, 2, 3]);
    expect(readdirSync(directory).sort()).toEqual(['a-file', 'model.json', 'w.bin']);
  });
});

describe('assertWritable', () => {
  it('accepts a new file in a directory that does not exist yet, creating nothing', () => {
    const directory = mkdtempSync(join(tmpdir(), 'mnn-io-'));
    assertWritable(join(directory, 'models', 'model.json'));
    expect(readdirSync(directory)).toEqual([]);
  });

  it('refuses a path below a regular file and a path that is a directory', () => {
    const directory = mkdtempSync(join(tmpdir(), 'mnn-io-'));
    const file = join(directory, 'plain.txt');
    writeFileSync(file, '');
    const below = thrown(() => assertWritable(join(file, 'model.json')));
    expect(below.message).toBe(
      `cannot write ${join(file, 'model.json')}: ${file} is a file, not a directory`,
    );
    expect(below.kind).toBe('io');
    const inside = thrown(() => assertWritable(join(file, 'deeper', 'model.json')));
    expect(inside.message).toContain(`: ${file} is a file, not a directory`);
    const itself = thrown(() => assertWritable(directory));
    expect(itself.message).toBe(`cannot write ${directory}: it is a directory, not a regular file`);
    expect(itself.hint).toBe(`give a file name such as ${join(directory, 'model.json')}`);
    expect(itself.kind).toBe('io');
  });

  it('refuses a directory nobody may write in, even root (/proc)', () => {
    const error = thrown(() => assertWritable('/proc/mnn-test/model.json'));
    expect(error.message).toMatch(/^cannot write \/proc\/mnn-test\/model.json: /);
    expect(error.kind).toBe('io');
    expect(error.hint).toBe('choose another location');
  });
});

describe('writeFailureReason', () => {
  it('words the errors a full, read-only or blocked disk gives', () => {
    const failure = (code: string, syscall = 'open') =>
      Object.assign(new Error(code), { code, syscall });
    expect(writeFailureReason(failure('ENOSPC'))).toBe('the disk is full');
    expect(writeFailureReason(failure('EACCES'))).toBe('permission denied');
    expect(writeFailureReason(failure('EPERM'))).toBe('permission denied');
    expect(writeFailureReason(failure('EROFS'))).toBe('the file system is read-only');
    expect(writeFailureReason(failure('ENOTDIR'))).toBe(
      'a part of the path is a file, not a directory',
    );
  });

  it('explains EEXIST only from mkdir, and gives other errors as they are', () => {
    const failure = (code: string, syscall: string) =>
      Object.assign(new Error(`${code} from ${syscall}`), { code, syscall });
    expect(writeFailureReason(failure('EEXIST', 'mkdir'))).toBe(
      'a part of the path is a file, not a directory',
    );
    expect(writeFailureReason(failure('EEXIST', 'open'))).toBe('EEXIST from open');
    expect(writeFailureReason(failure('ENOENT', 'mkdir'))).toBe('its directory disappeared');
    expect(writeFailureReason(failure('EBUSY', 'rename'))).toBe('EBUSY from rename');
    expect(writeFailureReason(new Error('the cable is out'))).toBe('the cable is out');
    expect(writeFailureReason('not an Error')).toBe('not an Error');
  });

  it('regression: mkdir over a file (EEXIST) is explained, not shown raw', () => {
    const directory = mkdtempSync(join(tmpdir(), 'mnn-io-'));
    writeFileSync(join(directory, 'out'), 'a file where a directory should be');
    expect(() => writeFileAtomic(join(directory, 'out', 'model.json'), 'x')).toThrow(
      'a part of the path is a file, not a directory; any previous file there is unchanged.',
    );
  });
});
