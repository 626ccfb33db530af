import type { DropoutSpec } from '../nn/dropout.js';
import type { Parameters } from '../nn/parameters.js';
import type { OptimizerSettings, OptimizerState } from './optimizer.js';

/**
 * What an engine computes forward and backward in: 'f64' (the reference engine's arithmetic,
 * which the fast engine reproduces sum for sum) or 'f32' (the fast engine only: twice the SIMD
 * lanes; parameters, gradients and optimizer state stay f64, Adam's direction is computed in f32).
 */
export type Precision = 'f32' | 'f64';

/**
 * The samples of one training step and how each is presented (docs/math.md, Beyond the paper).
 * Engines must give the same numbers for the same batch, however they split it among threads.
 */
export interface Batch {
  /** Training-set indices of the batch's samples, in the order their terms are summed. */
  readonly samples: Uint32Array;
  /**
   * Augmentation: sample k is shifted shifts[2k] pixels right and shifts[2k+1] pixels down, so
   * the pixel at (x, y) of the shifted image is the original's at (x − dx, y − dy), 0 where that
   * falls outside the image. Absent: no shift.
   */
  readonly shifts?: Int8Array;
  /** Inverted dropout on every hidden layer, masks from `dropoutKeeps`. Absent: no dropout. */
  readonly dropout?: DropoutSpec;
}

/** What one pass over a batch (or an evaluation) reports besides the gradients. */
export interface PassResult {
  /** Mean cross-entropy C over the pass's samples, at the parameters given (before the update). */
  readonly loss: number;
  /** How many of those samples the network classified correctly at those parameters. */
  readonly correct: number;
}

/**
 * Computes C, ∂C/∂W⁽ℓ⁾ and ∂C/∂b⁽ℓ⁾ over a fixed data set (docs/math.md, Backward), for the whole
 * set or a batch of it. Implementations: the simple reference path (src/nn, matrix products)
 * and the fast path (sparse input, cache blocking, worker threads). Both must give the same numbers.
 */
export interface GradientEngine {
  /**
   * Forward and backward at `params` over `batch` (absent: every sample in order, no shift, no
   * dropout: the paper's full batch); writes the batch-mean gradients (1/|batch|) into
   * `gradients`. Loss and correct count are over the batch as trained (its shifts and dropout).
   */
  compute(params: Parameters, gradients: Parameters, batch?: Batch): Promise<PassResult>;
  /** Forward only at `params`, no dropout, no shift, over the given sample indices (absent: all). */
  evaluate(params: Parameters, samples?: Uint32Array): Promise<PassResult>;
  /** Releases workers and buffers. */
  close(): Promise<void>;
  /**
   * Optional: brings the arrays the engine's steps used up to date where it keeps its own newer
   * copy (the fast engine's f32 Adam moments); call it before reading optimizer state or
   * gradients after `trainStep` or `optimizerStep`.
   */
  sync?(): void;
  /**
   * Optional: zeroed arrays shaped like the parameters, in the engine's own memory. Parameters,
   * gradients and optimizer state made here are used in place, with no copies per step; from
   * the first `optimizerStep` on, change such parameters only through it.
   */
  allocateParameters?(): Parameters;
  /**
   * Optional: `optimizerStep` (optimizer.ts) done by the engine, bit for bit the same, faster on
   * arrays from allocateParameters (SIMD, split across its threads); other arrays get the
   * readable step itself.
   */
  optimizerStep?(
    settings: OptimizerSettings,
    state: OptimizerState,
    params: Parameters,
    gradients: Parameters,
    alpha: number,
  ): Promise<void>;
  /**
   * Optional: `compute`, then `optimizerStep` on the gradients it wrote, bit for bit the same as
   * the two calls (an engine may fuse the end of one with the other).
   */
  trainStep?(
    params: Parameters,
    gradients: Parameters,
    batch: Batch | undefined,
    optimizer: OptimizerStepSettings,
  ): Promise<PassResult>;
}

/** One optimizer step's settings: the rule, its state (t is incremented), and α_t. */
export interface OptimizerStepSettings {
  readonly settings: OptimizerSettings;
  readonly state: OptimizerState;
  readonly alpha: number;
}
