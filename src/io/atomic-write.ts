import {
  closeSync,
  fchmodSync,
  fchownSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { MnnError } from '../errors.js';
import { NAME_MAX_BYTES, removeStaleTemporaries, temporaryPathFor } from './sibling.js';

/** Says in words a user can act on why a write failed. */
export function writeFailureReason(error: unknown): string {
  if (error instanceof MnnError) return error.message;
  const { code, syscall } = error as NodeJS.ErrnoException;
  // mkdir -p over a path whose part is a regular file fails with EEXIST, not ENOTDIR.
  const fileInPath = code === 'ENOTDIR' || (code === 'EEXIST' && syscall === 'mkdir');
  if (fileInPath) return 'a part of the path is a file, not a directory';
  const reasons: Record<string, string> = {
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is used up',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOENT: 'its directory disappeared',
    ENAMETOOLONG: 'the file name is too long',
    ELOOP: 'it is a loop of symbolic links',
    EISDIR: 'it is a directory',
    EIO: 'the device reported an input/output error',
  };
  return (code !== undefined && reasons[code]) || ((error as Error).message ?? String(error));
}

/** Explains a failed write of `path` in words a user can act on (one line, for an MnnError). */
export function describeWriteFailure(path: string, error: unknown): string {
  return `cannot write ${path}: ${writeFailureReason(error)}; any previous file there is unchanged.`;
}

/** The kind of a file that is not a regular one, in words. */
export function fileKindName(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Symbolic links followed before giving up (the kernel's own limit). */
const MAX_LINK_HOPS = 40;

/** Where a write to a path lands, and what is there now. */
export interface WriteTarget {
  /** The path written: the given one, or the file a symbolic link there points to. */
  readonly path: string;
  /** The file there now (always a regular file), or undefined when there is none. */
  readonly existing: Stats | undefined;
}

/**
 * Resolves where a write to `path` lands. A symbolic link is followed (deliberately: the link
 * stays and the file it names is replaced, as editors do), through any number of hops. Anything
 * there that is not a regular file (a directory, a device such as /dev/null, a FIFO, a socket) is
 * refused: mnn never replaces one, and never writes into one.
 */
export function resolveWriteTarget(path: string): WriteTarget {
  let current = path;
  for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
    let stats: Stats;
    try {
      stats = lstatSync(current);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return { path: current, existing: undefined };
      throw new MnnError(describeWriteFailure(path, error), { kind: 'io', cause: error });
    }
    if (stats.isSymbolicLink()) {
      current = resolve(dirname(current), readlinkSync(current));
      continue;
    }
    if (!stats.isFile()) {
      const via = current === path ? '' : ` (a link to ${current})`;
      throw new MnnError(
        `cannot write ${path}${via}: it is ${fileKindName(stats)}, not a regular file`,
        {
          kind: 'io',
          hint: stats.isDirectory()
            ? `give a file name such as ${join(current, 'model.json')}`
            : 'give the path of a regular file (existing or new)',
        },
      );
    }
    return { path: current, existing: stats };
  }
  throw new MnnError(`cannot write ${path}: it is a loop of symbolic links`, { kind: 'io' });
}

/** Removes a file if it exists; failing to (e.g. ENOTDIR) must not hide the write error. */
function removeQuietly(path: string): void {
  try {
    rmSync(path);
  } catch {
    // Nothing was written there (ENOENT), or it cannot be reached: either way nothing to clean up.
  }
}

/**
 * Flushes a directory's entries to disk, so that a rename survives a power cut. Some file
 * systems cannot sync a directory (EINVAL); the data itself was synced before the rename.
 */
function syncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(directory, 'r');
    fsyncSync(fd);
  } catch {
    // Best effort: the file's own data is already on disk.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A file being written under a temporary name; readers see nothing until `commit`. */
export interface PendingWrite {
  /** The path the file will have (after following links). */
  readonly path: string;
  /** Appends bytes to the temporary file. */
  write(chunk: string | Uint8Array): void;
  /** Syncs the data to disk and closes the temporary file (commit does it if not done). */
  flush(): void;
  /** Syncs the data, renames it over the target, and syncs the directory. */
  commit(): void;
  /** Removes the temporary file; the target is left as it was. Safe to call more than once. */
  discard(): void;
}

/** Temporary files of writes not yet committed or discarded, for `discardPendingWrites`. */
const pendingTemporaries = new Set<string>();

/**
 * Removes every temporary file this process has open for writing. For a front end about to exit
 * at once (a second Ctrl-C, a deadline): the targets keep their last complete version.
 */
export function discardPendingWrites(): void {
  for (const temporary of pendingTemporaries) removeQuietly(temporary);
  pendingTemporaries.clear();
}

/** Gives the temporary file the mode and owner of the file it replaces (root may chown). */
function keepModeAndOwner(fd: number, existing: Stats): void {
  fchmodSync(fd, existing.mode & 0o7777);
  if (process.getuid?.() === 0) {
    try {
      fchownSync(fd, existing.uid, existing.gid);
    } catch {
      // Some file systems (FAT, network mounts) cannot chown: the mode was kept, that is enough.
    }
  }
}

/**
 * Starts writing `path` so that readers see either the old file or the whole new one: the bytes
 * go to a temporary name in the same directory and replace the target only on `commit`, after
 * fsync (file, then directory), with the replaced file's mode (and owner, for root). Creates the
 * directory if missing; removes temporary files that killed processes left there. Throws an
 * MnnError naming the path if anything fails; the target is then unchanged.
 */
export function beginAtomicWrite(path: string): PendingWrite {
  const target = resolveWriteTarget(path);
  const temporary = temporaryPathFor(target.path);
  let fd: number | undefined;
  let flushed = false;
  const fail = (error: unknown): never => {
    removeQuietly(temporary);
    pendingTemporaries.delete(temporary);
    if (fd !== undefined) closeQuietly(fd);
    fd = undefined;
    throw new MnnError(describeWriteFailure(path, error), { kind: 'io', cause: error });
  };
  try {
    mkdirSync(dirname(target.path), { recursive: true });
    removeStaleTemporaries(target.path);
    pendingTemporaries.add(temporary);
    fd = openSync(temporary, 'wx', 0o666);
    if (target.existing !== undefined) keepModeAndOwner(fd, target.existing);
  } catch (error) {
    fail(error);
  }
  const assertOpen = (): void => {
    if (fd === undefined) throw new Error(`the write of ${path} was already finished`);
  };
  return {
    path: target.path,
    write(chunk) {
      assertOpen();
      try {
        writeAll(fd as number, chunk);
      } catch (error) {
        fail(error);
      }
    },
    flush() {
      if (flushed) return;
      assertOpen();
      try {
        fsyncSync(fd as number);
        closeSync(fd as number);
        fd = undefined;
        flushed = true;
      } catch (error) {
        fail(error);
      }
    },
    commit() {
      this.flush();
      try {
        // The target may have changed since we began (a device put there): check again.
        resolveWriteTarget(target.path);
        renameSync(temporary, target.path);
        pendingTemporaries.delete(temporary);
      } catch (error) {
        fail(error);
      }
      syncDirectory(dirname(target.path));
    },
    discard() {
      if (fd !== undefined) closeQuietly(fd);
      fd = undefined;
      flushed = true;
      removeQuietly(temporary);
      pendingTemporaries.delete(temporary);
    },
  };
}

/** Closes a descriptor during cleanup, where a second error must not hide the first. */
function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed or unusable: nothing more to release.
  }
}

