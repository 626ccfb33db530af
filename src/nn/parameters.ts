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
