import { readFileSync } from 'node:fs';
import type { DataSource } from '../data/source.js';

/** The package version, read from package.json beside dist/ (or src/ under tests). */
export function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/** A fraction in [0, 1] as a percentage for people, e.g. 0.8951 → "89.51%". */
export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}

/** One line telling which data set a command uses and how many samples of each split. */
export function describeData(
  source: DataSource,
  trainCount: number | undefined,
  testCount: number | undefined,
): string {
  const counts = [
    trainCount === undefined ? undefined : `${trainCount} training`,
    testCount === undefined ? undefined : `${testCount} test`,
  ]
    .filter((part) => part !== undefined)
    .join(' + ');
  if (source.kind === 'packaged') return `data: MNIST shipped with mnn (${counts} samples)`;
  return `data: ${source.directory} (${counts} samples)`;
}
