/**
 * What every thread needs to know about the work in progress: which phase runs, over which
 * batch (its samples, shifts and dropout), which parameter slots it reads and writes, and the
 * optimizer's constants. It lives in the shared memory; the main thread writes it before it
 * starts a phase, the workers only read it.
 */
import { ADAM_CONSTANT_NAMES } from './update-kernels.js';
import type { MemoryArena } from './wasm.js';

/** The kinds of work a phase does; its items are chunks of samples or slices of parameters. */
export const Phase = {
  /** Forward and backward over the chunks of a batch into their partial gradients. */
  compute: 1,
  /** Forward only over the chunks of a list of samples: loss and correct count. */
  evaluate: 2,
  /** The chunks' partial gradients added, by slice, into the gradient slot as a mean. */
  reduce: 3,
  /** One optimizer step by slice, then the forward copies of the updated slice. */
  update: 4,
  /** The forward copies of the parameters, by slice. */
  refresh: 5,
  /**
   * A reduce, then an update, slice by slice (a training step's last two phases in one): each
   * slice's gradient is used while it is still in cache, and the threads meet once less.
   */
  reduceAndUpdate: 6,
} as const;

/** Where a compute or evaluate phase takes its samples from. */
export const SampleSource = {
  /** Every sample in order, in the plan's blocks and chunks (the paper's full batch). */
  all: 0,
  /** The list in `samples`, with optional shifts and dropout. */
  list: 1,
} as const;

/** The optimizer of an update phase (docs/math.md, "Beyond the paper"). */
export const UpdateRule = { gradientDescent: 0, momentum: 1, adam: 2 } as const;

// Index of each integer and each number in the shared arrays.
const INT = {
  phase: 0,
  source: 1,
  sampleCount: 2,
  chunkCount: 3,
  shifted: 4,
  dropout: 5,
  dropoutSeed: 6,
  dropoutStep: 7,
  paramsSlot: 8,
  gradientsSlot: 9,
  firstStateSlot: 10,
  secondStateSlot: 11,
  rule: 12,
  f32Moments: 13,
} as const;
const NUMBER = {
  dropoutRate: 0,
  gradientScale: 1,
  alpha: 2,
  lambda: 3,
  mu: 4,
  beta1: 5,
  beta2: 6,
  oneMinusBeta1: 7,
  oneMinusBeta2: 8,
  correction1: 9,
  correction2: 10,
  epsilon: 11,
} as const;

/** The shared arrays behind a SharedStep, allocated once per engine. */
export interface StepArrays {
  readonly ints: Int32Array;
  readonly numbers: Float64Array;
  /** Training-set indices of the batch, in order. */
  readonly samples: Uint32Array;
  /** Per sample of the batch: shift right, then shift down (pixels). */
  readonly shifts: Int8Array;
}

/** Allocates the arrays of a step for batches of up to `maxSamples` samples. */
export function allocateStep(arena: MemoryArena, maxSamples: number): StepArrays {
  return {
    ints: arena.allocate(Int32Array, Object.keys(INT).length),
    numbers: arena.allocate(Float64Array, Object.keys(NUMBER).length),
    samples: arena.allocate(Uint32Array, maxSamples),
    shifts: arena.allocate(Int8Array, 2 * maxSamples),
  };
}

/** Named access to a step's shared arrays. */
export class SharedStep {
  constructor(readonly arrays: StepArrays) {}

  private int(key: keyof typeof INT): number {
    return this.arrays.ints[INT[key]];
  }

  private setInt(key: keyof typeof INT, value: number): void {
    this.arrays.ints[INT[key]] = value;
  }

  private number(key: keyof typeof NUMBER): number {
    return this.arrays.numbers[NUMBER[key]];
  }

  get phase(): number {
    return this.int('phase');
  }

  set phase(value: number) {
    this.setInt('phase', value);
  }

  /** SampleSource of a compute or evaluate phase. */
  get source(): number {
    return this.int('source');
  }

  set source(value: number) {
    this.setInt('source', value);
  }

  /** Samples in the batch (for SampleSource.list). */
  get sampleCount(): number {
    return this.int('sampleCount');
  }

  set sampleCount(value: number) {
    this.setInt('sampleCount', value);
  }

