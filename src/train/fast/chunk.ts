import { scaledMaskRow } from '../../nn/dropout.js';
import type { CostKernels } from './cost-kernels.js';
import { costKernels } from './cost-kernels.js';
import type { DenseKernels } from './dense-kernels.js';
import { denseKernels } from './dense-kernels.js';
import type {
  ColumnSlice,
  FloatArray,
  InputKernels,
  PairedEntries,
  PairedKernels,
  SparseColumns,
  SparseRows,
} from './input-kernels.js';
import { inputKernels, pairedInputKernels } from './input-kernels.js';
import type { PassPlan, VectorViews } from './plan.js';
import { batchChunkCount, rangeStart, vectorViews } from './plan.js';
import type { ParameterSlots } from './slots.js';
import type { GatherKernels } from './gather-kernels.js';
import type { TileKernels } from './tile-kernels.js';
import { tileKernels } from './tile-kernels.js';
import { gatherKernels } from './gather-kernels.js';
import type { SparseBlock, SparseInput } from './sparse-input.js';
import type { SharedStep, StepArrays } from './step.js';
import { SampleSource } from './step.js';
import type { Arithmetic } from './wasm-module.js';
import type { WasmMemory } from './wasm.js';

/** The memory every thread shares: inputs, parameters' forward copies, partial results, control. */
export interface SharedPass {
  readonly plan: PassPlan;
  /** The shared WebAssembly memory that holds everything below. */
  readonly memory: WasmMemory;
  readonly input: SparseInput;
  /** What the kernels compute in (precision: plan.precision), the same in every thread. */
  readonly arithmetic: Arithmetic;
  /** (W⁽¹⁾)ᵀ/255 group by group (plan layout), read by the first-layer forward kernels. */
  readonly firstLayerWeights: FloatArray;
  /** (W⁽ℓ⁾)ᵀ for ℓ ≥ 2 at plan.transposedOffsets, read by the dense forward kernel. */
  readonly transposed: FloatArray;
  /**
   * In f32 only (else empty): W⁽ℓ⁾ for ℓ ≥ 2, row-major, at plan.transposedOffsets, and every
   * b⁽ℓ⁾ as in the parameter vector's bias part: the f32 parameters the kernels read.
   */
  readonly narrowWeights: Float32Array;
  readonly narrowBiases: Float32Array;
  /**
   * In f32 only (else empty): Adam's M and S of W⁽¹⁾ in f32, n₀ × width by group as the chunk
   * sums are (step.ts, f32Moments); while the engine holds them they are newer than the state
   * slots' own W⁽¹⁾ parts, which FastEngine.sync brings up to date.
   */
  readonly firstLayerMoments: { readonly M: Float32Array; readonly S: Float32Array };
  /** Chunk c's un-normalized gradient sums at c·parameterCount, in plan order. */
  readonly partials: FloatArray;
  /** Per chunk: Σ −log softmax(Z⁽ᴸ⁾)_label over its samples. */
  readonly chunkLoss: Float64Array;
  /** Per chunk: how many of its samples were classified correctly. */
  readonly chunkCorrect: Int32Array;
  /** Per thread slot: the block matrices of the thread running in it. */
  readonly scratch: readonly BlockScratch[];
  /** Where the parameter slots are (slots.ts). */
  readonly slotTable: Int32Array;
  /** The phase in progress (step.ts). */
  readonly step: StepArrays;
  /** The thread pool's counters (pool.ts). */
  readonly control: Int32Array;
}

/** One thread's working memory for a block of samples. */
export interface BlockScratch {
  /** Z⁽ℓ⁾, A⁽ℓ⁾, Δ⁽ℓ⁾ and the dropout factors R⁽ℓ⁾/(1 − p) at index ℓ−1, each (block × n_ℓ). */
  readonly Z: readonly FloatArray[];
  readonly A: readonly FloatArray[];
  readonly delta: readonly FloatArray[];
  readonly masks: readonly FloatArray[];
  /** The block's samples gathered from the sparse input (batches). */
  readonly block: SparseBlock;
  /** One first-layer group's columns of Δ⁽¹⁾ copied for the backward kernels (block × width). */
  readonly deltaCopy: FloatArray;
  /** One first-layer group's sums (n₀ × width), for the reduce phase. */
  readonly groupSums: Float64Array;
  /** Per sample of the block: Σ exp(Z⁽ᴸ⁾ − max) and the argmax of Z⁽ᴸ⁾ (the softmax kernel's). */
  readonly softmaxSums: Float64Array;
  readonly argmaxes: Int32Array;
}

/** What the kernels read of the parameters: W⁽ℓ⁾ (ℓ ≥ 2, row-major) and the biases. */
interface KernelParameters {
  /** At index ℓ−1; index 0 is not read. */
  readonly W: readonly FloatArray[];
  readonly b: readonly FloatArray[];
  readonly groupBiases: readonly FloatArray[];
}

