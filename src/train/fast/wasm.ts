/**
 * The little of the WebAssembly runtime the fast engine uses: a shared linear memory that every
 * thread sees, arrays allocated in it, and calls into generated kernels with typed-array
 * arguments. (Writing the kernels: wasm-module.ts.) TypeScript's ES2022 and Node type libraries
 * do not declare the WebAssembly global, so its used part is typed here.
 */

/** A WebAssembly linear memory; `buffer` is a SharedArrayBuffer when the memory is shared. */
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}

interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  validate(bytes: Uint8Array): boolean;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** The runtime's WebAssembly object. */
export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Bytes per WebAssembly page. */
export const PAGE_BYTES = 65536;
/** Pages reserved for a shared memory (2 GiB); only the pages grown into are committed. */
export const MAX_PAGES = 32768;

/** A generated function as exported: every argument is an i32 (a byte address or a count). */
export type RawKernel = (...args: number[]) => void;

/** The exports of a kernel module instantiated over a memory. */
export class KernelModule {
  private readonly exports: Record<string, unknown>;

  /** Instantiates `bytes` over `memory`. */
  constructor(bytes: Uint8Array, memory: WasmMemory) {
    this.exports = new wasm.Instance(new wasm.Module(bytes), { env: { memory } }).exports;
  }

  /** The exported function `name`. */
  kernel(name: string): RawKernel {
    const exported = this.exports[name];
    if (!isKernel(exported)) throw new Error(`the kernel module exports no function ${name}`);
    return exported;
  }
}

/** True for a function (generated kernels take numbers and return nothing). */
function isKernel(value: unknown): value is RawKernel {
  return typeof value === 'function';
}

/** A typed array that may live in a kernel memory. */
export type MemoryView =
  Float64Array | Float32Array | Int32Array | Uint32Array | Uint16Array | Uint8Array | Int8Array;

/**
 * The byte address of `view[index]` for a kernel, after checking that the kernel's `length`
 * elements from there lie inside the view, and that the view is in a shared (kernel) memory at
 * all: a kernel, unlike a typed array, would silently read or write past it, or read whatever
 * lies at that offset of its own memory for an array from elsewhere.
 */
export function address(view: MemoryView, index: number, length: number): number {
  if (!(view.buffer instanceof SharedArrayBuffer)) {
    throw new TypeError('a kernel can only use arrays in its shared WebAssembly memory');
  }
  if (!(index >= 0 && length >= 0 && index + length <= view.length)) {
    throw new RangeError(
      `a kernel would access elements ${index}..${index + length - 1} of an array of ${view.length}`,
    );
  }
  return view.byteOffset + index * view.BYTES_PER_ELEMENT;
}

/** A fresh shared memory of `pages` pages that can grow to MAX_PAGES. */
export function sharedMemory(pages: number): WasmMemory {
  return new wasm.Memory({ initial: pages, maximum: MAX_PAGES, shared: true });
}

/**
 * Hands out 16-byte-aligned typed arrays from a shared memory, growing it as needed. Growing a
 * shared memory never moves it, so arrays handed out earlier stay valid.
 */
export class MemoryArena {
  private end = 0;

  constructor(readonly memory: WasmMemory) {}

  /** Bytes still to be handed out before the memory reaches MAX_PAGES. */
  get free(): number {
    return MAX_PAGES * PAGE_BYTES - this.end;
  }

  /** A zeroed array of `length` elements of `kind` in the memory. */
  allocate<T>(
    kind: {
      new (buffer: SharedArrayBuffer, byteOffset: number, length: number): T;
      readonly BYTES_PER_ELEMENT: number;
    },
    length: number,
  ): T {
    const start = this.end;
    this.end = start + Math.ceil((Math.max(1, length) * kind.BYTES_PER_ELEMENT) / 16) * 16;
    const have = this.memory.buffer.byteLength;
    if (this.end > have) this.memory.grow(Math.ceil((this.end - have) / PAGE_BYTES));
    return new kind(this.memory.buffer, start, length);
  }
}
