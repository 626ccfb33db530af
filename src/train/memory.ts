import { MnnError } from '../errors.js';
import { MAX_CHUNKS } from './fast/plan.js';

/** Samples a fast-engine block holds while it goes forward and backward. */
const BLOCK_SAMPLES = 128;
/**
 * Copies of the parameter vector training keeps: the chunks' partial gradients (MAX_CHUNKS), the
 * engine's parameters and totals, and on the JavaScript side W and b, their gradients, and a copy
 * for each checkpoint being written.
 */
const PARAMETER_COPIES = MAX_CHUNKS + 6;
/** Bytes per pixel: the dataset's bytes, and the engine's sparse copy (a value and an index). */
const BYTES_PER_PIXEL = 4;
/**
 * Bytes per pixel of the paired input, at most: with every pixel non-zero, each is half of one
 * 12-byte entry in each of its two orders (src/train/fast/sparse-input.ts).
 */
const PAIRED_BYTES_PER_PIXEL = 12;
/** The share of the machine's memory one training run may plan to use. */
export const MEMORY_SHARE = 0.8;

/** How training is to run, for its memory estimate. */
export interface TrainingShape {
  readonly layerSizes: readonly number[];
  readonly samples: number;
  readonly threads: number;
  /** Parameter-sized arrays kept beyond the plain run's: the optimizer's state, the best so far. */
  readonly extraParameterCopies?: number;
  /** Samples whose engine keeps the paired input too (FastEngineOptions.wholeSetPasses). */
  readonly pairedSamples?: number;
}

/**
 * An estimate of the memory a training run needs, in bytes: the parameters and their copies, the
 * data, each thread's block of the fast engine (which serves full batches and mini-batches
 * alike, a block of samples at a time), and the paired input of the engines that keep one.
 */
export function trainingMemoryBytes(shape: TrainingShape): number {
  const { layerSizes, samples, threads } = shape;
  let parameters = 0;
  let neurons = 0;
  for (let l = 1; l < layerSizes.length; l++) {
    parameters += layerSizes[l] * (layerSizes[l - 1] + 1);
    neurons += layerSizes[l];
  }
  const copies = PARAMETER_COPIES + (shape.extraParameterCopies ?? 0);
  const blocks = 8 * BLOCK_SAMPLES * neurons * 3 * threads; // Z, A and Δ of one block per thread
  const paired = (shape.pairedSamples ?? 0) * layerSizes[0] * PAIRED_BYTES_PER_PIXEL;
  return 8 * parameters * copies + samples * layerSizes[0] * BYTES_PER_PIXEL + blocks + paired;
}

/** Bytes in words: "800 MB", "1.9 GB". */
function inWords(bytes: number): string {
  return bytes >= 1e9
    ? `${Number((bytes / 1e9).toPrecision(2))} GB`
    : `${Math.round(bytes / 1e6)} MB`;
}

/**
 * Refuses, with an MnnError of kind 'limit', a run whose estimated memory is over MEMORY_SHARE of
 * `availableBytes` (the machine's memory, or its container's limit): better a clear refusal
 * before training than an allocation failure or the system killing it part-way.
 */
export function checkTrainingMemory(
  shape: TrainingShape & { readonly availableBytes: number },
): void {
  const needed = trainingMemoryBytes(shape);
  const limit = shape.availableBytes * MEMORY_SHARE;
  if (needed <= limit) return;
  throw new MnnError(
    `training a ${shape.layerSizes.join('-')} network on ${shape.samples} samples with ${shape.threads} threads needs about ${inWords(needed)} of memory, ` +
      `over the limit of ${inWords(limit)} (${MEMORY_SHARE * 100}% of the ${inWords(shape.availableBytes)} this machine has)`,
    { kind: 'limit', option: 'layerSizes', hint: 'use smaller layers or fewer threads' },
  );
}
