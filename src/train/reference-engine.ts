import type { Dataset } from '../data/dataset.js';
import type { Matrix } from '../matrix/matrix.js';
import { countCorrect, Network, type ForwardCache } from '../nn/network.js';
import { zeroParameters } from '../nn/init.js';
import type { Parameters } from '../nn/parameters.js';
import type { GradientEngine, PassResult } from './engine.js';
import { inputMatrix } from './inputs.js';

/**
 * The simple, readable gradient engine: one `Network` forward and backward over the whole
 * training set as Float64 matrices (A⁽⁰⁾ is n₀ × N). The fast engine must agree with it.
 */
export class ReferenceEngine implements GradientEngine {
  /** A⁽⁰⁾, built once: byte / 255, one column per sample. */
  private readonly inputs: Matrix;
  private readonly labels: Uint8Array;
  private readonly cache: ForwardCache;

  constructor(
    dataset: Dataset,
    private readonly layerSizes: readonly number[],
  ) {
    this.inputs = inputMatrix(dataset);
    this.labels = dataset.labels;
    // Zero parameters only give the buffers their shapes; compute() runs on the real ones.
    this.cache = new Network(zeroParameters(layerSizes)).createCache(this.inputs);
  }

  /** Forward and backward over every sample at `params`; mean gradients go into `gradients`. */
  async compute(params: Parameters, gradients: Parameters): Promise<PassResult> {
    if (params.layerSizes.join() !== this.layerSizes.join()) {
      throw new RangeError(
        `parameters have layers [${params.layerSizes.join(', ')}], this engine [${this.layerSizes.join(', ')}]`,
      );
    }
    // A Network is only L small matrix views over `params`; the big buffers live in the cache.
    const network = new Network(params);
    const { loss } = network.forward(this.inputs, this.labels, this.cache);
    network.backward(this.cache, this.labels, gradients);
    const correct = countCorrect(this.cache.A[network.layerCount], this.labels);
    return { loss, correct };
  }

  /** Nothing to release: the buffers belong to the garbage collector. */
  async close(): Promise<void> {}
}
