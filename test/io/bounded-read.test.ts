/** Issue 9, finding 9: readRegularFile reads regular files only, within a size limit. */
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MnnError } from '../../src/errors.js';
import { readRegularFile } from '../../src/io/bounded-read.js';
import { deviceNode, expectDevicesIntact } from '../helpers/devices.js';

const directory = mkdtempSync(join(tmpdir(), 'mnn-bounded-'));
afterAll(expectDevicesIntact);

const options = { what: 'model file', maxBytes: 1000, missingHint: 'train one first' };

/** The MnnError reading `path` throws. */
function refusal(path: string): MnnError {
  try {
    readRegularFile(path, options);
  } catch (error) {
    expect(error).toBeInstanceOf(MnnError);
    return error as MnnError;
  }
  throw new Error(`${path} was read`);
}

describe('readRegularFile', () => {
  it('reads a regular file within the limit', () => {
    writeFileSync(join(directory, 'small'), 'hello');
    expect(readRegularFile(join(directory, 'small'), options).toString()).toBe('hello');
  });

  it('refuses /dev/zero-like devices (stat size 0, endless content) before reading', () => {
    const zero = deviceNode(directory, 'zero');
    expect(refusal(zero).message).toBe(
      `cannot read model file ${zero}: it is a character device, not a regular file`,
    );
  });

  it('refuses a symbolic link to a device, judging what the link names', () => {
    const link = join(directory, 'link');
    symlinkSync(deviceNode(mkdtempSync(join(directory, 'd-')), 'zero'), link);
    expect(refusal(link).message).toContain('it is a character device, not a regular file');
  });

  it('refuses a FIFO without waiting for a writer, and a directory', () => {
    const fifo = join(directory, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(refusal(fifo).message).toContain('it is a named pipe (FIFO), not a regular file');
    mkdirSync(join(directory, 'folder'));
    expect(refusal(join(directory, 'folder')).message).toContain('it is a directory');
  });

  it('refuses a file over the limit from its size (a sparse file: nothing is read)', () => {
    const path = join(directory, 'sparse');
    const fd = openSync(path, 'w');
    ftruncateSync(fd, 5_000_000_000);
    closeSync(fd);
    const error = refusal(path);
    expect(error.kind).toBe('limit');
    expect(error.message).toBe(`model file ${path} is 5 GB, over the limit of 1 kB`);
  });

  it('says a missing file is missing, with the caller’s hint', () => {
    const error = refusal(join(directory, 'absent'));
    expect(error.message).toBe(`model file ${join(directory, 'absent')} not found`);
    expect(error.hint).toBe('train one first');
  });
});
