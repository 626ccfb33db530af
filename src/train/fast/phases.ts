import { PIXEL_SCALE } from '../../nn/input.js';
import { ChunkRunner } from './chunk.js';
import type { SharedPass } from './chunk.js';
import type { FloatArray } from './input-kernels.js';
import type { LayoutKernels } from './layout-kernels.js';
import { layoutKernels } from './layout-kernels.js';
import type { ParameterSlice, PassPlan } from './plan.js';
import { vectorViews } from './plan.js';
import { ParameterSlots } from './slots.js';
import { Phase, SharedStep, UpdateRule } from './step.js';
import type { UpdateKernels } from './update-kernels.js';
import { updateKernels } from './update-kernels.js';

/**
 * One thread's share of every phase (step.ts): the chunks of a compute or evaluate phase, the
 * slices of a reduce, update or refresh. The main thread and every worker each have one.
 */
export class PhaseRunner {
  private readonly plan: PassPlan;
  private readonly step: SharedStep;
  private readonly slots: ParameterSlots;
  private readonly chunks: ChunkRunner;
  private readonly layout: LayoutKernels;
  private readonly updates: UpdateKernels;
  /** Per slice: the partial gradients from the slice's start in chunk 0 to their end. */
  private readonly partialSlices: readonly FloatArray[];
  /** Per first-layer group: its block of (W⁽¹⁾)ᵀ/255, and room for its gradient sums. */
  private readonly groupWeights: readonly FloatArray[];
  private readonly groupSums: readonly Float64Array[];
  /** Per slice of rows of a later W⁽ℓ⁾: Wᵀ from the slice's first column. */
  private readonly transposedSlices: readonly FloatArray[];
  /** In f32, Adam's f32 moments of W⁽¹⁾ by group (pass.firstLayerMoments). */
  private readonly momentGroups: {
    readonly M: readonly Float32Array[];
    readonly S: readonly Float32Array[];
  };
  /** In f32, per slice of rows or of biases: where its f32 copy goes (else empty). */
  private readonly narrowSlices: readonly Float32Array[];

  /** The runner of thread slot `slot` (0: the calling thread). */
  constructor(
    private readonly pass: SharedPass,
    slot: number,
  ) {
    const plan = pass.plan;
    this.plan = plan;
    this.step = new SharedStep(pass.step);
    this.slots = new ParameterSlots(plan, pass.memory, pass.slotTable);
    this.chunks = new ChunkRunner(pass, slot, this.slots, this.step);
    this.layout = layoutKernels(pass.memory);
    this.updates = updateKernels(pass.memory);
    this.partialSlices = plan.slices.map((slice) => pass.partials.subarray(slice.start));
    this.groupWeights = vectorViews(plan, pass.firstLayerWeights).groupWeights;
    const sums = pass.scratch[slot].groupSums;
    this.groupSums = plan.groups.map((group) => sums.subarray(0, plan.layerSizes[0] * group.width));
    this.transposedSlices = plan.slices.map((slice) =>
      slice.kind === 'rows'
        ? pass.transposed.subarray(plan.transposedOffsets[slice.layer - 1] + slice.firstRow)
        : pass.transposed.subarray(0, 0),
    );
    this.narrowSlices = plan.slices.map((slice) => narrowSlice(pass, slice));
    this.momentGroups = momentGroups(plan, pass.firstLayerMoments);
  }

  /** Runs item `item` of the phase in progress. */
  runItem(item: number): void {
    switch (this.step.phase) {
      case Phase.compute:
        this.chunks.computeChunk(item);
        return;
      case Phase.evaluate:
        this.chunks.evaluateChunk(item);
        return;
      case Phase.reduce:
        this.reduceSlice(item);
        return;
      case Phase.update:
        if (this.adamGroup(item)) return;
        this.updateSlice(item);
        this.refreshSlice(item);
        return;
      case Phase.refresh:
        this.refreshSlice(item);
        return;
      case Phase.reduceAndUpdate:
        if (this.adamGroup(item)) return;
        this.reduceSlice(item);
        this.updateSlice(item);
        this.refreshSlice(item);
        return;
      default:
        throw new Error(`unknown fast-engine phase ${this.step.phase}`);
    }
  }

  /**
   * g = (Σ over chunks of their sums) / |batch| for one slice, into the gradient slot; a
   * first-layer group's sums are (W⁽¹⁾)ᵀ-shaped and over bytes, hence the transpose and 1/255.
   */
  private reduceSlice(index: number): void {
    const { plan, step } = this;
    const slice = plan.slices[index];
    const gradient = this.slots.get(step.gradientsSlot).parts.slices[index];
    const sum = (target: Float64Array) =>
      this.layout.sumChunks(
        target,
        this.partialSlices[index],
        slice.length,
        step.chunkCount,
        plan.parameterCount,
        step.gradientScale,
      );
    if (slice.kind !== 'group') {
      sum(gradient);
      return;
    }
    const n0 = plan.layerSizes[0];
    const width = plan.groups[slice.group].width;
    const sums = this.groupSums[slice.group];
    sum(sums);
    this.layout.transpose(gradient, n0, sums, width, n0, width, PIXEL_SCALE);
  }

