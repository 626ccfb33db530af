import { knownDataset } from '../data/identify.js';
import { DATASET_TITLES, datasetLabels, labelsInBrief, sameLabels } from '../data/labels.js';
import type { DataSource } from '../data/source.js';

export { packageVersion } from '../version.js';

/**
 * mnn as the user started it: `npx mnn` when run through npx or `npm exec` (npm sets
 * npm_command=exec), else `mnn` (on the PATH after `npm link` or a global install).
 */
export function mnnCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.npm_command === 'exec' ? 'npx mnn' : 'mnn';
}

/** A command line to suggest, written the way the user runs mnn: typed('eval m.json'). */
export function typed(commandLine: string): string {
  return `${mnnCommand()} ${commandLine}`;
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
