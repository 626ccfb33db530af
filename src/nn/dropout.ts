import { Matrix } from '../matrix/matrix.js';
import { RandomPurpose, counterHashFinish, counterHashPrefix, counterUniform } from './random.js';

/**
 * Inverted dropout on the hidden layers (docs/math.md, Beyond the paper): during training each
 * hidden activation is kept with probability 1 − p and scaled by 1 / (1 − p), else zeroed.
 */
export interface DropoutSpec {
  /** The rate p in [0, 1): the probability that a hidden unit is dropped. */
  readonly rate: number;
  /** The training seed; with `step` it keys the masks. */
  readonly seed: number;
  /** The optimizer step t (1, 2, …) the masks are for. */
  readonly step: number;
}

/**
 * R⁽ℓ⁾ for one unit: true when hidden unit `unit` of layer `layer` (1 ≤ ℓ < L) is kept for
 * training sample `sample` (its index in the training set) at this step. Counter-based, so the
 * mask, and hence the weights, do not depend on how samples are split among threads.
 */
export function dropoutKeeps(
  spec: DropoutSpec,
  sample: number,
  layer: number,
  unit: number,
): boolean {
  return (
    counterUniform(spec.seed, RandomPurpose.dropout, spec.step, sample, layer, unit) >= spec.rate
  );
}

/**
 * One sample's row of R⁽ℓ⁾ / (1 − p), the factor inverted dropout multiplies A⁽ℓ⁾ by:
 * mask[i] = 1 / (1 − p) where `dropoutKeeps(spec, sample, layer, i)`, else 0, for i < mask.length.
 * The same draws as dropoutKeeps, with the part of the key the row shares hashed once.
 */
export function scaledMaskRow(
  spec: DropoutSpec,
  sample: number,
  layer: number,
  mask: Float64Array,
): void {
  const keptScale = 1 / (1 - spec.rate);
  const prefix = counterHashPrefix(spec.seed, RandomPurpose.dropout, spec.step, sample, layer);
  for (let i = 0; i < mask.length; i++) {
    // counterUniform's value, compared as dropoutKeeps compares it
    mask[i] = counterHashFinish(prefix, i) / 4294967296 >= spec.rate ? keptScale : 0;
  }
}

/**
 * R⁽ℓ⁾ / (1 − p) for a batch (n_ℓ × N): column k is sample `samples[k]`'s mask on layer ℓ, each
 * entry 1 / (1 − p) where `dropoutKeeps`, else 0. The value inverted dropout multiplies by.
 */
export function dropoutScaledMask(
  spec: DropoutSpec,
  samples: Uint32Array, // (N), training-set indices
  layer: number, // ℓ, 1 ≤ ℓ < L
  units: number, // n_ℓ
): Matrix {
  const keptScale = 1 / (1 - spec.rate);
  const R = Matrix.zeros(units, samples.length);
  for (let i = 0; i < units; i++) {
    for (let k = 0; k < samples.length; k++) {
      if (dropoutKeeps(spec, samples[k], layer, i)) R.data[i * samples.length + k] = keptScale;
    }
  }
  return R;
}
