import { Worker } from 'node:worker_threads';
import type { Dataset } from '../../data/dataset.js';
import { pixelsPerSample } from '../../data/dataset.js';
import { MnnError } from '../../errors.js';
import type { Parameters } from '../../nn/parameters.js';
import type { GradientEngine, PassResult } from '../engine.js';
import type { SharedPass } from './chunk.js';
import { ChunkRunner } from './chunk.js';
import type { DenseKernels } from './dense-kernels.js';
import { denseKernels } from './dense-kernels.js';
import type { PassPlan } from './plan.js';
import { DEFAULT_BLOCK_SIZE, MAX_BLOCK_SIZE, planPass } from './plan.js';
import { buildSparseInput } from './sparse-input.js';
import { MemoryArena, sharedMemory } from './wasm.js';

/** Options of the fast engine. */
export interface FastEngineOptions {
  /** Threads computing in parallel, the calling one included (1 runs inline, without workers). */
  readonly threads: number;
  /**
   * Samples per block, 1–256 (default 128). Results depend on it (it fixes the summation order),
   * never on `threads`.
   */
  readonly blockSize?: number;
}

/**
 * Starts the fast full-batch engine over `dataset` for a network of `layerSizes` ([n₀, …, n_L],
 * n₀ = pixels per sample): sparse byte input, blocks of samples kept in cache, fixed chunks
 * spread over worker threads, and chunk sums added in a fixed order, so the gradients are
 * byte-identical for any thread count.
 */
export async function createFastEngine(
  dataset: Dataset,
  layerSizes: readonly number[],
  options: FastEngineOptions,
): Promise<GradientEngine> {
  const blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
  checkArguments(dataset, layerSizes, options.threads, blockSize);
  const plan = planPass([...layerSizes], dataset.count, blockSize);
  const pass = allocatePass(plan, dataset, options.threads);
  const started = await Promise.allSettled(
    Array.from({ length: options.threads - 1 }, (_, w) => PassWorker.start(pass, w + 1)),
  );
  const workers = started.flatMap((result) =>
    result.status === 'fulfilled' ? [result.value] : [],
  );
  const failure = started.find((result) => result.status === 'rejected');
  if (failure !== undefined) {
    // Do not leave the workers that did start running in the background.
    await Promise.all(workers.map((worker) => worker.terminate()));
    throw failure.reason;
  }
  return new FastEngine(pass, new ChunkRunner(pass, 0), workers);
}

/** Rejects what the engine cannot run, with a message saying what to change. */
function checkArguments(
  dataset: Dataset,
  layerSizes: readonly number[],
  threads: number,
  blockSize: number,
): void {
  if (layerSizes.length < 2 || !layerSizes.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new MnnError(
      `layer sizes must be at least two positive integers, got [${layerSizes.join(',')}]`,
      { kind: 'usage' },
    );
  }
  if (layerSizes[0] !== pixelsPerSample(dataset)) {
    throw new MnnError(
      `the input layer has ${layerSizes[0]} neurons but the images have ${pixelsPerSample(dataset)} pixels; make the first layer size ${pixelsPerSample(dataset)}`,
      { kind: 'usage' },
    );
  }
  if (dataset.count < 1) {
    throw new MnnError('the training set is empty; give it at least one sample');
  }
  const classes = layerSizes[layerSizes.length - 1];
  for (let s = 0; s < dataset.count; s++) {
    if (dataset.labels[s] >= classes) {
      throw new MnnError(
        `sample ${s} has label ${dataset.labels[s]} but the output layer has only ${classes} classes; make the last layer size at least ${dataset.labels[s] + 1}`,
        { kind: 'usage' },
      );
    }
  }
  if (!Number.isInteger(threads) || threads < 1) {
    throw new MnnError(`threads must be a whole number of at least 1, got ${threads}`, {
      kind: 'usage',
    });
  }
  if (!Number.isInteger(blockSize) || blockSize < 1 || blockSize > MAX_BLOCK_SIZE) {
    throw new MnnError(
      `block size must be a whole number from 1 to ${MAX_BLOCK_SIZE}, got ${blockSize}`,
      { kind: 'usage' },
    );
  }
}

