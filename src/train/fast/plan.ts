/**
 * The fixed shape of one fast-engine pass: how samples are cut into blocks and chunks, how the
 * first layer's neurons are cut into register groups, and where every parameter lives in the
 * flat vector shared with the workers. Nothing here depends on the thread count, which is what
 * makes the results byte-identical for any number of threads.
 */
import type { FloatArray } from './input-kernels.js';
import type { Precision } from './wasm-module.js';
import { floatType } from './wasm-module.js';

/** Samples per block: forward and backward of one block run while its data is in cache. */
export const DEFAULT_BLOCK_SIZE = 128;
/** The block's sample index is stored as one byte in the pixel-major (CSC) input. */
export const MAX_BLOCK_SIZE = 256;
/** Chunks per pass: each owns a partial gradient, summed in chunk order at the end. */
export const MAX_CHUNKS = 24;
/**
 * Samples per chunk of a batch, at least: a batch of 128 is 2 chunks, so 2 threads share it,
 * while each chunk's partial gradient (a whole parameter vector to clear and add) stays worth it.
 */
export const CHUNK_SAMPLES = 64;
/** Parameters per slice of a later layer's W when sums are added or updates made slice by slice. */
export const SLICE_ELEMENTS = 16384;
/** Most v128 accumulators of a first-layer group: they must all fit in registers. */
export const GROUP_VECTORS = 6;
/**
 * Vectors per sample (or pixel) of a paired group: its kernels take two samples (forward) or two
 * pixels (backward) at once, 2 × PAIRED_VECTORS accumulators sharing each row they load.
 */
export const PAIRED_VECTORS = 4;
/** Bytes of a paired group's row of weights or of Δ⁽¹⁾ (PAIRED_VECTORS v128). */
export const PAIRED_ROW_BYTES = 16 * PAIRED_VECTORS;
/** Most neurons per first-layer group in f64 (two per accumulator). */
export const MAX_GROUP_WIDTH = 2 * GROUP_VECTORS;

/** Most neurons per first-layer group in `precision`: GROUP_VECTORS accumulators' lanes. */
export function maxGroupWidth(precision: Precision): number {
  return GROUP_VECTORS * floatType(precision).lanes;
}

/** One group of first-layer neurons handled by one generated kernel. */
export interface NeuronGroup {
  /** Index of the group's first neuron in layer 1. */
  readonly first: number;
  readonly width: number;
  /** Where the group's n₀ × width block of (W⁽¹⁾)ᵀ starts in the parameter vector. */
  readonly weightOffset: number;
  /**
   * PAIRED_VECTORS whole vectors wide: passes over the whole set use the paired kernels
   * (batches the single ones, which give the same sums).
   */
  readonly paired: boolean;
}

/** Block, chunk, group and parameter-vector layout for one dataset size and architecture. */
export interface PassPlan {
  readonly layerSizes: readonly number[];
  /** What the kernels compute in; parameters, gradients and optimizer state are always f64. */
  readonly precision: Precision;
  readonly sampleCount: number;
  readonly blockSize: number;
  readonly blockCount: number;
  readonly chunkCount: number;
  /** Layer 1's neurons in register groups; (W⁽¹⁾)ᵀ is stored group by group. */
  readonly groups: readonly NeuronGroup[];
  /** Offset of W⁽ℓ⁾ (ℓ ≥ 2, row-major as in Parameters) at index ℓ−1; index 0 is layer 1's start. */
  readonly weightOffsets: readonly number[];
  /** Offset of b⁽ℓ⁾ at index ℓ−1. */
  readonly biasOffsets: readonly number[];
  /** Length of the parameter vector (and of each chunk's partial gradient). */
  readonly parameterCount: number;
  /** Offset of (W⁽ℓ⁾)ᵀ (ℓ ≥ 2, n_{ℓ−1} × n_ℓ) in the forward-weights vector at index ℓ−1; index 0 unused. */
  readonly transposedOffsets: readonly number[];
  /** Length of the forward-weights vector. */
  readonly transposedCount: number;
  /** The parameter vector cut into slices that threads add up and update independently. */
  readonly slices: readonly ParameterSlice[];
}