/** Writes a whole chunk (writeSync may write less than asked, e.g. on a nearly full disk). */
function writeAll(fd: number, chunk: string | Uint8Array): void {
  const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  for (let offset = 0; offset < bytes.length;) {
    offset += writeSync(fd, bytes, offset, bytes.length - offset);
  }
}

/**
 * Writes `contents` to `path` atomically and durably (see beginAtomicWrite): readers see the old
 * file or the new one, never a part, and the new one survives a crash once this returns.
 */
export function writeFileAtomic(path: string, contents: string | Uint8Array): void {
  writeFilesAtomic(new Map([[path, contents]]));
}

/**
 * Writes several files (path → contents) the same way, all or nothing as far as the file system
 * allows: every file is written in full and synced under a temporary name before the first
 * rename, so a full disk or a denied write leaves every previous file unchanged and no temporary
 * behind.
 */
export function writeFilesAtomic(files: ReadonlyMap<string, string | Uint8Array>): void {
  const pending: PendingWrite[] = [];
  try {
    for (const [path, contents] of files) {
      const write = beginAtomicWrite(path);
      pending.push(write);
      write.write(contents);
    }
    for (const write of pending) write.flush();
    for (const write of pending) write.commit();
  } catch (error) {
    for (const write of pending) write.discard();
    throw error;
  }
}

/** The stats of a path, or undefined where nothing is there (also below a regular file: ENOTDIR). */
function statIfPresent(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** The nearest existing ancestor of a path (the path itself if it exists). */
function nearestExisting(path: string): string {
  let current = resolve(path);
  while (statIfPresent(current) === undefined) {
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return current;
}

/**
 * Checks, without leaving anything behind, that `path` could be written by writeFileAtomic: it
 * names a file (no trailing slash), is a regular file or absent (links followed), and its
 * directory exists and is writable or could be created. Used before long work (training) so that
 * no work is lost to an unwritable output path. Returns where the write will land.
 */
export function assertWritable(path: string): WriteTarget {
  if (path.endsWith(sep) || path.endsWith('/')) {
    throw new MnnError(`cannot write ${path}: it names a directory, not a file`, {
      kind: 'usage',
      hint: `give a file name such as ${join(path, 'model.json')}`,
    });
  }
  const name = basename(path);
  if (Buffer.byteLength(name) > NAME_MAX_BYTES) {
    throw new MnnError(
      `cannot write ${path}: the file name is ${Buffer.byteLength(name)} bytes long, over the ${NAME_MAX_BYTES} bytes file systems allow`,
      { kind: 'usage', hint: 'choose a shorter name' },
    );
  }
  const target = resolveWriteTarget(path);
  const existing = nearestExisting(dirname(target.path));
  if (!statSync(existing).isDirectory()) {
    throw new MnnError(`cannot write ${path}: ${existing} is a file, not a directory`, {
      kind: 'io',
    });
  }
  // Probe with a real file named as the write's own temporary file: permission bits alone do
  // not tell (root, read-only mounts, ACLs), and the name proves that the name length fits.
  const probe = temporaryPathFor(join(existing, relativeName(existing, target.path)));
  let fd: number | undefined;
  try {
    fd = openSync(probe, 'wx');
  } catch (error) {
    throw new MnnError(`cannot write ${path}: ${writeFailureReason(error)}`, {
      kind: 'io',
      hint: 'choose another location',
      cause: error,
    });
  } finally {
    if (fd !== undefined) closeSync(fd);
    removeQuietly(probe);
  }
  return target;
}

/** The first component of `path` below `directory`: the name a probe there stands in for. */
function relativeName(directory: string, path: string): string {
  const rest = resolve(path).slice(resolve(directory).length).split(sep).filter(Boolean);
  return rest[0] ?? 'file';
}
