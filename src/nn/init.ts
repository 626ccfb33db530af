import { layerSizesProblem, type Parameters } from './parameters.js';
import { Random } from './random.js';

/** How initial weights are drawn. */
export type InitScheme = 'he' | 'uniform';

/** Options for `initParameters`. */
export interface InitOptions {
  /** 'he': W ~ N(0, 2/n_{ℓ−1}), b = 0. 'uniform': W and b ~ U(−0.5, 0.5) (the numpy notebooks' rand − 0.5). */
  readonly init: InitScheme;
  readonly seed: number;
}

/** Fresh parameters for `layerSizes` [n₀ … n_L]; the same sizes, scheme and seed give the same numbers. */
export function initParameters(layerSizes: readonly number[], options: InitOptions): Parameters {
  assertLayerSizes(layerSizes);
  const random = new Random(options.seed);
  const W: Float64Array[] = [];
  const b: Float64Array[] = [];
  // Layers are drawn in order ℓ = 1..L, all of W⁽ℓ⁾ (row-major) then b⁽ℓ⁾, so the stream is fixed.
  for (let l = 1; l < layerSizes.length; l++) {
    const fanIn = layerSizes[l - 1];
    const weights = new Float64Array(layerSizes[l] * fanIn);
    const biases = new Float64Array(layerSizes[l]);
    if (options.init === 'he') {
      // He et al. 2015: variance 2/n_{ℓ−1} keeps ReLU activations from shrinking or growing with depth.
      const standardDeviation = Math.sqrt(2 / fanIn);
      for (let i = 0; i < weights.length; i++) weights[i] = standardDeviation * random.normal();
    } else {
      for (let i = 0; i < weights.length; i++) weights[i] = random.uniform(-0.5, 0.5);
      for (let i = 0; i < biases.length; i++) biases[i] = random.uniform(-0.5, 0.5);
    }
    W.push(weights);
    b.push(biases);
  }
  return { layerSizes: [...layerSizes], W, b };
}

/** Zero-filled arrays in the layout of `layerSizes` (e.g. for gradients). */
export function zeroParameters(layerSizes: readonly number[]): Parameters {
  assertLayerSizes(layerSizes);
  const W: Float64Array[] = [];
  const b: Float64Array[] = [];
  for (let l = 1; l < layerSizes.length; l++) {
    W.push(new Float64Array(layerSizes[l] * layerSizes[l - 1]));
    b.push(new Float64Array(layerSizes[l]));
  }
  return { layerSizes: [...layerSizes], W, b };
}

/** Throws unless the layer sizes can make a network (`layerSizesProblem`). */
function assertLayerSizes(layerSizes: readonly number[]): void {
  const problem = layerSizesProblem(layerSizes);
  if (problem !== undefined) {
    throw new RangeError(`layer sizes [${layerSizes.join(', ')}]: ${problem}`);
  }
}