/**
 * A range [start, start + length) of the parameter vector, the same in the plan's order and in
 * the caller's (Parameters, row-major): a first-layer group's (its rows of W⁽¹⁾, or its block of
 * (W⁽¹⁾)ᵀ), a block of rows of a later W⁽ℓ⁾, or all the biases.
 */
export type ParameterSlice =
  | {
      readonly kind: 'group';
      readonly start: number;
      readonly length: number;
      readonly group: number;
    }
  | {
      readonly kind: 'rows';
      readonly start: number;
      readonly length: number;
      /** ℓ ≥ 2, and the slice's rows of W⁽ℓ⁾. */
      readonly layer: number;
      readonly firstRow: number;
      readonly rowCount: number;
    }
  | { readonly kind: 'biases'; readonly start: number; readonly length: number };

/** Splits `count` items into `parts` near-equal consecutive ranges; returns part p's start. */
export function rangeStart(count: number, parts: number, p: number): number {
  return Math.floor((p * count) / parts);
}

/**
 * Cuts `width` neurons into the fewest groups of at most GROUP_VECTORS vectors of `lanes`, as
 * even as possible in whole vectors (only the last group may end in a part vector): a neuron
 * left over costs a scalar accumulator, as much as a vector of them.
 */
function singleGroups(
  inputSize: number,
  first: number,
  width: number,
  lanes: number,
): NeuronGroup[] {
  const vectors = Math.ceil(width / lanes);
  const groupCount = Math.ceil(vectors / GROUP_VECTORS);
  const groups: NeuronGroup[] = [];
  for (let g = 0; g < groupCount; g++) {
    const start = first + lanes * rangeStart(vectors, groupCount, g);
    const next = first + Math.min(width, lanes * rangeStart(vectors, groupCount, g + 1));
    groups.push({
      first: start,
      width: next - start,
      weightOffset: inputSize * start,
      paired: false,
    });
  }
  return groups;
}

/**
 * True when a plan's first layer can use paired groups: at least two of them, an even number of
 * pixels (pixel pairs) and even blocks (sample pairs inside blocks).
 */
function pairable(inputSize: number, width: number, lanes: number, blockSize: number): boolean {
  return inputSize % 2 === 0 && blockSize % 2 === 0 && width >= 2 * PAIRED_VECTORS * lanes;
}

/**
 * True when a plan for `layerSizes` in `precision` (blocks of DEFAULT_BLOCK_SIZE) has paired
 * groups: an engine that passes over its whole set then builds the paired input.
 */
export function pairsFirstLayer(layerSizes: readonly number[], precision: Precision): boolean {
  const lanes = floatType(precision).lanes;
  return pairable(layerSizes[0], layerSizes[1], lanes, DEFAULT_BLOCK_SIZE);
}

/**
 * Layer 1's neurons in groups: paired groups of PAIRED_VECTORS vectors where the plan can use
 * them, the neurons left over in single groups; else single groups only.
 */
function neuronGroups(
  inputSize: number,
  width: number,
  lanes: number,
  blockSize: number,
): NeuronGroup[] {
  if (!pairable(inputSize, width, lanes, blockSize))
    return singleGroups(inputSize, 0, width, lanes);
  const pairedWidth = PAIRED_VECTORS * lanes;
  const pairedCount = Math.floor(width / pairedWidth);
  const paired = Array.from({ length: pairedCount }, (_, g) => ({
    first: g * pairedWidth,
    width: pairedWidth,
    weightOffset: inputSize * g * pairedWidth,
    paired: true,
  }));
  const rest = width - pairedCount * pairedWidth;
  return rest === 0
    ? paired
    : [...paired, ...singleGroups(inputSize, pairedCount * pairedWidth, rest, lanes)];
}

/** The slices of the parameter vector: groups of W⁽¹⁾, row blocks of later W⁽ℓ⁾, the biases. */
function parameterSlices(
  layerSizes: readonly number[],
  groups: readonly NeuronGroup[],
  weightOffsets: readonly number[],
  biasStart: number,
  parameterCount: number,
): ParameterSlice[] {
  const n0 = layerSizes[0];
  const slices: ParameterSlice[] = groups.map((group, g) => ({
    kind: 'group',
    start: group.weightOffset,
    length: n0 * group.width,
    group: g,
  }));
  for (let l = 2; l < layerSizes.length; l++) {
    const [nOut, nIn] = [layerSizes[l], layerSizes[l - 1]];
    const parts = Math.ceil((nOut * nIn) / SLICE_ELEMENTS);
    for (let part = 0; part < parts; part++) {
      const firstRow = rangeStart(nOut, parts, part);
      const rowCount = rangeStart(nOut, parts, part + 1) - firstRow;
      const start = weightOffsets[l - 1] + firstRow * nIn;
      slices.push({ kind: 'rows', start, length: rowCount * nIn, layer: l, firstRow, rowCount });
    }
  }
  slices.push({ kind: 'biases', start: biasStart, length: parameterCount - biasStart });
  return slices;
}

