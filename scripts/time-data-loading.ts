// Times the data loaders: a data directory (default: the installed Fashion-MNIST) and the
// embedded digits, first load (JSON parse, writes the cache) and second load (from the cache).
// Usage: npx tsx scripts/time-data-loading.ts [DATA_DIR]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDatasetDirectory } from '../src/data/directory.js';
import { loadEmbedded } from '../src/data/embedded.js';

/** Runs `load` once and prints how long it took. */
function timed<T>(label: string, load: () => T): T {
  const start = performance.now();
  const result = load();
  console.log(`${label}: ${(performance.now() - start).toFixed(0)} ms`);
  return result;
}

const dataDir = process.argv[2] ?? '/usr/share/datasets/fashion-mnist';
const train = timed(`${dataDir} train split`, () =>
  loadDatasetDirectory(dataDir, { splits: 'train' }),
);
console.log(`  ${train.train.count} images of ${train.train.rows}×${train.train.cols}`);
timed(`${dataDir} both splits`, () => loadDatasetDirectory(dataDir));

const cacheDir = mkdtempSync(join(tmpdir(), 'mnn-timing-'));
try {
  timed('embedded, first load (parse JSON, write cache)', () => loadEmbedded({ cacheDir }));
  timed('embedded, second load (cache)', () => loadEmbedded({ cacheDir }));
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
