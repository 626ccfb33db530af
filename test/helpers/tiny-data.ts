import { join } from 'node:path';
import { DATASET_FILES } from '../../src/data/directory.js';
import { writeIdx } from '../../src/data/idx.js';
import { Random } from '../../src/nn/random.js';

/** Sizes of a tiny IDX data set for fast CLI runs. */
export interface TinyDataOptions {
  readonly train?: number;
  readonly test?: number;
  /** Side of the square images (28 gives the 784 pixels of MNIST). */
  readonly side?: number;
  readonly seed?: number;
}

/**
 * Writes the four standard IDX files of a tiny data set into `directory`: random images whose
 * label is decided by their brightest quadrant, so training has something to learn.
 */
export function writeTinyDataset(directory: string, options: TinyDataOptions = {}): void {
  const { train = 40, test = 20, side = 28, seed = 5 } = options;
  const random = new Random(seed);
  const split = (count: number) => {
    const pixels = new Uint8Array(count * side * side);
    const labels = new Uint8Array(count);
    for (let n = 0; n < count; n++) {
      const label = random.integer(10);
      labels[n] = label;
      for (let i = 0; i < side * side; i++) {
        const bright = (i * 10) / (side * side) >= label && (i * 10) / (side * side) < label + 1;
        pixels[n * side * side + i] = bright ? 200 + random.integer(56) : random.integer(60);
      }
    }
    return { pixels, labels };
  };
  for (const [name, count] of [
    ['train', train],
    ['test', test],
  ] as const) {
    const { pixels, labels } = split(count);
    writeIdx(join(directory, DATASET_FILES[name].images), {
      kind: 'images',
      count,
      rows: side,
      cols: side,
      pixels,
    });
    writeIdx(join(directory, DATASET_FILES[name].labels), { kind: 'labels', count, labels });
  }
}
