/**
 * Parameter-shaped vectors in the shared memory ("slots"), laid out as Parameters are (W⁽¹⁾ …
 * W⁽ᴸ⁾ row-major, then b⁽¹⁾ … b⁽ᴸ⁾): the parameters a phase reads, the gradient a reduce
 * writes, an optimizer's state. Arrays a caller got from the engine are slots themselves, so
 * phases use them in place; anything else is copied into the input and output slots.
 */
import type { Parameters } from '../../nn/parameters.js';
import type { PassPlan, VectorViews } from './plan.js';
import { vectorViews } from './plan.js';
import type { MemoryArena, WasmMemory } from './wasm.js';

/** The slot parameters from outside are copied into. */
export const INPUT_SLOT = 0;
/** The slot gradients for arrays from outside are written to, then copied out. */
export const OUTPUT_SLOT = 1;
/** Slots an engine can hold: input, output, and up to 14 handed out (θ, g, V or M and S, …). */
export const MAX_SLOTS = 16;

/** The table of slot addresses: MAX_SLOTS byte offsets, then how many slots exist. */
export const SLOT_TABLE_WORDS = MAX_SLOTS + 1;

/** One slot's vector, its parts, and the same arrays as Parameters. */
export interface Slot {
  readonly vector: Float64Array;
  readonly parts: VectorViews;
  readonly parameters: Parameters;
}

/** The slots of one engine, seen from one thread (views are made once per slot and thread). */
export class ParameterSlots {
  private readonly slots: Slot[] = [];

  constructor(
    private readonly plan: PassPlan,
    private readonly memory: WasmMemory,
    private readonly table: Int32Array,
  ) {}

  /** Slot `index`, which must exist. */
  get(index: number): Slot {
    const count = Atomics.load(this.table, MAX_SLOTS);
    if (index < 0 || index >= count) throw new RangeError(`no parameter slot ${index}`);
    this.slots[index] ??= this.view(this.table[index]);
    return this.slots[index];
  }

  /** A new zeroed slot (main thread only, between phases); returns its index. */
  allocate(arena: MemoryArena): number {
    const index = Atomics.load(this.table, MAX_SLOTS);
    if (index >= MAX_SLOTS) {
      throw new RangeError(`the fast engine holds at most ${MAX_SLOTS - 2} parameter sets`);
    }
    this.table[index] = arena.allocate(Float64Array, this.plan.parameterCount).byteOffset;
    Atomics.store(this.table, MAX_SLOTS, index + 1);
    return index;
  }

  /** The slot whose arrays `params` are, if it is one. */
  indexOf(params: Parameters): number | undefined {
    const count = Atomics.load(this.table, MAX_SLOTS);
    for (let index = 0; index < count; index++) {
      const slot = this.get(index).parameters;
      const same =
        slot.W.every((W, l) => params.W[l] === W) && slot.b.every((b, l) => params.b[l] === b);
      if (same) return index;
    }
    return undefined;
  }

  private view(byteOffset: number): Slot {
    const vector = new Float64Array(this.memory.buffer, byteOffset, this.plan.parameterCount);
    const parts = vectorViews(this.plan, vector);
    return {
      vector,
      parts,
      parameters: { layerSizes: this.plan.layerSizes, W: [...parts.W], b: [...parts.b] },
    };
  }
}
