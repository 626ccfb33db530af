/**
 * The fixed shape of one fast-engine pass: how samples are cut into blocks and chunks, how the
 * first layer's neurons are cut into register groups, and where every parameter lives in the
 * flat vector shared with the workers. Nothing here depends on the thread count, which is what
 * makes the results byte-identical for any number of threads.
 */

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
/** Most neurons per first-layer group: their accumulators must fit in registers. */
export const MAX_GROUP_WIDTH = 12;

/** One group of first-layer neurons handled by one generated kernel. */
export interface NeuronGroup {
  /** Index of the group's first neuron in layer 1. */
  readonly first: number;
  readonly width: number;
  /** Where the group's n₀ × width block of (W⁽¹⁾)ᵀ starts in the parameter vector. */
  readonly weightOffset: number;
}

/** Block, chunk, group and parameter-vector layout for one dataset size and architecture. */
export interface PassPlan {
  readonly layerSizes: readonly number[];
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

/** Cuts `width` neurons into the fewest groups of at most MAX_GROUP_WIDTH, as even as possible. */
function neuronGroups(inputSize: number, width: number): NeuronGroup[] {
  const groupCount = Math.ceil(width / MAX_GROUP_WIDTH);
  const groups: NeuronGroup[] = [];
  for (let g = 0; g < groupCount; g++) {
    const first = rangeStart(width, groupCount, g);
    const next = rangeStart(width, groupCount, g + 1);
    groups.push({ first, width: next - first, weightOffset: inputSize * first });
  }
  return groups;
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

/** Plans a pass over `sampleCount` samples for `layerSizes` ([n₀, …, n_L]). */
export function planPass(
  layerSizes: readonly number[],
  sampleCount: number,
  blockSize: number,
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
  const groups = neuronGroups(layerSizes[0], layerSizes[1]);
  return {
    layerSizes,
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
export interface VectorViews {
  /** Layer 1 by neuron group: the group's n₀ × width block of (W⁽¹⁾)ᵀ. */
  readonly groupWeights: readonly Float64Array[];
  /** The group's part of b⁽¹⁾. */
  readonly groupBiases: readonly Float64Array[];
  /** W⁽ℓ⁾ (n_ℓ × n_{ℓ−1}, row-major) at index ℓ−1; index 0 is layer 1's whole grouped block. */
  readonly W: readonly Float64Array[];
  /** b⁽ℓ⁾ at index ℓ−1. */
  readonly b: readonly Float64Array[];
  /** Each of plan.slices. */
  readonly slices: readonly Float64Array[];
}

/** The parts of `vector` (at least plan.parameterCount long, from its start) as views. */
export function vectorViews(plan: PassPlan, vector: Float64Array): VectorViews {
  const sizes = plan.layerSizes;
  const view = (offset: number, length: number) => vector.subarray(offset, offset + length);
  return {
    groupWeights: plan.groups.map((g) => view(g.weightOffset, sizes[0] * g.width)),
    groupBiases: plan.groups.map((g) => view(plan.biasOffsets[0] + g.first, g.width)),
    W: plan.weightOffsets.map((offset, l) => view(offset, sizes[l + 1] * sizes[l])),
    b: plan.biasOffsets.map((offset, l) => view(offset, sizes[l + 1])),
    slices: plan.slices.map((slice) => view(slice.start, slice.length)),
  };
}
