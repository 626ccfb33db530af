import { sliceDataset, type Dataset } from '../../src/data/dataset.js';
import { loadPackagedMnist } from '../../src/data/packaged.js';

/**
 * The first `trainCount` training and `testCount` test samples of the MNIST shipped with mnn:
 * real digits, small enough for fast tests.
 */
export function mnistSubset(trainCount: number, testCount = 0): { train: Dataset; test: Dataset } {
  const { train, test } = loadPackagedMnist();
  return { train: sliceDataset(train, 0, trainCount), test: sliceDataset(test, 0, testCount) };
}