/** The f32 parameters of the pass (narrowWeights, narrowBiases) as KernelParameters. */
function narrowParameters(pass: SharedPass): KernelParameters {
  const { plan, narrowWeights, narrowBiases } = pass;
  const sizes = plan.layerSizes;
  const b = plan.biasOffsets.map((offset, l) => {
    const start = offset - plan.biasOffsets[0];
    return narrowBiases.subarray(start, start + sizes[l + 1]);
  });
  return {
    W: plan.transposedOffsets.map((offset, l) =>
      narrowWeights.subarray(offset, l === 0 ? offset : offset + sizes[l + 1] * sizes[l]),
    ),
    b,
    groupBiases: plan.groups.map((group) => b[0].subarray(group.first, group.first + group.width)),
  };
}

/**
 * Where a block's samples are: rows from `firstRow`, block `columnBlock` of the columns, labels
 * from `firstLabel`. The runner moves its source of the whole set from block to block.
 */
interface BlockSource {
  readonly rows: SparseRows;
  firstRow: number;
  readonly columns: SparseColumns;
  columnBlock: number;
  readonly labels: Uint8Array;
  firstLabel: number;
  /**
   * The same samples by pairs (the whole set's) and the kernels that read them, for the paired
   * groups; none for batches.
   */
  readonly paired:
    | {
        readonly rows: PairedEntries;
        readonly columns: PairedEntries;
        readonly kernels: PairedKernels;
      }
    | undefined;
}

/**
 * Runs forward (and backward) over whole chunks of samples, one block at a time, into the
 * chunk's partial gradient, loss sum and correct count. One per thread; a chunk's result
 * depends only on the chunk, never on which thread ran it.
 */
export class ChunkRunner {
  private readonly layerSizes: readonly number[];
  private readonly scratch: BlockScratch;
  /** Each first-layer group's columns of Z⁽¹⁾ and Δ⁽¹⁾. */
  private readonly groupZ: readonly ColumnSlice[];
  private readonly groupDelta: readonly ColumnSlice[];
  /** The groups' blocks of (W⁽¹⁾)ᵀ/255. */
  private readonly groupWeights: readonly FloatArray[];
  /** (W⁽ℓ⁾)ᵀ at index ℓ−1 for ℓ ≥ 2. */
  private readonly transposed: readonly FloatArray[];
  /** In f32, the f32 parameters; in f64 the kernels read the parameter slot itself. */
  private readonly narrowed: KernelParameters | undefined;
  /** Each chunk's partial gradient. */
  private readonly partials: readonly VectorViews<FloatArray>[];
  /** Row s of each layer's dropout factors, at [ℓ−1][s]. */
  private readonly maskRows: readonly (readonly FloatArray[])[];
  /** The sources of a block of the whole set (moved block by block) and of a gathered block. */
  private readonly globalBlocks: BlockSource;
  private readonly gatheredBlock: BlockSource;
  private readonly kernels: InputKernels[];
  private readonly dense: DenseKernels;
  private readonly tiles: TileKernels;
  private readonly gather: GatherKernels;
  private readonly cost: CostKernels;
  private loss = 0;
  private correct = 0;

  /** A runner using thread slot `slot`'s working memory. */
  constructor(
    private readonly pass: SharedPass,
    slot: number,
    private readonly slots: ParameterSlots,
    private readonly step: SharedStep,
  ) {
    const { plan, input } = pass;
    const sizes = plan.layerSizes;
    this.layerSizes = sizes;
    this.scratch = pass.scratch[slot];
    const slice = (matrix: FloatArray, column: number) => ({
      matrix,
      column,
      rowLength: sizes[1],
    });
    this.groupZ = plan.groups.map((group) => slice(this.scratch.Z[0], group.first));
    this.groupDelta = plan.groups.map((group) => slice(this.scratch.delta[0], group.first));
    this.groupWeights = vectorViews(plan, pass.firstLayerWeights).groupWeights;
    this.transposed = plan.transposedOffsets.map((offset, l) =>
      pass.transposed.subarray(offset, l === 0 ? offset : offset + sizes[l + 1] * sizes[l]),
    );
    this.narrowed = plan.precision === 'f32' ? narrowParameters(pass) : undefined;
    this.partials = Array.from({ length: pass.chunkLoss.length }, (_, c) =>
      vectorViews<FloatArray>(plan, pass.partials.subarray(c * plan.parameterCount)),
    );
    this.maskRows = this.scratch.masks.map((mask, l) =>
      Array.from({ length: plan.blockSize }, (_, s) =>
        mask.subarray(s * sizes[l + 1], (s + 1) * sizes[l + 1]),
      ),
    );
    const { rows, columns, labels } = input;
    const start = { firstRow: 0, columnBlock: 0, firstLabel: 0 };
    // The paired kernels are compiled only where there is a paired input to read.
    const paired =
      input.paired === undefined
        ? undefined
        : { ...input.paired, kernels: pairedInputKernels(pass.memory, pass.arithmetic) };
    this.globalBlocks = { rows, columns, labels, paired, ...start };
    const { block } = this.scratch;
    this.gatheredBlock = { ...block, paired: undefined, ...start };
    this.kernels = plan.groups.map((group) =>
      inputKernels(group.width, pass.memory, pass.arithmetic),
    );
    this.dense = denseKernels(pass.memory, pass.arithmetic);
    this.tiles = tileKernels(pass.memory, pass.arithmetic);
    this.gather = gatherKernels(pass.memory);
    this.cost = costKernels(pass.memory, plan.precision);
  }