  /** Chunks of the compute or evaluate phase. */
  get chunkCount(): number {
    return this.int('chunkCount');
  }

  set chunkCount(value: number) {
    this.setInt('chunkCount', value);
  }

  /** Whether `shifts` holds the batch's shifts. */
  get shifted(): boolean {
    return this.int('shifted') !== 0;
  }

  set shifted(value: boolean) {
    this.setInt('shifted', value ? 1 : 0);
  }

  /** The batch's dropout, if any. */
  get dropout(): { rate: number; seed: number; step: number } | undefined {
    if (this.int('dropout') === 0) return undefined;
    return {
      rate: this.number('dropoutRate'),
      seed: this.int('dropoutSeed'),
      step: this.int('dropoutStep'),
    };
  }

  set dropout(spec: { rate: number; seed: number; step: number } | undefined) {
    this.setInt('dropout', spec === undefined ? 0 : 1);
    if (spec === undefined) return;
    this.arrays.numbers[NUMBER.dropoutRate] = spec.rate;
    this.setInt('dropoutSeed', spec.seed);
    this.setInt('dropoutStep', spec.step);
  }

  /** The slot the phase reads the parameters from (and an update writes them to). */
  get paramsSlot(): number {
    return this.int('paramsSlot');
  }

  set paramsSlot(value: number) {
    this.setInt('paramsSlot', value);
  }

  /** The slot a reduce writes the gradient to (and an update reads it from). */
  get gradientsSlot(): number {
    return this.int('gradientsSlot');
  }

  set gradientsSlot(value: number) {
    this.setInt('gradientsSlot', value);
  }

  /** The optimizer state slots of an update: V for momentum, M and S for Adam. */
  get stateSlots(): [number, number] {
    return [this.int('firstStateSlot'), this.int('secondStateSlot')];
  }

  set stateSlots([first, second]: [number, number]) {
    this.setInt('firstStateSlot', first);
    this.setInt('secondStateSlot', second);
  }

  /** The UpdateRule of an update phase. */
  get rule(): number {
    return this.int('rule');
  }

  set rule(value: number) {
    this.setInt('rule', value);
  }

  /**
   * Whether an Adam update takes the first layer's groups with M and S in f32
   * (pass.firstLayerMoments) straight from the chunk sums (UpdateKernels.adamGroupF32).
   */
  get f32Moments(): boolean {
    return this.int('f32Moments') !== 0;
  }

  set f32Moments(value: boolean) {
    this.setInt('f32Moments', value ? 1 : 0);
  }

  /** The factor a reduce multiplies the summed gradient by: 1 / batch size. */
  get gradientScale(): number {
    return this.number('gradientScale');
  }

  set gradientScale(value: number) {
    this.arrays.numbers[NUMBER.gradientScale] = value;
  }

  /** The optimizer's numbers for an update phase (those its rule does not use are ignored). */
  get update(): UpdateNumbers {
    const n = (key: keyof typeof NUMBER) => this.number(key);
    return {
      alpha: n('alpha'),
      lambda: n('lambda'),
      mu: n('mu'),
      beta1: n('beta1'),
      beta2: n('beta2'),
      oneMinusBeta1: n('oneMinusBeta1'),
      oneMinusBeta2: n('oneMinusBeta2'),
      correction1: n('correction1'),
      correction2: n('correction2'),
      epsilon: n('epsilon'),
    };
  }

  set update(values: UpdateNumbers) {
    for (const key of UPDATE_KEYS) this.arrays.numbers[NUMBER[key]] = values[key];
  }
}

/** The names of UpdateNumbers: Adam's constants (with α and λ), and momentum's μ. */
const UPDATE_KEYS = [
  ...ADAM_CONSTANT_NAMES,
  'mu',
] as const satisfies readonly (keyof UpdateNumbers)[];

/** The numbers of one optimizer step: α_t, weight decay λ, and the rule's own. */
export interface UpdateNumbers {
  readonly alpha: number;
  readonly lambda: number;
  readonly mu: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly oneMinusBeta1: number;
  readonly oneMinusBeta2: number;
  readonly correction1: number;
  readonly correction2: number;
  readonly epsilon: number;
}
