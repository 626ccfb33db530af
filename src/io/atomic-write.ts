import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { MnnError } from '../errors.js';

/** Explains a failed write of `path` in words a user can act on (one line, for an MnnError). */
export function describeWriteFailure(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOSPC'
      ? 'the disk is full'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EROFS'
          ? 'the file system is read-only'
          : code === 'ENOTDIR'
            ? 'a part of the path is a file, not a directory'
            : ((error as Error).message ?? String(error));
  return `cannot write ${path}: ${reason}; any previous file there is unchanged.`;
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
  const temporary = temporaryPathFor(path);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(temporary, contents);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new MnnError(describeWriteFailure(path, error));
  }
}
