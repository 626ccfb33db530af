import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

/** The character devices tests aim at, with their Linux major and minor numbers. */
const DEVICE_NUMBERS = { null: [1, 3], zero: [1, 5], full: [1, 7] } as const;

/** A device tests may aim at: /dev/null (swallows), /dev/zero (endless), /dev/full (ENOSPC). */
export type DeviceName = keyof typeof DEVICE_NUMBERS;

/**
 * A character device that behaves like /dev/<name>, for tests that try to write over or read
 * from a device. As root (where a bug could replace the real node), it is a new node made with
 * mknod in `directory`, so a regression damages only that copy; otherwise the real device, which
 * a process without root cannot replace.
 */
export function deviceNode(directory: string, name: DeviceName): string {
  if (process.getuid?.() !== 0) return `/dev/${name}`;
  const path = join(directory, `dev-${name}`);
  const [major, minor] = DEVICE_NUMBERS[name];
  execFileSync('mknod', ['-m', '666', path, 'c', String(major), String(minor)]);
  return path;
}

/** Asserts that the real device nodes are still character devices (tests run as root). */
export function expectDevicesIntact(): void {
  for (const name of Object.keys(DEVICE_NUMBERS)) {
    expect(statSync(`/dev/${name}`).isCharacterDevice(), `/dev/${name}`).toBe(true);
  }
}
