import { counterHash, RandomPurpose } from '../nn/random.js';

/*
 * Every random choice of mini-batch training, keyed by the seed and counters (ARCHITECTURE.md,
 * "Determinism"): the same options give the same validation split, epoch orders and shifts, on
 * any number of threads, and a resumed run draws exactly what an uninterrupted one would.
 */

/**
 * Shuffles `values` in place by Fisher–Yates, the swap partner of position i drawn from
 * counterHash(seed, purpose, round, i, 0, 0) (the modulo bias, below n / 2³², is negligible).
 */
function keyedShuffle(values: Uint32Array, seed: number, purpose: number, round: number): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = counterHash(seed, purpose, round, i, 0, 0) % (i + 1);
    const swap = values[i];
    values[i] = values[j];
    values[j] = swap;
  }
}

/** The indices 0..count−1 in order. */
function range(count: number): Uint32Array {
  return Uint32Array.from({ length: count }, (_, i) => i);
}

/** Which samples of a training set are trained on and which are held out for validation. */
export interface ValidationSplit {
  /** Indices trained on, ascending. */
  readonly train: Uint32Array;
  /** Indices held out (never trained on), ascending; empty without validation. */
  readonly validation: Uint32Array;
}

/**
 * Holds `validation` of the `count` training samples out, chosen by the seed: the first ones of
 * a keyed permutation of 0..count−1. Both parts are returned in ascending order.
 */
export function splitValidation(count: number, validation: number, seed: number): ValidationSplit {
  if (validation === 0) return { train: range(count), validation: new Uint32Array(0) };
  const order = range(count);
  keyedShuffle(order, seed, RandomPurpose.validation, 0);
  return {
    train: order.slice(validation).sort(),
    validation: order.slice(0, validation).sort(),
  };
}

/**
 * The order in which epoch `epoch` (0, 1, …) visits the training samples `train`: a permutation
 * keyed by (seed, epoch), so it is the same whenever it is asked for.
 */
export function epochOrder(train: Uint32Array, seed: number, epoch: number): Uint32Array {
  const order = train.slice();
  keyedShuffle(order, seed, RandomPurpose.shuffle, epoch);
  return order;
}

/**
 * Augmentation shifts of a batch: for each sample (its training-set index), a move of −K..K
 * pixels right and −K..K pixels down, keyed by (seed, epoch, sample, axis), so each sample gets a
 * new shift each epoch. Laid out as the `Batch` type's `shifts`: dx, dy per sample.
 */
export function sampleShifts(
  samples: Uint32Array,
  maxShift: number,
  seed: number,
  epoch: number,
): Int8Array {
  const shifts = new Int8Array(2 * samples.length);
  const choices = 2 * maxShift + 1;
  for (let k = 0; k < samples.length; k++) {
    for (let axis = 0; axis < 2; axis++) {
      const draw = counterHash(seed, RandomPurpose.shift, epoch, samples[k], axis, 0);
      shifts[2 * k + axis] = (draw % choices) - maxShift;
    }
  }
  return shifts;
}
