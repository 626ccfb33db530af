import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The longest file name (in bytes) that Linux, macOS and Windows file systems all accept. */
export const NAME_MAX_BYTES = 255;
/** Bytes kept for a sibling's tag (".12345678-abcdef.tmp", ".lock") and the truncation marker. */
const TAG_ROOM_BYTES = 40;
/** A temporary file untouched this long belongs to no running write, whatever its process id. */
const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * The start of every sibling's name: "." + the target's name, shortened (with a hash of the whole
 * name, so two long names stay apart) when the name and a tag would not fit in one file name.
 */
function siblingStem(target: string): string {
  const name = basename(target);
  if (Buffer.byteLength(name) + 1 + TAG_ROOM_BYTES <= NAME_MAX_BYTES) return `.${name}`;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  let kept = name;
  while (Buffer.byteLength(kept) + 10 + TAG_ROOM_BYTES > NAME_MAX_BYTES) kept = kept.slice(0, -1);
  return `.${kept}~${hash}`;
}

/** A hidden file beside `target` (same directory, so a rename onto `target` is atomic). */
export function siblingPath(target: string, tag: string): string {
  return join(dirname(target), `${siblingStem(target)}.${tag}`);
}

/**
 * A fresh temporary name beside `target`, recording this process's id so that a later run can
 * tell a leftover of a killed process from the file of a write still in progress.
 */
export function temporaryPathFor(target: string): string {
  return siblingPath(target, `${process.pid}-${randomBytes(3).toString('hex')}.tmp`);
}

/** Whether a process with this id is running (a process of another user counts as running). */
export function processIsRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Regular-expression text matching `text` literally. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Removes the temporary files that killed processes left beside `target` (SIGKILL, power loss):
 * those whose process is gone, or that nobody touched for a day. Returns the paths removed.
 * Files of writes still in progress (a live process id) are kept.
 */
export function removeStaleTemporaries(target: string): string[] {
  const directory = dirname(target);
  const pattern = new RegExp(`^${literal(siblingStem(target))}\\.(\\d+)-[0-9a-f]{6}\\.tmp$`);
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return []; // no directory yet: nothing left behind
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = pattern.exec(name);
    if (match === null) continue;
    const path = join(directory, name);
    const modified = statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    const abandoned = !processIsRunning(Number(match[1])) || Date.now() - modified > STALE_AFTER_MS;
    if (!abandoned) continue;
    try {
      rmSync(path, { force: true });
      removed.push(path);
    } catch {
      // Not ours to remove (permissions): it stays, and costs only its space.
    }
  }
  return removed;
}
