import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { MnnError } from '../errors.js';

/** Says in words a user can act on why a write failed. */
export function writeFailureReason(error: unknown): string {
  const { code, syscall } = error as NodeJS.ErrnoException;
  // mkdir -p over a path whose part is a regular file fails with EEXIST, not ENOTDIR.
  const fileInPath = code === 'ENOTDIR' || (code === 'EEXIST' && syscall === 'mkdir');
  return code === 'ENOSPC'
    ? 'the disk is full'
    : code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'EROFS'
        ? 'the file system is read-only'
        : fileInPath
          ? 'a part of the path is a file, not a directory'
          : ((error as Error).message ?? String(error));
}

/** Explains a failed write of `path` in words a user can act on (one line, for an MnnError). */
export function describeWriteFailure(path: string, error: unknown): string {
  return `cannot write ${path}: ${writeFailureReason(error)}; any previous file there is unchanged.`;
}

/** Removes a leftover temporary file; failing to (e.g. ENOTDIR) must not hide the write error. */
function removeQuietly(path: string): void {
  try {
    rmSync(path);
  } catch {
    // Nothing was written there (ENOENT), or it cannot be reached: either way nothing to clean up.
  }
}

/** A temporary name beside `path` (same directory, so same file system: rename is atomic). */
export function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
}

/**
 * Writes `contents` to `path` so that readers see either the old file or the whole new one:
 * write to a temporary name in the same directory (same file system), then rename over `path`.
 * Creates the directory if missing. Throws an MnnError naming the path if anything fails.
 */
export function writeFileAtomic(path: string, contents: string | Uint8Array): void {
  writeFilesAtomic(new Map([[path, contents]]));
}

/**
 * Writes several files (path → contents) the same way, all or nothing as far as the file system
 * allows: every file is written in full under a temporary name before the first rename, so a
 * full disk or a denied write leaves every previous file unchanged and no temporary behind.
 */
export function writeFilesAtomic(files: ReadonlyMap<string, string | Uint8Array>): void {
  const pending = [...files].map(([path, contents]) => ({
    path,
    contents,
    temporary: temporaryPathFor(path),
  }));
  let current = '';
  try {
    for (const { path, contents, temporary } of pending) {
      current = path;
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(temporary, contents);
    }
    for (const { path, temporary } of pending) {
      current = path;
      renameSync(temporary, path);
    }
  } catch (error) {
    for (const { temporary } of pending) removeQuietly(temporary);
    throw new MnnError(describeWriteFailure(current, error), { kind: 'io' });
  }
}

/** The nearest existing ancestor of a path (the path itself if it exists). */
function nearestExisting(path: string): string {
  let current = resolve(path);
  while (!existsSync(current)) {
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return current;
}

/**
 * Checks, without creating anything, that `path` could be written by writeFileAtomic: it is not
 * a directory, and its directory exists and is writable or could be created. Used before long
 * work (training) so that no work is lost to an unwritable output path.
 */
export function assertWritable(path: string): void {
  const target = resolve(path);
  if (existsSync(target) && statSync(target).isDirectory()) {
    throw new MnnError(
      `cannot write ${path}: it is a directory; give a file name such as ${join(path, 'model.json')}.`,
      { kind: 'io' },
    );
  }
  const existing = nearestExisting(dirname(target));
  if (!statSync(existing).isDirectory()) {
    throw new MnnError(`cannot write ${path}: ${existing} is a file, not a directory.`, {
      kind: 'io',
    });
  }
  // Probe with a real file: permission bits alone do not tell (root, read-only mounts, ACLs).
  const probe = join(existing, `.mnn-write-test.${process.pid}.tmp`);
  try {
    writeFileSync(probe, '');
  } catch (error) {
    throw new MnnError(`cannot write ${path}: ${writeFailureReason(error)}`, {
      kind: 'io',
      hint: 'choose another location',
    });
  } finally {
    removeQuietly(probe);
  }
}
