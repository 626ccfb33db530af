import type { Batch } from './engine.js';
import { epochOrder, sampleShifts, splitValidation, type ValidationSplit } from './sampling.js';

/** What decides the batches of a run (docs/math.md, Beyond the paper: batches, dropout, shifts). */
export interface BatchOptions {
  readonly seed: number;
  /** B; absent or at least the training samples: the whole training set (full batch). */
  readonly batchSize?: number;
  /** Samples held out of the training set for validation (default 0). */
  readonly validation?: number;
  /** Dropout rate p on hidden layers (default 0: none). */
  readonly dropout?: number;
  /** Augmentation: shift each sample up to this many pixels in x and y (default 0: none). */
  readonly maxShift?: number;
}

/** Steps in one epoch, ⌈(samples − validation) / B⌉: 1 for a full batch. */
export function stepsPerEpoch(sampleCount: number, options: BatchOptions): number {
  const trainCount = sampleCount - (options.validation ?? 0);
  return Math.ceil(trainCount / Math.min(options.batchSize ?? trainCount, trainCount));
}

/**
 * How a run walks through its training set: the validation split, the batch size B, the steps
 * per epoch, and the batch of each step. Step t (iteration t − 1) is in epoch ⌊(t − 1) / steps
 * per epoch⌋; the batches of an epoch are consecutive slices of size B of its shuffled order
 * (the last may be smaller). A full batch (B ≥ the training samples) needs no shuffle.
 */
export class BatchPlan {
  readonly split: ValidationSplit;
  readonly batchSize: number;
  readonly stepsPerEpoch: number;
  /** Every step trains on the whole training set. */
  readonly fullBatch: boolean;
  /** The paper's full batch: all samples in order, no dropout, no shift (engines need no Batch). */
  readonly paper: boolean;
  private order: { epoch: number; samples: Uint32Array } | undefined;

  constructor(
    sampleCount: number,
    private readonly options: BatchOptions,
  ) {
    this.split = splitValidation(sampleCount, options.validation ?? 0, options.seed);
    const trainCount = this.split.train.length;
    this.batchSize = Math.min(options.batchSize ?? trainCount, trainCount);
    this.stepsPerEpoch = Math.ceil(trainCount / this.batchSize);
    this.fullBatch = this.batchSize === trainCount;
    this.paper =
      this.fullBatch &&
      trainCount === sampleCount &&
      (options.dropout ?? 0) === 0 &&
      (options.maxShift ?? 0) === 0;
  }

  /** Samples trained on (the training set less the validation set). */
  get trainCount(): number {
    return this.split.train.length;
  }

  /** The epoch (0, 1, …) of the step that follows `iteration` steps. */
  epochOf(iteration: number): number {
    return Math.floor(iteration / this.stepsPerEpoch);
  }

  /** The batch of step t = iteration + 1; undefined for the paper's full batch. */
  batchAt(iteration: number): Batch | undefined {
    if (this.paper) return undefined;
    const { seed, dropout = 0, maxShift = 0 } = this.options;
    const epoch = this.epochOf(iteration);
    const first = (iteration % this.stepsPerEpoch) * this.batchSize;
    const samples = this.epochSamples(epoch).subarray(first, first + this.batchSize);
    return {
      samples,
      ...(maxShift > 0 && { shifts: sampleShifts(samples, maxShift, seed, epoch) }),
      ...(dropout > 0 && { dropout: { rate: dropout, seed, step: iteration + 1 } }),
    };
  }

  /** The order of an epoch's samples: as they are for a full batch, else shuffled by (seed, epoch). */
  private epochSamples(epoch: number): Uint32Array {
    if (this.fullBatch) return this.split.train;
    if (this.order?.epoch !== epoch) {
      this.order = { epoch, samples: epochOrder(this.split.train, this.options.seed, epoch) };
    }
    return this.order.samples;
  }
}
