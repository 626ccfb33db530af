/**
 * The little of WebAssembly the fast engine uses: a shared linear memory that every thread sees,
 * and a byte emitter for the handful of instructions its kernels need. TypeScript's ES2022 and
 * Node type libraries do not declare the WebAssembly global, so its used part is typed here.
 */

/** A WebAssembly linear memory; `buffer` is a SharedArrayBuffer when the memory is shared. */
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}

interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** The runtime's WebAssembly object. */
export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Bytes per WebAssembly page. */
export const PAGE_BYTES = 65536;
/** Pages reserved for a shared memory (2 GiB); only the pages grown into are committed. */
export const MAX_PAGES = 32768;

/** Value types. */
export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;

/** Unsigned LEB128. */
export function uleb(value: number): number[] {
  const bytes: number[] = [];
  let rest = value >>> 0;
  do {
    const low = rest & 0x7f;
    rest >>>= 7;
    bytes.push(rest === 0 ? low : low | 0x80);
  } while (rest !== 0);
  return bytes;
}

/** Signed LEB128 of a 32-bit integer. */
export function sleb(value: number): number[] {
  const bytes: number[] = [];
  let rest = value | 0;
  for (;;) {
    const low = rest & 0x7f;
    rest >>= 7;
    const done = (rest === 0 && (low & 0x40) === 0) || (rest === -1 && (low & 0x40) !== 0);
    bytes.push(done ? low : low | 0x80);
    if (done) return bytes;
  }
}

/** A length-prefixed UTF-8 name. */
function name(text: string): number[] {
  const bytes = [...Buffer.from(text, 'utf8')];
  return [...uleb(bytes.length), ...bytes];
}

/** A section: id, byte length, contents. */
function section(id: number, contents: number[]): number[] {
  return [id, ...uleb(contents.length), ...contents];
}

/** A vector: element count, then the elements. */
function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** Instructions, as emitted bytes. Memory offsets are in bytes; alignments are log2 of bytes. */
export const op = {
  block: [0x02, 0x40],
  if: [0x04, 0x40],
  select: [0x1b],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  get: (local: number) => [0x20, ...uleb(local)],
  set: (local: number) => [0x21, ...uleb(local)],
  i32Const: (value: number) => [0x41, ...sleb(value)],
  i32Load: (offset = 0) => [0x28, 2, ...uleb(offset)],
  i32Load8U: (offset = 0) => [0x2d, 0, ...uleb(offset)],
  i32Load16U: (offset = 0) => [0x2f, 1, ...uleb(offset)],
  f64Load: (offset = 0) => [0x2b, 3, ...uleb(offset)],
  f64Store: (offset = 0) => [0x39, 3, ...uleb(offset)],
  i32Eqz: [0x45],
  i32LtU: [0x49],
  i32Ne: [0x47],
  i32GeU: [0x4f],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32Shl: [0x74],
  f64Ne: [0x62],
  f64Gt: [0x64],
  f64Add: [0xa0],
  f64Mul: [0xa2],
  f64ConvertI32U: [0xb8],
  f64Const0: [0x44, 0, 0, 0, 0, 0, 0, 0, 0],
  v128Load: (offset = 0) => [0xfd, 0x00, 3, ...uleb(offset)],
  v128Store: (offset = 0) => [0xfd, 0x0b, 3, ...uleb(offset)],
  /** memory.fill(address, value, length) from the stack. */
  memoryFill: [0xfc, ...uleb(11), 0x00],
  v128Const0: [0xfd, 0x0c, ...new Array<number>(16).fill(0)],
  f64x2Splat: [0xfd, 0x14],
  f64x2Gt: [0xfd, 0x4a],
  v128And: [0xfd, 0x4e],
  f64x2Add: [0xfd, ...uleb(0xf0)],
  f64x2Mul: [0xfd, ...uleb(0xf2)],
} as const;

/** One function: its parameter count (all i32, no results), extra locals and body. */
export interface WasmFunction {
  readonly exportName: string;
  readonly params: number;
  /** Extra locals by type, declared after the parameters in this order. */
  readonly locals: readonly (readonly [count: number, type: number])[];
  readonly body: readonly number[];
}

/** A module that imports `env.memory` (shared, MAX_PAGES at most) and exports `functions`. */
export function buildModule(functions: readonly WasmFunction[]): Uint8Array {
  const types = functions.map((f) => [
    0x60,
    ...vector(Array.from({ length: f.params }, () => [I32])),
    0,
  ]);
  const imports = [[...name('env'), ...name('memory'), 0x02, 0x03, 0, ...uleb(MAX_PAGES)]];
  const exports = functions.map((f, i) => [...name(f.exportName), 0x00, ...uleb(i)]);
  const bodies = functions.map((f) => {
    const code = [...vector(f.locals.map(([count, type]) => [...uleb(count), type])), ...f.body];
    code.push(...op.end);
    return [...uleb(code.length), ...code];
  });
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types)),
    ...section(2, vector(imports)),
    ...section(3, vector(functions.map((_, i) => uleb(i)))),
    ...section(7, vector(exports)),
    ...section(10, vector(bodies)),
  ]);
}

/** Instantiates `bytes` over `memory` and returns its exports. */
export function instantiate(bytes: Uint8Array, memory: WasmMemory): Record<string, unknown> {
  return new wasm.Instance(new wasm.Module(bytes), { env: { memory } }).exports;
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

  /** A zeroed array of `length` elements of `kind` in the memory. */
  allocate<T>(
    kind: { new (buffer: SharedArrayBuffer, byteOffset: number, length: number): T },
    bytesPerElement: number,
    length: number,
  ): T {
    const start = this.end;
    this.end = start + Math.ceil((Math.max(1, length) * bytesPerElement) / 16) * 16;
    const have = this.memory.buffer.byteLength;
    if (this.end > have) this.memory.grow(Math.ceil((this.end - have) / PAGE_BYTES));
    return new kind(this.memory.buffer, start, length);
  }
}
