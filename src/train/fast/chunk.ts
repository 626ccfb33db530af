import type { ColumnSlice, InputKernels } from './input-kernels.js';
import { inputKernels } from './input-kernels.js';
import type { DenseKernels } from './dense-kernels.js';
import { denseKernels } from './dense-kernels.js';
import type { PassPlan, VectorViews } from './plan.js';
import { rangeStart, vectorViews } from './plan.js';
import type { SparseInput } from './sparse-input.js';
import type { WasmMemory } from './wasm.js';

/** The memory every thread shares: inputs, parameters, and one partial result per chunk. */
export interface SharedPass {
  readonly plan: PassPlan;
  /** The shared WebAssembly memory that holds the input, parameters, partials and Z⁽¹⁾, Δ⁽¹⁾. */
  readonly memory: WasmMemory;
  readonly input: SparseInput;
  /** The parameter vector in plan order; layer 1 holds (W⁽¹⁾)ᵀ/255 group by group. */
  readonly parameters: Float64Array;
  /** chunkCount × parameterCount: chunk c's un-normalized gradient sums at c·parameterCount. */
  readonly partials: Float64Array;
  /** The chunk sums added together, in chunk order (main thread only). */
  readonly totals: Float64Array;
  /** Per chunk: Σ −log softmax(Z⁽ᴸ⁾)_label over its samples. */
  readonly chunkLoss: Float64Array;
  /** Per chunk: how many of its samples were classified correctly. */
  readonly chunkCorrect: Int32Array;
  /** (W⁽ℓ⁾)ᵀ for ℓ ≥ 2 at plan.transposedOffsets, read by the dense forward kernel. */
  readonly transposed: Float64Array;
  /** Per thread slot: the block matrices of the thread running in it. */
  readonly scratch: readonly BlockScratch[];
  /** [0]: the next chunk to claim (Atomics), reset to 0 before every pass. */
  readonly control: Int32Array;
}

/** Z⁽ℓ⁾, A⁽ℓ⁾ and Δ⁽ℓ⁾ of one block at index ℓ−1, each (block samples × n_ℓ), sample-major. */
export interface BlockScratch {
  readonly Z: readonly Float64Array[];
  readonly A: readonly Float64Array[];
  readonly delta: readonly Float64Array[];
}

/**
 * Runs forward and backward over whole chunks of samples, one block at a time, into the chunk's
 * partial gradient. One per thread; its block-sized scratch matrices are allocated once here.
 * A chunk's result depends only on the chunk, never on which thread ran it.
 */
export class ChunkRunner {
  private readonly layerSizes: readonly number[];
  /** Z⁽ℓ⁾, A⁽ℓ⁾ and Δ⁽ℓ⁾ of the current block at index ℓ−1, each (block samples × n_ℓ), sample-major. */
  private readonly Z: readonly Float64Array[];
  private readonly A: readonly Float64Array[];
  private readonly delta: readonly Float64Array[];
  /** Each first-layer group's columns of Z⁽¹⁾ and Δ⁽¹⁾. */
  private readonly groupZ: readonly ColumnSlice[];
  private readonly groupDelta: readonly ColumnSlice[];
  private readonly parameters: VectorViews;
  /** (W⁽ℓ⁾)ᵀ at index ℓ−1 for ℓ ≥ 2. */
  private readonly transposed: readonly Float64Array[];
  /** Each chunk's partial gradient. */
  private readonly partials: readonly VectorViews[];
  private readonly kernels: InputKernels[];
  private readonly dense: DenseKernels;
  private loss = 0;
  private correct = 0;

  /** A runner using thread slot `slot`'s block matrices in the shared memory. */
  constructor(
    private readonly pass: SharedPass,
    slot: number,
  ) {
    const { plan } = pass;
    const sizes = plan.layerSizes;
    this.layerSizes = sizes;
    ({ Z: this.Z, A: this.A, delta: this.delta } = pass.scratch[slot]);
    const slice = (matrix: Float64Array, column: number) => ({
      matrix,
      column,
      rowLength: sizes[1],
    });
    this.groupZ = plan.groups.map((group) => slice(this.Z[0], group.first));
    this.groupDelta = plan.groups.map((group) => slice(this.delta[0], group.first));
    this.parameters = vectorViews(plan, pass.parameters);
    this.transposed = plan.transposedOffsets.map((offset, l) =>
      pass.transposed.subarray(offset, l === 0 ? offset : offset + sizes[l + 1] * sizes[l]),
    );
    this.partials = Array.from({ length: plan.chunkCount }, (_, c) =>
      vectorViews(plan, pass.partials.subarray(c * plan.parameterCount)),
    );
    this.kernels = plan.groups.map((group) => inputKernels(group.width, pass.memory));
    this.dense = denseKernels(pass.memory);
  }

