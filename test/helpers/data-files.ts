import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, onTestFinished } from 'vitest';
import { MnnError } from '../../src/errors.js';
import type { IdxImages, IdxLabels } from '../../src/data/idx.js';
import { Random } from '../../src/nn/random.js';

/** `count` random images of rows × cols bytes, the same for the same seed. */
export function randomImages(count: number, rows: number, cols: number, seed = 1): IdxImages {
  const random = new Random(seed);
  const pixels = Uint8Array.from({ length: count * rows * cols }, () => random.integer(256));
  return { kind: 'images', count, rows, cols, pixels };
}

/** `count` random labels 0–9, the same for the same seed. */
export function randomLabels(count: number, seed = 2): IdxLabels {
  const random = new Random(seed);
  return {
    kind: 'labels',
    count,
    labels: Uint8Array.from({ length: count }, () => random.integer(10)),
  };
}

/** A fresh temporary directory, removed after the current test. */
export function temporaryDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mnn-data-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Asserts that `run` throws an MnnError whose one-line message contains every fragment. */
export function expectMnnError(run: () => unknown, ...fragments: string[]): MnnError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(MnnError);
  const error = caught as MnnError;
  expect(error.message).not.toContain('\n');
  for (const fragment of fragments) expect(error.message).toContain(fragment);
  return error;
}
