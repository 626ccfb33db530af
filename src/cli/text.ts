import { knownDataset } from '../data/identify.js';
import { DATASET_TITLES, datasetLabels, labelsInBrief, sameLabels } from '../data/labels.js';
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

/**
 * Says that a model meets data of other classes (a digits model and Fashion-MNIST, or the
 * reverse) when the data set is known and its class names differ from the model's.
 */
export function describeClassMismatch(
  modelPath: string,
  modelLabels: readonly string[],
  source: DataSource,
): string | undefined {
  const known = knownDataset(source);
  if (known === undefined || sameLabels(modelLabels, datasetLabels(known))) return undefined;
  return `${modelPath} knows the classes ${labelsInBrief(modelLabels)} but the data holds ${DATASET_TITLES[known]} (${labelsInBrief(datasetLabels(known))})`;
}