  /** Claims chunks from the shared counter until none are left. */
  runClaimedChunks(): void {
    const { control, plan } = this.pass;
    for (;;) {
      const chunk = Atomics.add(control, 0, 1);
      if (chunk >= plan.chunkCount) return;
      this.runChunk(chunk);
    }
  }

  /** Runs every block of `chunk`, writing its partial gradient, loss sum and correct count. */
  runChunk(chunk: number): void {
    const { plan, partials } = this.pass;
    const gradientBase = chunk * plan.parameterCount;
    partials.fill(0, gradientBase, gradientBase + plan.parameterCount);
    this.loss = 0;
    this.correct = 0;
    const firstBlock = rangeStart(plan.blockCount, plan.chunkCount, chunk);
    const endBlock = rangeStart(plan.blockCount, plan.chunkCount, chunk + 1);
    for (let block = firstBlock; block < endBlock; block++) {
      const first = block * plan.blockSize;
      const count = Math.min(plan.blockSize, plan.sampleCount - first);
      this.forward(first, count);
      this.softmaxCrossEntropy(first, count);
      this.backward(block, count, this.partials[chunk]);
    }
    this.pass.chunkLoss[chunk] = this.loss;
    this.pass.chunkCorrect[chunk] = this.correct;
  }

  /** Z⁽ℓ⁾ = W⁽ℓ⁾A⁽ℓ⁻¹⁾ + B⁽ℓ⁾ and A⁽ℓ⁾ = ReLU(Z⁽ℓ⁾) for ℓ < L over one block (MATH.md, Forward). */
  private forward(first: number, count: number): void {
    const { input } = this.pass;
    const { groupWeights, groupBiases, b } = this.parameters;
    const sizes = this.layerSizes;
    this.kernels.forEach((kernels, g) =>
      kernels.forward(this.groupZ[g], input.rows, first, count, groupWeights[g], groupBiases[g]),
    );
    for (let l = 2; l < sizes.length; l++) {
      const A = this.A[l - 2];
      this.dense.relu(A, this.Z[l - 2], count * sizes[l - 1]);
      this.dense.forward(
        this.Z[l - 1],
        this.transposed[l - 1],
        b[l - 1],
        A,
        count,
        sizes[l],
        sizes[l - 1],
      );
    }
  }
  /**
   * Softmax of Z⁽ᴸ⁾ per sample, the cost terms −log A⁽ᴸ⁾_label = logsumexp(Z) − Z_label (MATH.md,
   * Cost), the argmax count, and Δ⁽ᴸ⁾ = A⁽ᴸ⁾ − Y (MATH.md, Backward).
   */
  private softmaxCrossEntropy(first: number, count: number): void {
    const L = this.layerSizes.length - 1;
    const nL = this.layerSizes[L];
    const Z = this.Z[L - 1];
    const delta = this.delta[L - 1];
    const labels = this.pass.input.labels;
    for (let s = 0; s < count; s++) {
      const row = s * nL;
      const label = labels[first + s];
      let max = Z[row];
      let argmax = 0;
      for (let i = 1; i < nL; i++) {
        if (Z[row + i] > max) {
          max = Z[row + i];
          argmax = i;
        }
      }
      // The max is subtracted only for numerical stability: exp never overflows.
      let sum = 0;
      for (let i = 0; i < nL; i++) {
        const e = Math.exp(Z[row + i] - max);
        delta[row + i] = e;
        sum += e;
      }
      this.loss += max + Math.log(sum) - Z[row + label];
      if (argmax === label) this.correct++;
      const inverse = 1 / sum;
      for (let i = 0; i < nL; i++) delta[row + i] *= inverse;
      delta[row + label] -= 1;
    }
  }

  /** Δ⁽ℓ⁻¹⁾ and the gradient sums of every layer over one block, from ℓ = L down to 1 (MATH.md, Backward). */
  private backward(block: number, count: number, gradient: VectorViews): void {
    const sizes = this.layerSizes;
    const { W } = this.parameters;
    for (let l = sizes.length - 1; l >= 2; l--) {
      const delta = this.delta[l - 1];
      this.dense.gradient(
        gradient.W[l - 1],
        gradient.b[l - 1],
        delta,
        this.A[l - 2],
        count,
        sizes[l],
        sizes[l - 1],
      );
      this.dense.backDelta(
        this.delta[l - 2],
        W[l - 1],
        delta,
        this.Z[l - 2],
        count,
        sizes[l],
        sizes[l - 1],
      );
    }
    this.dense.biasGradient(gradient.b[0], this.delta[0], count, sizes[1]);
    const { columns } = this.pass.input;
    this.kernels.forEach((kernels, g) =>
      kernels.backward(gradient.groupWeights[g], columns, block, sizes[0], this.groupDelta[g]),
    );
  }
}
