import type { Parameters } from '../nn/parameters.js';

/** What one full-batch pass over the training set reports besides the gradients. */
export interface PassResult {
  /** Mean cross-entropy C over all samples, at the parameters given (before the update). */
  readonly loss: number;
  /** How many samples the network classified correctly at those parameters. */
  readonly correct: number;
}

/**
 * Computes C, ∂C/∂W⁽ℓ⁾ and ∂C/∂b⁽ℓ⁾ over a fixed training set (MATH.md, "Backward").
 * Implementations: the simple reference path (src/nn, matrix products) and the fast path
 * (sparse input, cache blocking, worker threads). Both must give the same numbers.
 */
export interface GradientEngine {
  /** Runs forward and backward over every training sample at `params`; writes the mean gradients into `gradients`. */
  compute(params: Parameters, gradients: Parameters): Promise<PassResult>;
  /** Releases workers and buffers. */
  close(): Promise<void>;
}