/**
 * Builds the sparse input and the parameter, partial-gradient, scratch and control arrays in one
 * shared WebAssembly memory, with block matrices for each of `threads` thread slots.
 */
function allocatePass(plan: PassPlan, dataset: Dataset, threads: number): SharedPass {
  const arena = new MemoryArena(sharedMemory(1));
  const float64 = (length: number): Float64Array => arena.allocate(Float64Array, 8, length);
  const layers = plan.layerSizes.slice(1);
  const blockMatrices = (): Float64Array[] => layers.map((n) => float64(plan.blockSize * n));
  const scratch = Array.from({ length: threads }, () => ({
    Z: blockMatrices(),
    A: blockMatrices(),
    delta: blockMatrices(),
  }));
  return {
    plan,
    memory: arena.memory,
    input: buildSparseInput(dataset, plan.blockSize, arena),
    parameters: float64(plan.parameterCount),
    partials: float64(plan.chunkCount * plan.parameterCount),
    totals: float64(plan.parameterCount),
    chunkLoss: float64(plan.chunkCount),
    chunkCorrect: arena.allocate(Int32Array, 4, plan.chunkCount),
    transposed: float64(plan.transposedCount),
    scratch,
    control: arena.allocate(Int32Array, 4, 1),
  };
}

/**
 * The worker module next to this one. Built code (dist/) starts the sibling worker.js. Run from
 * TypeScript sources (vitest, tsx), it starts worker.ts through tsx's documented module API,
 * registered inside the new thread, since Node 20 workers do not inherit the parent's loader.
 */
function startWorkerThread(pass: SharedPass, slot: number): Worker {
  const here = import.meta.url;
  const workerData = { pass, slot };
  if (!here.endsWith('.ts')) return new Worker(new URL('./worker.js', here), { workerData });
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const source = new URL('./worker.ts', here).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** One worker thread and the pass it is running, if any. */
class PassWorker {
  private pending: { resolve: () => void; reject: (error: Error) => void } | undefined;

  private constructor(private readonly thread: Worker) {
    thread.on('message', () => this.settle(undefined));
    thread.on('error', (error) => this.settle(error));
    thread.on('exit', (code) =>
      this.settle(new Error(`fast-engine worker exited with code ${code}`)),
    );
  }

  /** Starts a worker over `pass` in thread slot `slot` and waits until it is ready. */
  static async start(pass: SharedPass, slot: number): Promise<PassWorker> {
    const worker = new PassWorker(startWorkerThread(pass, slot));
    await worker.expectReply();
    return worker;
  }

  /** Tells the worker to claim chunks; resolves when it has no more to claim. */
  run(): Promise<void> {
    const reply = this.expectReply();
    this.thread.postMessage('run');
    return reply;
  }

  /** Stops the thread. */
  async terminate(): Promise<void> {
    this.thread.removeAllListeners('exit');
    await this.thread.terminate();
  }

  private expectReply(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
    });
  }

  private settle(error: Error | undefined): void {
    const pending = this.pending;
    this.pending = undefined;
    if (pending === undefined) return;
    if (error === undefined) pending.resolve();
    else pending.reject(error);
  }
}

/** The GradientEngine over a prepared pass. */
class FastEngine implements GradientEngine {
  /** Adds the chunk sums on the main thread. */
  private readonly kernels: DenseKernels;

  constructor(
    private readonly pass: SharedPass,
    private readonly runner: ChunkRunner,
    private readonly workers: PassWorker[],
  ) {
    this.kernels = denseKernels(pass.memory);
  }

  async compute(params: Parameters, gradients: Parameters): Promise<PassResult> {
    checkShapes(this.pass.plan, params, 'parameters');
    checkShapes(this.pass.plan, gradients, 'gradients');
    writeParameters(this.pass, params);
    Atomics.store(this.pass.control, 0, 0);
    const replies = this.workers.map((worker) => worker.run());
    this.runner.runClaimedChunks();
    await Promise.all(replies);
    const { plan, partials, totals } = this.pass;
    this.kernels.sumChunks(
      totals.byteOffset,
      partials.byteOffset,
      plan.parameterCount,
      plan.chunkCount,
    );
    readGradients(plan, totals, gradients);
    let loss = 0;
    let correct = 0;
    for (let c = 0; c < this.pass.plan.chunkCount; c++) {
      loss += this.pass.chunkLoss[c];
      correct += this.pass.chunkCorrect[c];
    }
    return { loss: loss / this.pass.plan.sampleCount, correct };
  }

