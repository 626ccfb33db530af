import type { Dataset } from '../data/dataset.js';
import type { Matrix } from '../matrix/matrix.js';
import { dropoutScaledMask } from '../nn/dropout.js';
import { countCorrect, Network, type ForwardCache } from '../nn/network.js';
import { zeroParameters } from '../nn/init.js';
import type { Parameters } from '../nn/parameters.js';
import { batchInputMatrix, batchLabels, inputMatrix } from './inputs.js';
import type { Batch, GradientEngine, PassResult } from './engine.js';

/** Samples per forward pass of `evaluate`: bounds memory (n₀ × 1000 float64s) on large sets. */
const EVALUATION_CHUNK = 1000;

/**
 * The simple, readable gradient engine: `Network` forward and backward as Float64 matrices, one
 * column per sample. The whole training set's A⁽⁰⁾ is built once, for the paper's full batch;
 * a batch's A⁽⁰⁾ (with its shifts) and dropout masks are built for each step. The fast engine must
 * agree with it.
 */
export class ReferenceEngine implements GradientEngine {
  /** A⁽⁰⁾ of every sample and the buffers of a full-batch pass, built on the first one. */
  private fullBatch: { inputs: Matrix; cache: ForwardCache } | undefined;

  constructor(
    private readonly dataset: Dataset,
    private readonly layerSizes: readonly number[],
  ) {}

  /** Forward and backward at `params` over `batch` (absent: every sample); mean gradients go into `gradients`. */
  async compute(params: Parameters, gradients: Parameters, batch?: Batch): Promise<PassResult> {
    this.checkLayers(params);
    const network = new Network(params);
    if (batch === undefined) {
      const { inputs, cache } = this.fullBatchBuffers();
      network.forward(inputs, this.dataset.labels, cache);
      network.backward(cache, this.dataset.labels, gradients);
      return {
        loss: cache.loss,
        correct: countCorrect(cache.A[network.layerCount], this.dataset.labels),
      };
    }
    const labels = batchLabels(this.dataset, batch.samples);
    const A0 = batchInputMatrix(this.dataset, batch.samples, batch.shifts);
    const cache = network.forward(A0, labels, undefined, this.dropoutMasks(batch));
    network.backward(cache, labels, gradients);
    return { loss: cache.loss, correct: countCorrect(cache.A[network.layerCount], labels) };
  }

  /** Forward only at `params` over `samples` (absent: all), in chunks; no dropout, no shift. */
  async evaluate(params: Parameters, samples?: Uint32Array): Promise<PassResult> {
    this.checkLayers(params);
    const network = new Network(params);
    const indices = samples ?? Uint32Array.from({ length: this.dataset.count }, (_, i) => i);
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < indices.length; start += EVALUATION_CHUNK) {
      const chunk = indices.subarray(start, start + EVALUATION_CHUNK);
      const labels = batchLabels(this.dataset, chunk);
      const cache = network.forward(batchInputMatrix(this.dataset, chunk), labels);
      lossSum += cache.loss * chunk.length;
      correct += countCorrect(cache.A[network.layerCount], labels);
    }
    return { loss: indices.length === 0 ? 0 : lossSum / indices.length, correct };
  }

  /** Nothing to release: the buffers belong to the garbage collector. */
  async close(): Promise<void> {}

  /** R⁽ℓ⁾ / (1 − p) for each hidden layer ℓ = 1..L−1, or none without dropout. */
  private dropoutMasks(batch: Batch): Matrix[] {
    const spec = batch.dropout;
    if (spec === undefined) return [];
    const hidden = this.layerSizes.slice(1, -1);
    return hidden.map((units, index) => dropoutScaledMask(spec, batch.samples, index + 1, units));
  }

  /** A⁽⁰⁾ of the whole training set and its pass buffers, built once. */
  private fullBatchBuffers(): { inputs: Matrix; cache: ForwardCache } {
    if (this.fullBatch === undefined) {
      const inputs = inputMatrix(this.dataset);
      // Zero parameters only give the buffers their shapes; compute() runs on the real ones.
      const cache = new Network(zeroParameters(this.layerSizes)).createCache(inputs);
      this.fullBatch = { inputs, cache };
    }
    return this.fullBatch;
  }

  /** Throws unless `params` has this engine's layer sizes. */
  private checkLayers(params: Parameters): void {
    if (params.layerSizes.join() !== this.layerSizes.join()) {
      throw new RangeError(
        `parameters have layers [${params.layerSizes.join(', ')}], this engine [${this.layerSizes.join(', ')}]`,
      );
    }
  }
}
