import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  rmdirSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { MnnError } from '../errors.js';
import { writeFailureReason } from './atomic-write.js';
import { processIsRunning, siblingPath } from './sibling.js';

/** A claim on a file that only one process at a time may write (a model being trained). */
export interface WriteLock {
  /** The lock file beside the target: ".<name>.lock", holding the owner's process id. */
  readonly path: string;
  /** Gives the claim up; removes directories that taking it created, if still empty. */
  release(): void;
}

/** The process id a lock file names, or undefined when it is unreadable or empty. */
function lockOwner(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** An empty lock file this old was left by a process killed while creating it. */
const EMPTY_LOCK_STALE_MS = 10_000;

/** Whether a lock file still belongs to a running process (or is being created by one). */
function lockIsHeld(path: string): boolean {
  const owner = lockOwner(path);
  if (owner !== undefined) return processIsRunning(owner);
  const modified = statSync(path, { throwIfNoEntry: false })?.mtimeMs;
  return modified !== undefined && Date.now() - modified < EMPTY_LOCK_STALE_MS;
}

/** Creates the lock file with this process's id; false when it already exists. */
function tryCreate(path: string, target: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new MnnError(`cannot lock ${target} for writing: ${writeFailureReason(error)}`, {
      kind: 'io',
      cause: error,
    });
  }
  try {
    writeSync(fd, `${process.pid}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Removes a file, ignoring failures: releasing a claim must not hide the run's own outcome. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Gone already, or unreachable: either way no longer a claim anyone can see.
  }
}

/** Removes `directory` and its parents up to `createdRoot`, each only while empty. */
function removeEmptyDirectories(directory: string, createdRoot: string): void {
  const root = resolve(createdRoot);
  for (let current = resolve(directory); ; current = dirname(current)) {
    try {
      rmdirSync(current);
    } catch {
      return; // not empty (a model was saved there) or already gone
    }
    if (current === root || dirname(current) === current) return;
  }
}

/**
 * Claims `target` for writing by this process: creates ".<name>.lock" beside it, exclusively. A
 * lock whose process is gone (killed) is taken over; one held by a running process is refused
 * with an MnnError naming that process. Creates the target's directory if missing.
 */
export function lockForWriting(target: string): WriteLock {
  let createdRoot: string | undefined;
  let directory: string;
  try {
    createdRoot = mkdirSync(dirname(target), { recursive: true });
    // The real directory: the lock stays findable if a link on the way is changed meanwhile.
    directory = realpathSync(dirname(target));
  } catch (error) {
    throw new MnnError(`cannot write ${target}: ${writeFailureReason(error)}`, { kind: 'io' });
  }
  const path = siblingPath(join(directory, basename(target)), 'lock');
  for (let attempt = 0; !tryCreate(path, target); attempt++) {
    if (attempt > 0 || lockIsHeld(path)) {
      const owner = lockOwner(path);
      if (createdRoot !== undefined) removeEmptyDirectories(dirname(target), createdRoot);
      throw new MnnError(
        `${target} is being written by another mnn process${owner === undefined ? '' : ` (pid ${owner})`}`,
        {
          kind: 'io',
          hint: `wait for it to finish or choose another output file; if no such process runs, delete ${path}`,
        },
      );
    }
    removeQuietly(path); // its process was killed: the lock is stale
  }
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      if (lockOwner(path) === process.pid) removeQuietly(path);
      if (createdRoot !== undefined) removeEmptyDirectories(dirname(target), createdRoot);
    },
  };
}
