/**
 * The trainable parameters of a network, in the layout every engine (reference and fast) shares.
 *
 * Layers ℓ = 1..L are stored at index ℓ−1: `W[ℓ−1]` is W⁽ℓ⁾ (n_ℓ × n_{ℓ−1}, row-major, so
 * w_ij — the weight neuron j of layer ℓ−1 has on neuron i of layer ℓ — is at i·n_{ℓ−1} + j) and
 * `b[ℓ−1]` is b⁽ℓ⁾ (n_ℓ). `layerSizes` is [n₀, n₁, …, n_L].
 */
export interface Parameters {
  readonly layerSizes: readonly number[];
  readonly W: Float64Array[];
  readonly b: Float64Array[];
}

/**
 * Weights and biases beyond this size come only from a run that diverged (a working network's are
 * below 100); such parameters give NaN or meaningless outputs, so they are never saved or loaded.
 */
export const MAX_PARAMETER_MAGNITUDE = 1e6;

/** The largest |w| or |b| in `parameters` (NaN when one is NaN). */
export function largestMagnitude(parameters: Parameters): number {
  let largest = 0;
  for (const values of [...parameters.W, ...parameters.b]) {
    for (const value of values) {
      if (!(Math.abs(value) <= largest)) largest = Math.abs(value);
    }
  }
  return largest;
}

/** The largest layer mnn builds or loads: larger ones are almost surely typos and would exhaust memory. */
export const MAX_LAYER_SIZE = 100_000;

/** The rule every layer size obeys, in words for messages. */
export const LAYER_SIZE_RULE = `a whole number from 1 to ${MAX_LAYER_SIZE}`;

/** Whether `n` can be the size of a layer (LAYER_SIZE_RULE). */
export function isLayerSize(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= MAX_LAYER_SIZE;
}

/** What keeps layer sizes [n₀ … n_L] from making a network, in words; undefined when nothing does. */
export function layerSizesProblem(layerSizes: readonly number[]): string | undefined {
  if (layerSizes.length < 2) return 'a network needs at least two layer sizes (input and output)';
  const index = layerSizes.findIndex((n) => !isLayerSize(n));
  if (index < 0) return undefined;
  return `entry ${index + 1} (${layerSizes[index]}) must be ${LAYER_SIZE_RULE}`;
}
