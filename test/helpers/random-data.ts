import type { Dataset } from '../../src/data/dataset.js';
import type { Model } from '../../src/model/model.js';
import { initParameters } from '../../src/nn/init.js';
import { Random } from '../../src/nn/random.js';

/** The shape and seed of a random data set. */
export interface RandomDatasetOptions {
  readonly count: number;
  /** Image height and width; default 3 × 3. */
  readonly rows?: number;
  readonly cols?: number;
  /** Labels are drawn from 0 … classes − 1; default 10. */
  readonly classes?: number;
  /** Fraction of pixels that are exactly 0 (MNIST: about 0.81); default 0, all bytes uniform. */
  readonly zeroFraction?: number;
  readonly seed?: number;
}

/** Random pixel bytes and labels: the same options give the same data set. */
export function randomDataset(options: RandomDatasetOptions): Dataset {
  const { count, rows = 3, cols = 3, classes = 10, zeroFraction = 0, seed = 1 } = options;
  const random = new Random(seed);
  const images = new Uint8Array(count * rows * cols);
  for (let i = 0; i < images.length; i++) {
    images[i] = random.next() < zeroFraction ? 0 : random.integer(256);
  }
  const labels = Uint8Array.from({ length: count }, () => random.integer(classes));
  return { images, labels, count, rows, cols };
}

/** A model with seeded He weights (never trained: for shapes, files and plumbing). */
export function randomModel(
  layerSizes: readonly number[],
  labels: readonly string[] = Array.from({ length: layerSizes[layerSizes.length - 1] }, String),
  seed = 9,
): Model {
  const side = Math.sqrt(layerSizes[0]);
  return {
    parameters: initParameters(layerSizes, { init: 'he', seed }),
    labels,
    input: Number.isInteger(side)
      ? { width: side, height: side, scale: 255 }
      : { width: layerSizes[0], height: 1, scale: 255 },
    createdBy: 'test',
    createdAt: '',
  };
}

/**
 * Largest |actual − expected| over the largest |expected| of the array (the absolute difference
 * when expected is all zeros): how far two computations of the same numbers drifted apart.
 */
export function maxRelativeDifference(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
): number {
  if (actual.length !== expected.length) {
    throw new Error(`lengths differ: ${actual.length} vs ${expected.length}`);
  }
  let difference = 0;
  let magnitude = 0;
  for (let i = 0; i < expected.length; i++) {
    difference = Math.max(difference, Math.abs(actual[i] - expected[i]));
    magnitude = Math.max(magnitude, Math.abs(expected[i]));
  }
  return magnitude === 0 ? difference : difference / magnitude;
}