  /**
   * Forward and backward over chunk `chunk` of the compute phase: its partial gradient (the sums
   * of ∂C/∂θ over its samples), loss sum and correct count.
   */
  computeChunk(chunk: number): void {
    const { plan, partials } = this.pass;
    // The first block's first-layer kernels fill W⁽¹⁾'s sums; the rest of the sums start at 0.
    const start = chunk * plan.parameterCount;
    const firstLayer = plan.layerSizes[0] * plan.layerSizes[1];
    partials.fill(0, start + firstLayer, start + plan.parameterCount);
    this.runChunk(chunk, this.partials[chunk]);
  }

  /** Forward only over chunk `chunk` of the evaluate phase: its loss sum and correct count. */
  evaluateChunk(chunk: number): void {
    this.runChunk(chunk, undefined);
  }

  /** Runs the blocks of a chunk (all samples in the plan's blocks, or a slice of the batch). */
  private runChunk(chunk: number, gradient: VectorViews<FloatArray> | undefined): void {
    const { plan, input } = this.pass;
    const step = this.step;
    const params = this.narrowed ?? this.slots.get(step.paramsSlot).parts;
    this.loss = 0;
    this.correct = 0;
    if (step.source === SampleSource.all) {
      const firstBlock = rangeStart(plan.blockCount, step.chunkCount, chunk);
      const endBlock = rangeStart(plan.blockCount, step.chunkCount, chunk + 1);
      for (let block = firstBlock; block < endBlock; block++) {
        const first = block * plan.blockSize;
        const count = Math.min(plan.blockSize, plan.sampleCount - first);
        const source = this.globalBlocks;
        [source.firstRow, source.columnBlock, source.firstLabel] = [first, block, first];
        this.runBlock(source, count, params, gradient, false, block === firstBlock);
      }
    } else {
      const { samples, shifts } = step.arrays;
      const dropout = gradient === undefined ? undefined : step.dropout;
      const start = rangeStart(step.sampleCount, step.chunkCount, chunk);
      const end = rangeStart(step.sampleCount, step.chunkCount, chunk + 1);
      for (let first = start; first < end; first += plan.blockSize) {
        const count = Math.min(plan.blockSize, end - first);
        const blockShifts = step.shifted ? shifts : undefined;
        this.gather.gather(this.scratch.block, input, samples, first, count, blockShifts);
        if (dropout !== undefined) this.fillMasks(dropout, samples, first, count);
        this.runBlock(
          this.gatheredBlock,
          count,
          params,
          gradient,
          dropout !== undefined,
          first === start,
        );
      }
    }
    this.pass.chunkLoss[chunk] = this.loss;
    this.pass.chunkCorrect[chunk] = this.correct;
  }

  /** R⁽ℓ⁾/(1 − p) of every hidden layer for the block's samples (docs/math.md, dropout). */
  private fillMasks(
    dropout: { rate: number; seed: number; step: number },
    samples: Uint32Array,
    first: number,
    count: number,
  ): void {
    for (let l = 1; l < this.layerSizes.length - 1; l++) {
      const rows = this.maskRows[l - 1];
      for (let s = 0; s < count; s++) scaledMaskRow(dropout, samples[first + s], l, rows[s]);
    }
  }

  /**
   * Forward, cost and (with a gradient to add to) backward over one block, the first of its chunk
   * when `first`.
   */
  private runBlock(
    source: BlockSource,
    count: number,
    params: KernelParameters,
    gradient: VectorViews<FloatArray> | undefined,
    dropout: boolean,
    first: boolean,
  ): void {
    this.forward(source, count, params, dropout);
    this.softmaxCrossEntropy(source, count);
    if (gradient !== undefined) this.backward(source, count, params, gradient, dropout, first);
  }

