import type { DataSplits } from '../../src/data/dataset.js';
import { datasetLabels } from '../../src/data/labels.js';
import type { Model } from '../../src/model/model.js';
import { PIXEL_SCALE } from '../../src/nn/input.js';
import { createEngine } from '../../src/train/create-engine.js';
import { train } from '../../src/train/train.js';
import { mnistSubset } from './mnist.js';

/** The first 8 000 training and 2 000 test digits of the MNIST shipped with mnn. */
export function packagedDigits(): DataSplits {
  return { ...mnistSubset(8000, 2000), name: 'packaged' };
}

/**
 * A model trained through the library for a few full-batch iterations on the packaged digits:
 * real weights (not a fresh initialization) in seconds, for tests of what uses a trained model.
 */
export async function trainSmallModel(
  layerSizes: readonly number[],
  iterations = 40,
  data: DataSplits = packagedDigits(),
): Promise<Model> {
  const result = await train(
    data,
    { layerSizes, alpha: 0.5, iterations, seed: 1, init: 'he', evalEvery: iterations },
    (dataset, sizes) => createEngine(dataset, sizes, { threads: 1 }),
  );
  return {
    parameters: result.selected,
    labels: datasetLabels('mnist'),
    input: { width: data.train.cols, height: data.train.rows, scale: PIXEL_SCALE },
    createdBy: 'mnn test',
    createdAt: '2024-01-01T00:00:00.000Z',
  };
}
