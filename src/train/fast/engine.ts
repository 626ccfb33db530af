import { Worker } from 'node:worker_threads';
import type { Dataset } from '../../data/dataset.js';
import { pixelsPerSample } from '../../data/dataset.js';
import { MnnError } from '../../errors.js';
import { layerSizesProblem, type Parameters } from '../../nn/parameters.js';
import type { Batch, GradientEngine, OptimizerStepSettings, PassResult } from '../engine.js';
import type { OptimizerSettings, OptimizerState } from '../optimizer.js';
import { optimizerStep } from '../optimizer.js';
import type { SharedPass } from './chunk.js';
import { chunkCapacity } from './chunk.js';
import { PhaseRunner, momentGroups } from './phases.js';
import type { PassPlan } from './plan.js';
import {
  DEFAULT_BLOCK_SIZE,
  MAX_BLOCK_SIZE,
  batchChunkCount,
  maxGroupWidth,
  planPass,
} from './plan.js';
import type { FloatArray } from './input-kernels.js';
import { relaxedSimdAvailable } from './relaxed-simd.js';
import type { Arithmetic, Precision } from './wasm-module.js';
import { EXACT_F64 } from './wasm-module.js';
import { CONTROL_WORDS, ThreadPool } from './pool.js';
import { INPUT_SLOT, OUTPUT_SLOT, ParameterSlots, SLOT_TABLE_WORDS } from './slots.js';
import { allocateSparseBlock, buildPairedInput, buildSparseInput } from './sparse-input.js';
import type { UpdateNumbers } from './step.js';
import { Phase, SampleSource, SharedStep, UpdateRule, allocateStep } from './step.js';
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
  /**
   * What forward and backward compute in (default f64: every sum as the reference engine makes
   * it). In f32 the parameters and gradients stay f64; the kernels read f32 copies of the
   * parameters and sum the gradient of each chunk in f32, and Adam's direction M̂ / (√Ŝ + ε) is
   * computed in f32. Adam keeps the first layer's M and S in f32 too (as PyTorch keeps its
   * state), in the engine's layout, where the layer's neuron groups allow (an even pixel count,
   * groups of whole f32 quads: 784 inputs and any hidden width divisible by 4); `sync` writes
   * them back into the state arrays.
   */
  readonly precision?: Precision;
  /**
   * f32 only: vector multiply-adds fused by relaxed SIMD (default: where this runtime has it).
   * The last bits then depend on whether the machine has FMA, never on `threads`.
   */
  readonly fused?: boolean;
  /**
   * Whether passes over the whole set will run (compute or evaluate without a batch; default
   * true). Wide layers run them on a paired copy of the input built at start; an engine that
   * only ever runs batches is spared its time and memory (it stays correct without it).
   */
  readonly wholeSetPasses?: boolean;
}

/** The arithmetic of an engine with `options`: f64 is always exact (never fused). */
function engineArithmetic(options: FastEngineOptions): Arithmetic {
  const precision = options.precision ?? 'f64';
  if (precision === 'f64') return EXACT_F64;
  return { precision, fused: (options.fused ?? true) && relaxedSimdAvailable() };
}

/**
 * Starts the fast engine over `dataset` for a network of `layerSizes` ([n₀, …, n_L], n₀ = pixels
 * per sample): sparse byte input, blocks of samples kept in cache, fixed chunks of every batch
 * spread over worker threads, and chunk sums added in a fixed order, so the gradients are
 * byte-identical for any thread count.
 */
export async function createFastEngine(
  dataset: Dataset,
  layerSizes: readonly number[],
  options: FastEngineOptions,
): Promise<FastEngine> {
  const blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
  checkArguments(dataset, layerSizes, options.threads, blockSize);
  const arithmetic = engineArithmetic(options);
  const plan = planPass([...layerSizes], dataset.count, blockSize, arithmetic.precision);
  const paired = (options.wholeSetPasses ?? true) && plan.groups.some((group) => group.paired);
  const { pass, arena } = allocatePass(plan, arithmetic, dataset, options.threads, paired);
  const pool = await ThreadPool.start(pass.control, options.threads - 1, (slot) =>
    startWorkerThread(pass, slot),
  );
  return new FastEngine(pass, arena, pool);
}

