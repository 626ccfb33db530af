import type { DataSource } from '../data/source.js';

export { packageVersion } from '../version.js';

/** A fraction in [0, 1] as a percentage for people, e.g. 0.8951 → "89.51%". */
export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}

/** One line telling which data set a command uses, with the hint to fetch the full one. */
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
  if (source.kind === 'embedded') {
    return `data: embedded MNIST digits (${counts} samples; \`mnn fetch\` downloads the full 70 000)`;
  }
  return `data: ${source.directory} (${counts} samples)`;
}