  /** Not served yet (issue 11 point 4): createEngine gives runs that evaluate the reference engine. */
  async evaluate(): Promise<PassResult> {
    throw new Error('the fast engine does not evaluate yet (issue 11 point 4)');
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
    this.workers.length = 0;
  }
}

/** Throws unless `params` has the engine's layer sizes and array lengths. */
function checkShapes(plan: PassPlan, params: Parameters, what: string): void {
  const sizes = plan.layerSizes;
  const same =
    params.layerSizes.length === sizes.length &&
    params.layerSizes.every((n, i) => n === sizes[i]) &&
    params.W.every((W, l) => W.length === sizes[l + 1] * sizes[l]) &&
    params.b.every((b, l) => b.length === sizes[l + 1]);
  if (!same) {
    throw new Error(`${what} do not have the engine's layer sizes [${sizes.join(',')}]`);
  }
}

/**
 * Copies `params` into the shared vector: (W⁽¹⁾)ᵀ/255 by groups (A⁽⁰⁾ = byte/255), the rest as is;
 * and (W⁽ℓ⁾)ᵀ for ℓ ≥ 2 into the forward-weights vector.
 */
function writeParameters(pass: SharedPass, params: Parameters): void {
  const { plan, parameters } = pass;
  const n0 = plan.layerSizes[0];
  const W1 = params.W[0];
  for (const group of plan.groups) {
    for (let j = 0; j < n0; j++) {
      const row = group.weightOffset + j * group.width;
      for (let k = 0; k < group.width; k++)
        parameters[row + k] = W1[(group.first + k) * n0 + j] / 255;
    }
  }
  for (let l = 2; l < plan.layerSizes.length; l++) {
    parameters.set(params.W[l - 1], plan.weightOffsets[l - 1]);
    writeTransposed(
      pass.transposed,
      plan.transposedOffsets[l - 1],
      params.W[l - 1],
      plan.layerSizes[l],
    );
  }
  for (let l = 1; l < plan.layerSizes.length; l++)
    parameters.set(params.b[l - 1], plan.biasOffsets[l - 1]);
}

/** Writes Wᵀ (nIn × nOut) at `offset` in `target`, from W (nOut × nIn, row-major). */
function writeTransposed(
  target: Float64Array,
  offset: number,
  W: Float64Array,
  nOut: number,
): void {
  const nIn = W.length / nOut;
  for (let i = 0; i < nOut; i++) {
    for (let j = 0; j < nIn; j++) target[offset + j * nOut + i] = W[i * nIn + j];
  }
}

/**
 * Writes the means of the summed chunk sums `total` into `gradients`:
 * ∂C/∂W⁽ℓ⁾ = (1/N) Δ⁽ℓ⁾(A⁽ℓ⁻¹⁾)ᵀ and ∂C/∂b⁽ℓ⁾ = (1/N) Σ columns of Δ⁽ℓ⁾ (MATH.md, Backward);
 * layer 1's sums were taken over bytes, hence the extra 1/255.
 */
function readGradients(plan: PassPlan, total: Float64Array, gradients: Parameters): void {
  const scale = 1 / plan.sampleCount;
  const n0 = plan.layerSizes[0];
  const dW1 = gradients.W[0];
  for (const group of plan.groups) {
    for (let j = 0; j < n0; j++) {
      const row = group.weightOffset + j * group.width;
      for (let k = 0; k < group.width; k++)
        dW1[(group.first + k) * n0 + j] = (total[row + k] * scale) / 255;
    }
  }
  for (let l = 2; l < plan.layerSizes.length; l++) {
    const dW = gradients.W[l - 1];
    const offset = plan.weightOffsets[l - 1];
    for (let i = 0; i < dW.length; i++) dW[i] = total[offset + i] * scale;
  }
  for (let l = 1; l < plan.layerSizes.length; l++) {
    const db = gradients.b[l - 1];
    const offset = plan.biasOffsets[l - 1];
    for (let i = 0; i < db.length; i++) db[i] = total[offset + i] * scale;
  }
}