  /** One optimizer step over one slice (weight decay on weights only, never on biases). */
  private updateSlice(index: number): void {
    const { step, slots } = this;
    const slice = this.plan.slices[index];
    const theta = slots.get(step.paramsSlot).parts.slices[index];
    const g = slots.get(step.gradientsSlot).parts.slices[index];
    const numbers = step.update;
    const lambda = slice.kind === 'biases' ? 0 : numbers.lambda;
    const [first, second] = step.stateSlots;
    const state = (slot: number) => slots.get(slot).parts.slices[index];
    if (step.rule === UpdateRule.gradientDescent) {
      this.updates.gradientDescent(theta, g, numbers.alpha, lambda);
    } else if (step.rule === UpdateRule.momentum) {
      this.updates.momentum(theta, g, state(first), numbers.alpha, numbers.mu, lambda);
    } else {
      // An f32 run's Adam direction in f32 (update-kernels.ts): within its f32 gradients' rounding.
      const adam = this.pass.arithmetic.precision === 'f32' ? 'adamF32' : 'adam';
      this.updates[adam](theta, g, state(first), state(second), numbers.alpha, numbers, lambda);
    }
  }

  /**
   * For a first-layer group when the step keeps Adam's moments in f32 (step.f32Moments): the
   * gradient from the chunk sums, the step and the forward copy in one kernel
   * (UpdateKernels.adamGroupF32), the group's gradient left unwritten; false for other slices.
   */
  private adamGroup(index: number): boolean {
    const { plan, step, slots } = this;
    const slice = plan.slices[index];
    if (!step.f32Moments || slice.kind !== 'group') return false;
    const group = slice.group;
    const numbers = step.update;
    this.updates.adamGroupF32(
      {
        theta: slots.get(step.paramsSlot).parts.slices[index],
        M: this.momentGroups.M[group],
        S: this.momentGroups.S[group],
        partials: narrowArray(this.partialSlices[index]),
        chunkCount: step.chunkCount,
        stride: plan.parameterCount,
        gradientScale: step.gradientScale / PIXEL_SCALE,
        weights: narrowArray(this.groupWeights[group]),
        rowLength: plan.layerSizes[0],
        width: plan.groups[group].width,
        divisor: PIXEL_SCALE,
      },
      numbers.alpha,
      numbers,
      numbers.lambda,
    );
    return true;
  }

  /** The forward copies of one slice of the parameters: (W⁽¹⁾)ᵀ/255 by group, Wᵀ for ℓ ≥ 2. */
  private refreshSlice(index: number): void {
    const { plan } = this;
    const slice = plan.slices[index];
    const theta = this.slots.get(this.step.paramsSlot).parts.slices[index];
    if (slice.kind === 'group') {
      const n0 = plan.layerSizes[0];
      const width = plan.groups[slice.group].width;
      this.layout.transpose(
        this.groupWeights[slice.group],
        width,
        theta,
        n0,
        width,
        n0,
        PIXEL_SCALE,
      );
    } else if (slice.kind === 'rows') {
      const [nOut, nIn] = [plan.layerSizes[slice.layer], plan.layerSizes[slice.layer - 1]];
      this.layout.transpose(this.transposedSlices[index], nOut, theta, nIn, slice.rowCount, nIn, 1);
    }
    const narrow = this.narrowSlices[index];
    if (narrow.length > 0) this.layout.narrow(narrow, theta, narrow.length);
  }
}

/**
 * Where the f32 copy of a slice of rows of W⁽ℓ⁾ (ℓ ≥ 2) or of the biases goes in an f32 pass;
 * empty for a first-layer group (read only through (W⁽¹⁾)ᵀ/255) and in f64.
 */
function narrowSlice(pass: SharedPass, slice: ParameterSlice): Float32Array {
  const { plan } = pass;
  if (plan.precision !== 'f32' || slice.kind === 'group') return new Float32Array(0);
  if (slice.kind === 'biases') return pass.narrowBiases;
  const nIn = plan.layerSizes[slice.layer - 1];
  const start = plan.transposedOffsets[slice.layer - 1] + slice.firstRow * nIn;
  return pass.narrowWeights.subarray(start, start + slice.length);
}

/** Adam's f32 moments of W⁽¹⁾ cut by group (empty arrays in f64, where none are kept). */
export function momentGroups(
  plan: PassPlan,
  moments: SharedPass['firstLayerMoments'],
): { M: Float32Array[]; S: Float32Array[] } {
  const byGroup = (array: Float32Array) =>
    array.length === 0 ? plan.groups.map(() => array) : [...vectorViews(plan, array).groupWeights];
  return { M: byGroup(moments.M), S: byGroup(moments.S) };
}

/** An array the f32 kernels read: f32 in an f32 pass (the only kind that keeps f32 moments). */
function narrowArray(array: FloatArray): Float32Array {
  if (!(array instanceof Float32Array)) throw new Error('f32 moments need an f32 pass');
  return array;
}
