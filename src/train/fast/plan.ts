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
}

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
  return {
    layerSizes,
    sampleCount,
    blockSize,
    blockCount,
    chunkCount: Math.min(blockCount, MAX_CHUNKS),
    groups: neuronGroups(layerSizes[0], layerSizes[1]),
    weightOffsets,
    biasOffsets,
    parameterCount: offset,
    transposedOffsets,
    transposedCount,
  };
}

/** Views of the parts of one vector in plan order (the parameters, or one chunk's gradient sums). */
export interface VectorViews {
  /** Layer 1 by neuron group: the group's n₀ × width block of (W⁽¹⁾)ᵀ. */
  readonly groupWeights: readonly Float64Array[];
  /** The group's part of b⁽¹⁾. */
  readonly groupBiases: readonly Float64Array[];
  /** W⁽ℓ⁾ (n_ℓ × n_{ℓ−1}, row-major) at index ℓ−1; index 0 is layer 1's whole grouped block. */
  readonly W: readonly Float64Array[];
  /** b⁽ℓ⁾ at index ℓ−1. */
  readonly b: readonly Float64Array[];
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
  };
}