/** Rejects what the engine cannot run, with a message saying what to change. */
function checkArguments(
  dataset: Dataset,
  layerSizes: readonly number[],
  threads: number,
  blockSize: number,
): void {
  const problem = layerSizesProblem(layerSizes);
  if (problem !== undefined) {
    throw new MnnError(`layer sizes [${layerSizes.join(', ')}]: ${problem}`, {
      kind: 'usage',
      option: 'layerSizes',
    });
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
 * Builds the sparse input and the forward copies, partial-gradient, scratch, slot and control
 * arrays in one shared WebAssembly memory, with working memory for `threads` thread slots.
 */
function allocatePass(
  plan: PassPlan,
  arithmetic: Arithmetic,
  dataset: Dataset,
  threads: number,
  paired: boolean,
): { pass: SharedPass; arena: MemoryArena } {
  const arena = new MemoryArena(sharedMemory(1));
  const float64 = (length: number): Float64Array => arena.allocate(Float64Array, length);
  const narrow = plan.precision === 'f32';
  // The arrays the kernels compute in: f32 or f64.
  const floats = (length: number): FloatArray =>
    narrow ? arena.allocate(Float32Array, length) : float64(length);
  const sizes = plan.layerSizes;
  const blockMatrices = (): FloatArray[] => sizes.slice(1).map((n) => floats(plan.blockSize * n));
  const scratch = Array.from({ length: threads }, () => ({
    Z: blockMatrices(),
    A: blockMatrices(),
    delta: blockMatrices(),
    masks: sizes.slice(1, -1).map((n) => floats(plan.blockSize * n)),
    block: allocateSparseBlock(arena, plan.blockSize, sizes[0]),
    deltaCopy: floats(plan.blockSize * maxGroupWidth(plan.precision)),
    groupSums: float64(sizes[0] * maxGroupWidth(plan.precision)),
    softmaxSums: float64(plan.blockSize),
    argmaxes: arena.allocate(Int32Array, plan.blockSize),
  }));
  const chunks = chunkCapacity(plan);
  const biasCount = plan.parameterCount - plan.biasOffsets[0];
  const pass: SharedPass = {
    plan,
    memory: arena.memory,
    input: buildSparseInput(dataset, plan.blockSize, arena),
    arithmetic,
    firstLayerWeights: floats(sizes[0] * sizes[1]),
    transposed: floats(plan.transposedCount),
    narrowWeights: arena.allocate(Float32Array, narrow ? plan.transposedCount : 0),
    narrowBiases: arena.allocate(Float32Array, narrow ? biasCount : 0),
    firstLayerMoments: {
      M: arena.allocate(Float32Array, narrow ? sizes[0] * sizes[1] : 0),
      S: arena.allocate(Float32Array, narrow ? sizes[0] * sizes[1] : 0),
    },
    partials: floats(chunks * plan.parameterCount),
    chunkLoss: float64(chunks),
    chunkCorrect: arena.allocate(Int32Array, chunks),
    scratch,
    slotTable: arena.allocate(Int32Array, SLOT_TABLE_WORDS),
    step: allocateStep(arena, dataset.count),
    control: arena.allocate(Int32Array, CONTROL_WORDS),
  };
  if (!paired) return { pass, arena };
  // Last, so that what does not fit is only the paired forms, which the kernels can do without.
  const { rows, columns } = pass.input;
  const reserve = PAIRED_RESERVE_BYTES + 8 * RESERVED_PARAMETER_COPIES * plan.parameterCount;
  const pairs = buildPairedInput(
    rows,
    columns,
    dataset.count,
    sizes[0],
    plan.blockSize,
    arena,
    reserve,
  );
  return { pass: { ...pass, input: { ...pass.input, paired: pairs } }, arena };
}

/**
 * What the paired input must leave of the shared memory for what the engine allocates later (its
 * callers' parameter slots and optimizer state, up to this many parameter vectors), and beyond.
 */
const RESERVED_PARAMETER_COPIES = 16;
const PAIRED_RESERVE_BYTES = 64 << 20;

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

/** One optimizer step the engine can take itself (docs/math.md, "Beyond the paper"). */
export interface UpdateSettings {
  /** UpdateRule (step.ts): gradient descent, momentum or Adam. */
  readonly rule: number;
  /** The step's numbers; those the rule does not use are ignored. */
  readonly numbers: UpdateNumbers;
}

/**
 * The fast GradientEngine. Parameters, gradients and optimizer state may be arrays it allocated
 * (allocateParameters), which it then uses in place; other arrays are copied in and out.
 */
export class FastEngine implements GradientEngine {
  private readonly step: SharedStep;
  private readonly slots: ParameterSlots;
  /** The calling thread's share of every phase. */
  private readonly runner: PhaseRunner;
  private readonly runItem: (item: number) => void;
  /**
   * The slot whose forward copies an update phase of this engine wrote, and that only updates
   * have changed since (the contract of allocateParameters); -1: none.
   */
  private trustedSlot = -1;
  /** Seconds spent per phase kind, indexed by Phase. */
  private readonly seconds: number[] = [];
  /** The gradient slot, chunk count and scale of the chunk sums now in pass.partials, if any. */
  private sums: { slot: number; chunkCount: number; scale: number } | undefined;
  /**
   * The M and S slots whose W⁽¹⁾ part pass.firstLayerMoments holds, newer than their own (f32
   * Adam; written back by `sync` and before any other use), if any.
   */
  private moments: { M: number; S: number } | undefined;
  /** The gradient slot whose W⁽¹⁾ part a trainStep left to `sync` to write from the sums, if any. */
  private owedGradients: number | undefined;
  /** Whether Adam can keep W⁽¹⁾'s moments in f32 here: f32, even n₀, groups of whole quads. */
  private readonly f32MomentsPossible: boolean;
  /** pass.firstLayerMoments cut by group (copyMoments). */
  private readonly momentGroups: ReturnType<typeof momentGroups>;

  constructor(
    private readonly pass: SharedPass,
    private readonly arena: MemoryArena,
    private readonly pool: ThreadPool,
  ) {
    this.step = new SharedStep(pass.step);
    this.slots = new ParameterSlots(pass.plan, pass.memory, pass.slotTable);
    this.slots.allocate(arena); // INPUT_SLOT
    this.slots.allocate(arena); // OUTPUT_SLOT
    this.runner = new PhaseRunner(pass, 0);
    this.runItem = (item) => this.runner.runItem(item);
    const plan = pass.plan;
    this.f32MomentsPossible =
      plan.precision === 'f32' &&
      plan.layerSizes[0] % 2 === 0 &&
      plan.groups.every((group) => group.width % 4 === 0);
    this.momentGroups = momentGroups(plan, pass.firstLayerMoments);
  }

  /**
   * Forward and backward at `params` over `batch` (absent: every sample in order, no shift, no
   * dropout); the batch-mean gradients go into `gradients`.
   */
  async compute(params: Parameters, gradients: Parameters, batch?: Batch): Promise<PassResult> {
    checkShapes(this.pass.plan, gradients, 'gradients');
    const gradientsSlot = this.slots.indexOf(gradients) ?? OUTPUT_SLOT;
    this.payGradients(gradientsSlot);
    await this.useParameters(params);
    const count = this.describeSamples(batch?.samples, batch);
    await this.runPhase(Phase.compute, this.step.chunkCount);
    this.step.gradientsSlot = gradientsSlot;
    this.step.gradientScale = 1 / count;
    this.keepSums(gradientsSlot);
    await this.runPhase(Phase.reduce, this.pass.plan.slices.length);
    if (gradientsSlot === OUTPUT_SLOT)
      copyParameters(gradients, this.slots.get(OUTPUT_SLOT).parameters);
    return this.passResult(count);
  }

  /** Forward only at `params`, no dropout, no shift, over `samples` (absent: every sample). */
  async evaluate(params: Parameters, samples?: Uint32Array): Promise<PassResult> {
    await this.useParameters(params);
    const count = this.describeSamples(samples, undefined);
    await this.runPhase(Phase.evaluate, this.step.chunkCount);
    return this.passResult(count);
  }

  /**
   * Zeroed arrays shaped like the parameters, in the engine's shared memory: parameters,
   * gradients and optimizer state allocated here are used in place, without copies. After
   * `update` has changed such parameters, the engine keeps using the copies it derived from
   * them (the first layer transposed, …) until they change again: change them only through
   * `update` from then on, or not at all.
   */
  allocateParameters(): Parameters {
    return this.slots.get(this.slots.allocate(this.arena)).parameters;
  }

  /**
   * One optimizer step, split across the threads: params ← rule(params, gradients, state), all
   * of them arrays from allocateParameters (state: V for momentum, M and S for Adam). Every
   * element is computed as the readable optimizer computes it (src/train/optimizer.ts), except
   * Adam's direction in an f32 engine, computed in f32 (UpdateKernels.adamF32).
   */
  async update(
    settings: UpdateSettings,
    params: Parameters,
    gradients: Parameters,
    state: readonly Parameters[],
  ): Promise<void> {
    this.describeUpdate(settings, params, gradients, state);
    const sums = this.sums;
    // The f32 moments take the gradient from the sums of the compute that wrote `gradients`.
    if (sums?.slot === this.step.gradientsSlot && this.useF32Moments(settings.rule, state)) {
      this.step.chunkCount = sums.chunkCount;
      this.step.gradientScale = sums.scale;
    } else {
      this.releaseF32Moments();
    }
    await this.runPhase(Phase.update, this.pass.plan.slices.length);
    this.trustedSlot = this.step.paramsSlot;
  }

  /**
   * `compute`, then `optimizerStep` on the gradients it wrote: the same numbers, bit for bit.
   * On arrays from allocateParameters the chunks' sums are added and the step taken slice by
   * slice in one phase (Phase.reduceAndUpdate); on others, the two calls as they are.
   */
  async trainStep(
    params: Parameters,
    gradients: Parameters,
    batch: Batch | undefined,
    optimizer: OptimizerStepSettings,
  ): Promise<PassResult> {
    const { settings, state, alpha } = optimizer;
    const stateArrays = this.ownStateArrays(settings, state, params, gradients);
    if (stateArrays === undefined) {
      const pass = await this.compute(params, gradients, batch);
      await this.optimizerStep(settings, state, params, gradients, alpha);
      return pass;
    }
    const gradientsSlot = this.allocatedSlot(gradients);
    this.payGradients(gradientsSlot);
    await this.useParameters(params);
    const count = this.describeSamples(batch?.samples, batch);
    await this.runPhase(Phase.compute, this.step.chunkCount);
    this.step.gradientScale = 1 / count;
    this.keepSums(gradientsSlot);
    state.t++;
    const update = updateNumbers(settings, state.t, alpha);
    this.describeUpdate(update, params, gradients, stateArrays);
    const f32Moments = this.useF32Moments(update.rule, stateArrays);
    if (!f32Moments) this.releaseF32Moments();
    await this.runPhase(Phase.reduceAndUpdate, this.pass.plan.slices.length);
    // The first layer's gradient is then only in the sums: `sync` writes it when asked.
    this.owedGradients = f32Moments ? gradientsSlot : undefined;
    this.trustedSlot = this.step.paramsSlot;
    return this.passResult(count);
  }

  /**
   * Brings every array this engine stepped up to date where a trainStep or an update left it
   * behind: in an f32 engine training with Adam, W⁽¹⁾'s M and S (kept in f32 in the engine's
   * layout) and the last trainStep's W⁽¹⁾ gradient. Call it before reading those arrays (a
   * checkpoint); the engine's own calls need none.
   */
  sync(): void {
    this.payGradients(undefined);
    if (this.moments !== undefined) this.copyMoments('out', this.moments);
  }

  /** Records that pass.partials now hold the sums behind the gradients of `slot`. */
  private keepSums(slot: number): void {
    this.sums = { slot, chunkCount: this.step.chunkCount, scale: this.step.gradientScale };
  }

  /**
   * Writes the first layer's gradient a trainStep left in the sums (unless into `overwritten`,
   * which the caller is about to fill anyway), on this thread, before the sums change; it uses
   * the step's slots and counts, so call it before describing the next phase.
   */
  private payGradients(overwritten: number | undefined): void {
    const owed = this.owedGradients;
    this.owedGradients = undefined;
    const sums = this.sums;
    if (owed === undefined || owed === overwritten || sums?.slot !== owed) return;
    const step = this.step;
    step.phase = Phase.reduce;
    step.gradientsSlot = owed;
    step.chunkCount = sums.chunkCount;
    step.gradientScale = sums.scale;
    this.pass.plan.slices.forEach((slice, index) => {
      if (slice.kind === 'group') this.runner.runItem(index);
    });
  }

  /**
   * Whether an update by `rule` on `state` keeps W⁽¹⁾'s moments in f32 (Adam in an f32 engine
   * whose groups the kernel takes), taking them in from the state arrays when they change; sets
   * step.f32Moments accordingly.
   */
  private useF32Moments(rule: number, state: readonly Parameters[]): boolean {
    const possible = this.f32MomentsPossible && rule === UpdateRule.adam && state.length === 2;
    this.step.f32Moments = possible;
    if (!possible) return false;
    const slots = { M: this.allocatedSlot(state[0]), S: this.allocatedSlot(state[1]) };
    const held = this.moments;
    if (held !== undefined && (held.M !== slots.M || held.S !== slots.S)) this.releaseF32Moments();
    if (this.moments === undefined) {
      this.copyMoments('in', slots);
      this.moments = slots;
    }
    return true;
  }

  /** Writes the f32 moments back into their slots and stops keeping them. */
  private releaseF32Moments(): void {
    this.step.f32Moments = false;
    if (this.moments === undefined) return;
    this.copyMoments('out', this.moments);
    this.moments = undefined;
  }

  /**
   * Copies W⁽¹⁾'s M and S between their slots (row-major, f64) and pass.firstLayerMoments (by
   * group, n₀ × width, f32): 'in' rounds to f32, 'out' widens back exactly.
   */
  private copyMoments(direction: 'in' | 'out', slots: { M: number; S: number }): void {
    const plan = this.pass.plan;
    const n0 = plan.layerSizes[0];
    const groups = this.momentGroups;
    for (const key of ['M', 'S'] as const) {
      const W = this.slots.get(slots[key]).parameters.W[0];
      plan.groups.forEach((group, g) => {
        const block = groups[key][g];
        for (let j = 0; j < group.width; j++) {
          const row = (group.first + j) * n0;
          for (let p = 0; p < n0; p++) {
            if (direction === 'in') block[p * group.width + j] = W[row + p];
            else W[row + p] = block[p * group.width + j];
          }
        }
      });
    }
  }

  /** Writes the slots and numbers of an update phase (arrays from allocateParameters only). */
  private describeUpdate(
    settings: UpdateSettings,
    params: Parameters,
    gradients: Parameters,
    state: readonly Parameters[],
  ): void {
    const step = this.step;
    step.paramsSlot = this.allocatedSlot(params);
    step.gradientsSlot = this.allocatedSlot(gradients);
    step.stateSlots = [
      state.length > 0 ? this.allocatedSlot(state[0]) : 0,
      state.length > 1 ? this.allocatedSlot(state[1]) : 0,
    ];
    step.rule = settings.rule;
    step.update = settings.numbers;
  }

  /**
   * optimizerStep (src/train/optimizer.ts) with the same arithmetic (but Adam's direction in an
   * f32 engine: see `update`): on arrays from allocateParameters by the engine's update kernels
   * across its threads, on others by the readable step itself. Takes step t = state.t + 1.
   */
  async optimizerStep(
    settings: OptimizerSettings,
    state: OptimizerState,
    params: Parameters,
    gradients: Parameters,
    alpha: number,
  ): Promise<void> {
    const stateArrays = this.ownStateArrays(settings, state, params, gradients);
    if (stateArrays === undefined) {
      optimizerStep(settings, state, params, gradients, alpha);
      return;
    }
    state.t++;
    await this.update(updateNumbers(settings, state.t, alpha), params, gradients, stateArrays);
  }

  /** Stops the worker threads. */
  async close(): Promise<void> {
    await this.pool.close();
  }

  /** Whether `arrays` came from allocateParameters. */
  private handedOut(arrays: Parameters): boolean {
    return (this.slots.indexOf(arrays) ?? INPUT_SLOT) > OUTPUT_SLOT;
  }

  /**
   * The optimizer's state arrays (V, or M and S) when they, `params` and `gradients` all came
   * from allocateParameters (the engine's update kernels can step them); else undefined.
   */
  private ownStateArrays(
    settings: OptimizerSettings,
    state: OptimizerState,
    params: Parameters,
    gradients: Parameters,
  ): Parameters[] | undefined {
    const arrays = optimizerArrays(settings, state);
    const own = (set: Parameters | undefined): set is Parameters =>
      set !== undefined && this.handedOut(set);
    if (!own(params) || !own(gradients) || !arrays.every(own)) return undefined;
    return arrays.filter(own);
  }

  /** The slot of arrays from allocateParameters; throws for any other arrays. */
  private allocatedSlot(arrays: Parameters): number {
    const index = this.slots.indexOf(arrays);
    if (index === undefined || !this.handedOut(arrays)) {
      throw new Error('update needs arrays from allocateParameters');
    }
    return index;
  }

  /**
   * Makes `params` the phase's parameters: a slot of this engine, or a copy in the input slot;
   * and derives their forward copies unless an update of this engine just did.
   */
  private async useParameters(params: Parameters): Promise<void> {
    checkShapes(this.pass.plan, params, 'parameters');
    let slot = this.slots.indexOf(params);
    if (slot === undefined) {
      copyParameters(this.slots.get(INPUT_SLOT).parameters, params);
      slot = INPUT_SLOT;
    }
    this.step.paramsSlot = slot;
    if (slot !== this.trustedSlot) {
      this.trustedSlot = -1;
      await this.runPhase(Phase.refresh, this.pass.plan.slices.length);
    }
  }

  /** Writes where the phase's samples come from; returns how many there are. */
  private describeSamples(samples: Uint32Array | undefined, batch: Batch | undefined): number {
    const { step, pass } = this;
    const sampleCount = pass.plan.sampleCount;
    if (samples === undefined) {
      step.source = SampleSource.all;
      step.chunkCount = pass.plan.chunkCount;
      return sampleCount;
    }
    const count = samples.length;
    if (count < 1 || count > sampleCount) {
      throw new RangeError(`a batch holds 1 to ${sampleCount} samples, got ${count}`);
    }
    for (const sample of samples) {
      if (sample >= sampleCount) throw new RangeError(`sample ${sample} is not in the data set`);
    }
    step.source = SampleSource.list;
    step.sampleCount = count;
    step.chunkCount = batchChunkCount(count);
    step.arrays.samples.set(samples);
    const shifts = batch?.shifts;
    if (shifts !== undefined && shifts.length !== 2 * count) {
      throw new RangeError(
        `a batch of ${count} samples needs ${2 * count} shifts, got ${shifts.length}`,
      );
    }
    if (shifts !== undefined) step.arrays.shifts.set(shifts);
    step.shifted = shifts !== undefined;
    step.dropout = batch?.dropout;
    return count;
  }

  /**
   * Seconds spent in each kind of phase since the engine started, by Phase name (bench, issue
   * 12): where a step's time goes.
   */
  phaseSeconds(): Record<keyof typeof Phase, number> {
    const seconds = (phase: number) => this.seconds[phase] ?? 0;
    return {
      compute: seconds(Phase.compute),
      evaluate: seconds(Phase.evaluate),
      reduce: seconds(Phase.reduce),
      update: seconds(Phase.update),
      refresh: seconds(Phase.refresh),
      reduceAndUpdate: seconds(Phase.reduceAndUpdate),
    };
  }

  private async runPhase(phase: number, items: number): Promise<void> {
    this.step.phase = phase;
    const started = performance.now();
    await this.pool.run(items, this.runItem);
    this.seconds[phase] = (this.seconds[phase] ?? 0) + (performance.now() - started) / 1000;
  }

  /** The loss (mean over `count` samples) and correct count, added up in chunk order. */
  private passResult(count: number): PassResult {
    let loss = 0;
    let correct = 0;
    for (let c = 0; c < this.step.chunkCount; c++) {
      loss += this.pass.chunkLoss[c];
      correct += this.pass.chunkCorrect[c];
    }
    return { loss: loss / count, correct };
  }
}

/** The state arrays an optimizer updates: V for momentum, M and S for Adam, none for gd. */
function optimizerArrays(
  settings: OptimizerSettings,
  state: OptimizerState,
): (Parameters | undefined)[] {
  if (settings.kind === 'momentum') return [state.V];
  return settings.kind === 'adam' ? [state.M, state.S] : [];
}

/** The update rule and numbers of step t of an optimizer (docs/math.md, Beyond the paper). */
function updateNumbers(settings: OptimizerSettings, t: number, alpha: number): UpdateSettings {
  const none = { mu: 0, beta1: 0, beta2: 0, oneMinusBeta1: 0, oneMinusBeta2: 0 };
  const common = {
    ...none,
    alpha,
    lambda: settings.weightDecay,
    correction1: 0,
    correction2: 0,
    epsilon: 0,
  };
  if (settings.kind === 'gd') return { rule: UpdateRule.gradientDescent, numbers: common };
  if (settings.kind === 'momentum') {
    return { rule: UpdateRule.momentum, numbers: { ...common, mu: settings.momentum } };
  }
  const { beta1, beta2, epsilon } = settings;
  return {
    rule: UpdateRule.adam,
    numbers: {
      ...common,
      beta1,
      beta2,
      // as adamUpdate computes them
      oneMinusBeta1: 1 - beta1,
      oneMinusBeta2: 1 - beta2,
      correction1: 1 - beta1 ** t,
      correction2: 1 - beta2 ** t,
      epsilon,
    },
  };
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

/** Copies every array of `from` into `to` (same shapes). */
function copyParameters(to: Parameters, from: Parameters): void {
  to.W.forEach((W, l) => W.set(from.W[l]));
  to.b.forEach((b, l) => b.set(from.b[l]));
}
