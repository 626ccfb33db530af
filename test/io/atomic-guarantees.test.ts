/**
 * What writeFileAtomic promises (issue 14): a reader never sees a partial file, the new file is
 * a new inode renamed over the old (never the old one rewritten in place), and a write that fails
 * leaves the old file exactly as it was.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MnnError } from '../../src/errors.js';

/** When set, that step fails as a full disk would: a write after storing half its bytes. */
const failing = vi.hoisted(() => ({ call: undefined as 'write' | 'rename' | undefined }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const diskFull = (syscall: string) =>
    Object.assign(new Error(`ENOSPC: no space left on device, ${syscall}`), {
      code: 'ENOSPC',
      syscall,
    });
  const half = (data: string | Uint8Array) =>
    typeof data === 'string' ? data.slice(0, data.length >> 1) : data.subarray(0, data.length >> 1);
  const overrides = {
    writeFileSync: (file: number | string, data: string | Uint8Array, ...rest: never[]) => {
      if (failing.call !== 'write') return fs.writeFileSync(file, data, ...rest);
      fs.writeFileSync(file, half(data), ...rest);
      throw diskFull('write');
    },
    writeSync: (fd: number, data: string | Uint8Array, ...rest: never[]) => {
      if (failing.call !== 'write') return fs.writeSync(fd, data as never, ...rest);
      fs.writeSync(fd, half(data) as never);
      throw diskFull('write');
    },
    renameSync: (from: string, to: string) => {
      if (failing.call === 'rename') throw diskFull('rename');
      return fs.renameSync(from, to);
    },
  };
  return { ...fs, ...overrides, default: { ...fs, ...overrides } };
});
const { writeFileAtomic } = await import('../../src/io/atomic-write.js');

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'mnn-atomic-'));
});
afterEach(() => {
  failing.call = undefined;
  rmSync(directory, { recursive: true, force: true });
});

/** Reads `path` in a loop on another thread until told to stop; returns every distinct length seen. */
function startReader(path: string): {
  stop: () => Promise<{ lengths: number[]; partial: number }>;
} {
  const worker = new Worker(
    `const { readFileSync } = require('node:fs');
     const { parentPort, workerData } = require('node:worker_threads');
     const shared = new Int32Array(workerData.stop);
     const lengths = new Set();
     let partial = 0;
     while (Atomics.load(shared, 0) === 0) {
       let text;
       try { text = readFileSync(workerData.path, 'latin1'); } catch { continue; }
       lengths.add(text.length);
       const whole = text.length > 0 && text === text[0].repeat(text.length);
       if (!whole || !workerData.sizes.includes(text.length)) partial++;
     }
     parentPort.postMessage({ lengths: [...lengths], partial });`,
    { eval: true, workerData: { path, stop: stopFlag, sizes: SIZES } },
  );
  const result = new Promise<{ lengths: number[]; partial: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    stop: async () => {
      Atomics.store(new Int32Array(stopFlag), 0, 1);
      return result;
    },
  };
}
const stopFlag = new SharedArrayBuffer(4);
/** Two contents of different sizes and letters: any mix or cut of them is recognisable. */
const SIZES = [3_000_000, 1_000_000];

describe('writeFileAtomic guarantees', () => {
  it('never lets a reader see a partial file, however often it is rewritten', async () => {
    Atomics.store(new Int32Array(stopFlag), 0, 0);
    const path = join(directory, 'model.json');
    const contents = [Buffer.alloc(SIZES[0], 'a'), Buffer.alloc(SIZES[1], 'b')];
    writeFileAtomic(path, contents[0]);
    const reader = startReader(path);
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (let i = 1; i <= 40; i++) writeFileAtomic(path, contents[i % 2]);
    const seen = await reader.stop();
    expect(seen.partial).toBe(0);
    expect(seen.lengths.every((length) => SIZES.includes(length))).toBe(true);
  });

  it('replaces the file by a new inode (a rename), never rewriting the old one in place', () => {
    const path = join(directory, 'model.json');
    writeFileAtomic(path, 'first');
    const before = statSync(path).ino;
    writeFileAtomic(path, 'second');
    expect(statSync(path).ino).not.toBe(before);
    expect(readFileSync(path, 'utf8')).toBe('second');
  });

  it.each(['write', 'rename'] as const)(
    'leaves the old file untouched, and no temporary, when the %s fails',
    (call) => {
      const path = join(directory, 'model.json');
      writeFileAtomic(path, 'the good model');
      const before = statSync(path);
      failing.call = call;
      expect(() => writeFileAtomic(path, 'a model that never arrives')).toThrow(MnnError);
      failing.call = undefined;
      expect(readFileSync(path, 'utf8')).toBe('the good model');
      expect(statSync(path).ino).toBe(before.ino);
      expect(readdirSync(directory)).toEqual(['model.json']);
    },
  );
});
