/**
 * Issue 9, finding 1 and 7: the one writer (writeFileAtomic) never replaces anything but a regular
 * file, follows symbolic links deliberately, keeps the replaced file's mode, copes with long names
 * and leaves no temporary file behind, even one a killed process left.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MnnError } from '../../src/errors.js';
import {
  assertWritable,
  beginAtomicWrite,
  discardPendingWrites,
  writeFileAtomic,
} from '../../src/io/atomic-write.js';
import { deviceNode, expectDevicesIntact } from '../helpers/devices.js';

afterAll(expectDevicesIntact);

/** A fresh directory for one test. */
function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'mnn-targets-'));
}

/** The id of a process that has exited (so no running process has it, for a while). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('writeFileAtomic refuses targets that are not regular files', () => {
  const refused = new Set<string>();

  it.each(['null', 'full', 'zero'] as const)(
    'a %s device is refused and stays a device',
    (name) => {
      const device = deviceNode(scratch(), name);
      expect(() => writeFileAtomic(device, 'model')).toThrow(
        `cannot write ${device}: it is a character device, not a regular file`,
      );
      expect(() => assertWritable(device)).toThrow('a character device');
      expect(statSync(device).isCharacterDevice()).toBe(true);
      refused.add(name);
    },
  );

  it('refuses the real /dev/null too (tried only once its copy was refused)', () => {
    if (!refused.has('null'))
      throw new Error('a copy of /dev/null was not refused: not trying the real one');
    expect(() => writeFileAtomic('/dev/null', 'model')).toThrow('a character device');
    expectDevicesIntact();
  });

  it('refuses a FIFO without blocking on it, and a socket', async () => {
    const directory = scratch();
    const fifo = join(directory, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(() => writeFileAtomic(fifo, 'x')).toThrow('a named pipe (FIFO), not a regular file');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    const socketPath = join(directory, 'socket');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      expect(() => writeFileAtomic(socketPath, 'x')).toThrow('a socket, not a regular file');
      expect(readdirSync(directory).sort()).toEqual(['fifo', 'socket']);
    } finally {
      server.close();
    }
  });

  it('refuses a symbolic link to a device (it checks what the link names)', () => {
    const directory = scratch();
    const device = deviceNode(directory, 'null');
    const link = join(directory, 'model.json');
    symlinkSync(device, link);
    expect(() => writeFileAtomic(link, 'x')).toThrow(
      `(a link to ${device}): it is a character device`,
    );
    expect(readlinkSync(link)).toBe(device);
    expect(statSync(device).isCharacterDevice()).toBe(true);
  });

  it('throws an MnnError of kind io', () => {
    try {
      writeFileAtomic(deviceNode(scratch(), 'full'), 'x');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(MnnError);
      expect((error as MnnError).kind).toBe('io');
    }
  });
});

describe('writeFileAtomic keeps what belongs to the replaced file', () => {
  it('follows a symbolic link: the link stays and the file it names is replaced', () => {
    const directory = scratch();
    const real = join(directory, 'real.json');
    const link = join(directory, 'link.json');
    writeFileSync(real, 'old');
    symlinkSync('real.json', link);
    writeFileAtomic(link, 'new');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toBe('new');
    expect(readdirSync(directory).sort()).toEqual(['link.json', 'real.json']);
  });

  it('follows a dangling link by creating the file it names', () => {
    const directory = scratch();
    const link = join(directory, 'link.json');
    symlinkSync('made.json', link);
    writeFileAtomic(link, 'new');
    expect(readFileSync(join(directory, 'made.json'), 'utf8')).toBe('new');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it('keeps the mode of the file it replaces (a private 600 model stays 600)', () => {
    const directory = scratch();
    const path = join(directory, 'private.json');
    writeFileSync(path, 'old');
    chmodSync(path, 0o600);
    writeFileAtomic(path, 'new');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    chmodSync(path, 0o640);
    writeFileAtomic(path, 'newer');
    expect(statSync(path).mode & 0o777).toBe(0o640);
  });
});

describe('writeFileAtomic leaves nothing behind', () => {
  it('writes a file whose name is 250 characters long (the temporary name still fits)', () => {
    const directory = scratch();
    const path = join(directory, `${'m'.repeat(245)}.json`);
    assertWritable(path);
    writeFileAtomic(path, 'x');
    expect(readdirSync(directory)).toEqual([`${'m'.repeat(245)}.json`]);
  });

  it('refuses a name longer than file systems allow before any work', () => {
    const directory = scratch();
    expect(() => assertWritable(join(directory, `${'m'.repeat(300)}.json`))).toThrow(
      'the file name is 305 bytes long, over the 255 bytes',
    );
  });

  it('refuses a path that ends with a slash: it names a directory', () => {
    const directory = scratch();
    expect(() => assertWritable(join(directory, 'newdir') + '/')).toThrow(
      'it names a directory, not a file',
    );
    expect(readdirSync(directory)).toEqual([]);
  });

  it('removes the temporary files of killed processes, and keeps those of running ones', () => {
    const directory = scratch();
    const path = join(directory, 'model.json');
    const stale = join(directory, `.model.json.${deadPid()}-abcdef.tmp`);
    const live = join(directory, `.model.json.${process.ppid}-abcdef.tmp`);
    writeFileSync(stale, 'half a model');
    writeFileSync(live, 'a write in progress');
    writeFileAtomic(path, 'x');
    expect(readdirSync(directory).sort()).toEqual(
      [`.model.json.${process.ppid}-abcdef.tmp`, 'model.json'].sort(),
    );
  });

  it('a pending write shows nothing until commit, and discardPendingWrites removes it', () => {
    const directory = scratch();
    const path = join(directory, 'model.json');
    writeFileSync(path, 'old');
    const pending = beginAtomicWrite(path);
    pending.write('new');
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(directory)).toHaveLength(2);
    discardPendingWrites();
    expect(readdirSync(directory)).toEqual(['model.json']);
    expect(readFileSync(path, 'utf8')).toBe('old');
  });
});