  /**
   * Z⁽ℓ⁾ = W⁽ℓ⁾A⁽ℓ⁻¹⁾ + B⁽ℓ⁾ and A⁽ℓ⁾ = ReLU(Z⁽ℓ⁾) for ℓ < L over one block (docs/math.md, Forward),
   * with A⁽ℓ⁾ ← A⁽ℓ⁾ ⊙ R⁽ℓ⁾/(1 − p) under dropout.
   */
  private forward(
    source: BlockSource,
    count: number,
    params: KernelParameters,
    dropout: boolean,
  ): void {
    const { Z, A, masks } = this.scratch;
    const sizes = this.layerSizes;
    const { groups } = this.pass.plan;
    const { paired } = source;
    this.kernels.forEach((kernels, g) => {
      const [z, weights, bias] = [this.groupZ[g], this.groupWeights[g], params.groupBiases[g]];
      if (paired !== undefined && groups[g].paired) {
        paired.kernels.forward(z, paired.rows, source.firstRow, count, weights, bias);
      } else {
        kernels.forward(z, source.rows, source.firstRow, count, weights, bias);
      }
    });
    for (let l = 2; l < sizes.length; l++) {
      const length = count * sizes[l - 1];
      this.dense.relu(A[l - 2], Z[l - 2], length);
      if (dropout) this.dense.multiply(A[l - 2], masks[l - 2], length);
      this.tiles.forward(
        Z[l - 1],
        this.transposed[l - 1],
        params.b[l - 1],
        A[l - 2],
        count,
        sizes[l],
        sizes[l - 1],
      );
    }
  }

  /**
   * Softmax of Z⁽ᴸ⁾ per sample, the cost terms −log A⁽ᴸ⁾_label = logsumexp(Z) − Z_label (docs/math.md,
   * Cost), the argmax count, and Δ⁽ᴸ⁾ = A⁽ᴸ⁾ − Y (docs/math.md, Backward): all but the log and the
   * running sums in the cost kernel (cost-kernels.ts).
   */
  private softmaxCrossEntropy(source: BlockSource, count: number): void {
    const L = this.layerSizes.length - 1;
    const nL = this.layerSizes[L];
    const Z = this.scratch.Z[L - 1];
    const { softmaxSums, argmaxes } = this.scratch;
    const { labels, firstLabel } = source;
    this.cost.softmax(
      Z,
      this.scratch.delta[L - 1],
      labels,
      firstLabel,
      count,
      nL,
      softmaxSums,
      argmaxes,
    );
    for (let s = 0; s < count; s++) {
      const row = s * nL;
      const label = labels[firstLabel + s];
      const argmax = argmaxes[s];
      // −log softmax(Z)_label = max + log Σ exp(Z − max) − Z_label
      this.loss += Z[row + argmax] + Math.log(softmaxSums[s]) - Z[row + label];
      if (argmax === label) this.correct++;
    }
  }

  /**
   * Δ⁽ℓ⁻¹⁾ and the gradient sums of every layer over one block, from ℓ = L down to 1 (docs/math.md,
   * Backward), with Δ⁽ℓ⁾ ← Δ⁽ℓ⁾ ⊙ R⁽ℓ⁾/(1 − p) under dropout.
   */
  private backward(
    source: BlockSource,
    count: number,
    params: KernelParameters,
    gradient: VectorViews<FloatArray>,
    dropout: boolean,
    first: boolean,
  ): void {
    const { Z, A, delta, masks } = this.scratch;
    const sizes = this.layerSizes;
    for (let l = sizes.length - 1; l >= 2; l--) {
      const [nOut, nIn] = [sizes[l], sizes[l - 1]];
      this.tiles.gradient(gradient.W[l - 1], delta[l - 1], A[l - 2], count, nOut, nIn);
      this.dense.biasGradient(gradient.b[l - 1], delta[l - 1], count, nOut);
      this.tiles.backDelta(delta[l - 2], params.W[l - 1], delta[l - 1], Z[l - 2], count, nOut, nIn);
      if (dropout) this.dense.multiply(delta[l - 2], masks[l - 2], count * nIn);
    }
    this.dense.biasGradient(gradient.b[0], delta[0], count, sizes[1]);
    const { groups } = this.pass.plan;
    const { paired, columnBlock } = source;
    const { deltaCopy } = this.scratch;
    this.kernels.forEach((kernels, g) => {
      const sums = gradient.groupWeights[g];
      const rest = [columnBlock, sizes[0], this.groupDelta[g], count, deltaCopy, first] as const;
      if (paired !== undefined && groups[g].paired) {
        paired.kernels.backward(sums, paired.columns, ...rest);
      } else {
        kernels.backward(sums, source.columns, ...rest);
      }
    });
  }
}

/** How many chunks the partial gradients must hold for a plan: its own, or a whole-set batch's. */
export function chunkCapacity(plan: PassPlan): number {
  return Math.max(plan.chunkCount, batchChunkCount(plan.sampleCount));
}
