import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { MnnError } from '../errors.js';
import { fileKindName } from './atomic-write.js';

/** How to read a file and how to speak of it in errors. */
export interface BoundedReadOptions {
  /** Files larger than this are refused before a byte is read. */
  readonly maxBytes: number;
  /** What the file is, for messages: "model file", "image", "IDX file". */
  readonly what: string;
  /** What to do when the file does not exist (plain words), and the option that does it. */
  readonly missingHint?: string;
  readonly missingOption?: string;
  /** Why the limit is what it is, said when a file is over it (plain words). */
  readonly limitReason?: string;
}

/** Bytes in words for messages: "1.5 GB", "47 kB", "812 bytes". */
export function formatByteSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  for (; value >= 1000 && unit < units.length - 1; unit++) value /= 1000;
  return `${Number(value.toPrecision(3))} ${units[unit]}`;
}

/** Opens a file for reading; errors in the words of `options`. */
function openForReading(path: string, options: BoundedReadOptions): number {
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused once open.
    return openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new MnnError(`${options.what} ${path} not found`, {
        hint: options.missingHint,
        option: options.missingOption,
      });
    }
    const reason =
      code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'ELOOP'
          ? 'it is a loop of symbolic links'
          : code === 'ENAMETOOLONG'
            ? 'the name is too long'
            : (error as Error).message;
    throw new MnnError(`cannot read ${options.what} ${path}: ${reason}`, { kind: 'io' });
  }
}

/** Refuses anything but a regular file of at most maxBytes, before reading. */
function checkReadable(path: string, stats: Stats, options: BoundedReadOptions): void {
  if (!stats.isFile()) {
    throw new MnnError(
      `cannot read ${options.what} ${path}: it is ${fileKindName(stats)}, not a regular file`,
      { hint: 'give the path of a regular file' },
    );
  }
  if (stats.size > options.maxBytes) {
    const reason = options.limitReason === undefined ? '' : ` (${options.limitReason})`;
    const limit = formatByteSize(options.maxBytes);
    // Just over the limit, rounded sizes would read alike ("200 MB, over 200 MB"): be exact.
    const size =
      formatByteSize(stats.size) === limit ? `${stats.size} bytes` : formatByteSize(stats.size);
    throw new MnnError(`${options.what} ${path} is ${size}, over the limit of ${limit}${reason}`, {
      kind: 'limit',
    });
  }
}

/**
 * Reads a whole regular file of at most `maxBytes`, refusing devices (/dev/zero), FIFOs, sockets
 * and directories (links are followed to what they name) before reading anything, so that no
 * file can make mnn read without end. A file that grows while being read is cut at the limit.
 */
export function readRegularFile(path: string, options: BoundedReadOptions): Buffer {
  const fd = openForReading(path, options);
  try {
    const stats = fstatSync(fd);
    checkReadable(path, stats, options);
    return readUpTo(fd, stats.size, options.maxBytes);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads at most `maxBytes` from the start of a regular file (for a quick look at its format),
 * with the same refusals as readRegularFile except the size limit.
 */
export function readFileHead(path: string, maxBytes: number, what: string): Buffer {
  const options = { what, maxBytes: Number.MAX_SAFE_INTEGER };
  const fd = openForReading(path, options);
  try {
    const stats = fstatSync(fd);
    checkReadable(path, stats, options);
    return readUpTo(fd, Math.min(stats.size, maxBytes), maxBytes);
  } finally {
    closeSync(fd);
  }
}

/** Reads from `fd` until end of file, expecting `expected` bytes, never more than `limit`. */
function readUpTo(fd: number, expected: number, limit: number): Buffer {
  let buffer = Buffer.allocUnsafe(Math.min(expected, limit));
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length >= limit) break;
      // The file grew since fstat: keep reading, within the limit.
      const grown = Buffer.allocUnsafe(Math.min(Math.max(buffer.length * 2, 4096), limit));
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
    }
    const read = readSync(fd, buffer, length, buffer.length - length, null);
    if (read === 0) break;
    length += read;
  }
  return buffer.subarray(0, length);
}
