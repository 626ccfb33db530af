import { existsSync } from 'node:fs';
import { hasDatasetFiles } from '../data/directory.js';
import { DATASET_NAMES, DATASET_TITLES, type DatasetName } from '../data/labels.js';
import { PACKAGED_MNIST_NAME } from '../data/packaged.js';
import { resolveDataSource, type DataSource } from '../data/source.js';
import { MnnError } from '../errors.js';
import { typed } from './text.js';

/** The words --data takes besides a directory. */
const DATA_WORDS = [PACKAGED_MNIST_NAME, ...DATASET_NAMES] as const;

/** Edit distance with transpositions (optimal string alignment): "mnsit" is 1 from "mnist". */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/** The --data word a misspelt value most likely meant (within 2 edits), if any. */
function meantWord(value: string): string | undefined {
  const lower = value.toLowerCase();
  return DATA_WORDS.find((word) => editDistance(lower, word) <= 2);
}

/**
 * The data source a --data value names (see resolveDataSource), refusing early, with the command
 * that helps: a named data set not fetched yet (`mnn fetch --dataset fashion`), or a value that is
 * no directory but looks like a misspelt name (`did you mean --data mnist?`).
 */
export function dataSourceFor(option: string | undefined): DataSource {
  const source = resolveDataSource(option);
  if (option === undefined || source.kind === 'packaged') return source;
  const named = DATASET_NAMES.find((name: DatasetName) => name === option);
  if (named !== undefined) {
    if (!hasDatasetFiles(source.directory)) {
      throw new MnnError(`${DATASET_TITLES[named]} is not downloaded yet (${source.directory})`, {
        hint: `download it with ${typed(`fetch --dataset ${named}`)}`,
      });
    }
    return source;
  }
  const meant = existsSync(option) ? undefined : meantWord(option);
  if (meant !== undefined) {
    throw new MnnError(
      `--data ${option} is neither a directory nor a data set mnn knows; did you mean --data ${meant}?`,
      { kind: 'usage' },
    );
  }
  return source;
}