/** Chunks of a batch of `sampleCount` samples: never fewer than 1 nor more than MAX_CHUNKS. */
export function batchChunkCount(sampleCount: number): number {
  return Math.max(1, Math.min(MAX_CHUNKS, Math.ceil(sampleCount / CHUNK_SAMPLES)));
}

/** Plans a pass over `sampleCount` samples for `layerSizes` ([n₀, …, n_L]) in `precision`. */
export function planPass(
  layerSizes: readonly number[],
  sampleCount: number,
  blockSize: number,
  precision: Precision = 'f64',
): PassPlan {
  const blockCount = Math.ceil(sampleCount / blockSize);
  const weightOffsets: number[] = [];
  const biasOffsets: number[] = [];
  let offset = 0;
  for (let l = 1; l < layerSizes.length; l++) {
    weightOffsets.push(offset);
    offset += layerSizes[l] * layerSizes[l - 1];
  }
  for (let l = 1; l < layerSizes.length; l++) {
    biasOffsets.push(offset);
    offset += layerSizes[l];
  }
  const transposedOffsets = [0];
  let transposedCount = 0;
  for (let l = 2; l < layerSizes.length; l++) {
    transposedOffsets.push(transposedCount);
    transposedCount += layerSizes[l] * layerSizes[l - 1];
  }
  const groups = neuronGroups(layerSizes[0], layerSizes[1], floatType(precision).lanes, blockSize);
  return {
    layerSizes,
    precision,
    sampleCount,
    blockSize,
    blockCount,
    chunkCount: Math.min(blockCount, MAX_CHUNKS),
    groups,
    weightOffsets,
    biasOffsets,
    parameterCount: offset,
    transposedOffsets,
    transposedCount,
    slices: parameterSlices(layerSizes, groups, weightOffsets, biasOffsets[0], offset),
  };
}

/**
 * Views of the parts of one vector in plan order: a chunk's gradient sums (layer 1 by group,
 * as (W⁽¹⁾)ᵀ), or a parameter slot (layer 1 row-major, as in Parameters; the group views are
 * then not meaningful, the rest is the same).
 */
export interface VectorViews<T extends FloatArray = Float64Array> {
  /** Layer 1 by neuron group: the group's n₀ × width block of (W⁽¹⁾)ᵀ. */
  readonly groupWeights: readonly T[];
  /** The group's part of b⁽¹⁾. */
  readonly groupBiases: readonly T[];
  /** W⁽ℓ⁾ (n_ℓ × n_{ℓ−1}, row-major) at index ℓ−1; index 0 is layer 1's whole grouped block. */
  readonly W: readonly T[];
  /** b⁽ℓ⁾ at index ℓ−1. */
  readonly b: readonly T[];
  /** Each of plan.slices. */
  readonly slices: readonly T[];
}

/** The parts of `vector` (at least plan.parameterCount long, from its start) as views. */
export function vectorViews<T extends FloatArray>(plan: PassPlan, vector: T): VectorViews<T> {
  const sizes = plan.layerSizes;
  // A subarray has the type of its array (TypeScript types it as the union).
  const view = (offset: number, length: number) => vector.subarray(offset, offset + length) as T;
  return {
    groupWeights: plan.groups.map((g) => view(g.weightOffset, sizes[0] * g.width)),
    groupBiases: plan.groups.map((g) => view(plan.biasOffsets[0] + g.first, g.width)),
    W: plan.weightOffsets.map((offset, l) => view(offset, sizes[l + 1] * sizes[l])),
    b: plan.biasOffsets.map((offset, l) => view(offset, sizes[l + 1])),
    slices: plan.slices.map((slice) => view(slice.start, slice.length)),
  };
}
