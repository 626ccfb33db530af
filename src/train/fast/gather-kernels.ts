/**
 * Gathering a block of a batch from the sparse input, as WebAssembly: each sample's non-zero
 * pixels copied (or shifted) into the block's row form, then sorted into its column form. A
 * batch step runs this for every block, so it is worth the speed (about twice the plain loops).
 */
import type { SparseBlock, SparseInput } from './sparse-input.js';
import type { Local } from './wasm-module.js';
import {
  FunctionBuilder,
  buildModule,
  code,
  forEach,
  forRange,
  get,
  i32,
  ifThen,
  increment,
  loopUntil,
  memoryFill,
  set,
} from './wasm-module.js';
import type { WasmMemory } from './wasm.js';
import { KernelModule, address } from './wasm.js';

/** The gather of one block. */
export interface GatherKernels {
  /**
   * Gathers samples[first .. first+count−1] into `block`, sample k shifted shifts[2k] pixels
   * right and shifts[2k+1] down (Batch, src/train/engine.ts): the pixel at (x, y) moves to
   * (x+dx, y+dy) and is dropped where that falls outside the image. The shift only moves
   * indices: the shifted image's zero pixels are the moved zeros and the uncovered border. The
   * block's column form is block 0 of `block.columns`, stable in sample order.
   */
  gather(
    block: SparseBlock,
    input: SparseInput,
    samples: Uint32Array,
    first: number,
    count: number,
    shifts: Int8Array | undefined,
  ): void;
}

/** base + (index << shift): the address of element `index` of an array of 2^shift-byte items. */
function at(base: Local, index: Local, shift: number): number[] {
  return shift === 0
    ? code(get(base), get(index), i32.add)
    : code(get(base), get(index), i32.const(shift), i32.shl, i32.add);
}

/** The `gatherRows` function: the block's row form and labels. */
function gatherRowsFunction() {
  const builder = new FunctionBuilder('gatherRows');
  const [outStart, outPixel, outValue, outLabels, inStart, inPixel, inValue, inLabels] =
    builder.parameters(
      'outStart',
      'outPixel',
      'outValue',
      'outLabels',
      'inStart',
      'inPixel',
      'inValue',
      'inLabels',
    );
  const [samples, shifts, shifted, count, width, height] = builder.parameters(
    'samples', // of the block's first sample index
    'shifts', // of its first (dx, dy), when `shifted`
    'shifted',
    'count',
    'width',
    'height',
  );
  const s = builder.local('s', 'i32');
  const sample = builder.local('sample', 'i32');
  const e = builder.local('e', 'i32');
  const end = builder.local('end', 'i32');
  const entry = builder.local('entry', 'i32');
  const dx = builder.local('dx', 'i32');
  const dy = builder.local('dy', 'i32');
  const move = builder.local('move', 'i32'); // dy·width + dx: how far a pixel index moves
  const y = builder.local('y', 'i32');
  const rowEnd = builder.local('rowEnd', 'i32'); // (y + 1)·width
  const pixel = builder.local('pixel', 'i32');
  const x = builder.local('x', 'i32');
  // out[entry] = (pixel index `to`, in[e]'s value); entry += 1
  const append = (to: number[]) =>
    code(
      at(outPixel, entry, 1),
      to,
      i32.store16(),
      at(outValue, entry, 0),
      at(inValue, e, 0),
      i32.load8_u(),
      i32.store8(),
      increment(entry, 1),
    );
  const copy = forRange(e, get(e), get(end), append(code(at(inPixel, e, 1), i32.load16_u())));
  // Entries come in pixel order, so the image row y advances as the pixel passes rowEnd. A
  // moved coordinate outside [0, size) is, as an unsigned number, at least size.
  const inside = (coordinate: Local, step: Local, size: Local) =>
    code(get(coordinate), get(step), i32.add, get(size), i32.lt_u);
  const shift = code(
    set(move, code(get(dy), get(width), i32.mul, get(dx), i32.add)),
    set(y, i32.const(0)),
    set(rowEnd, get(width)),
    forRange(
      e,
      get(e),
      get(end),
      code(
        set(pixel, code(at(inPixel, e, 1), i32.load16_u())),
        loopUntil(
          code(get(pixel), get(rowEnd), i32.lt_u),
          code(increment(y, 1), increment(rowEnd, get(width))),
        ),
        set(x, code(get(pixel), get(rowEnd), i32.sub, get(width), i32.add)),
        ifThen(
          code(inside(x, dx, width), inside(y, dy, height), i32.and),
          append(code(get(pixel), get(move), i32.add)),
        ),
      ),
    ),
  );
  const perSample = code(
    set(sample, code(at(samples, s, 2), i32.load())),
    at(outStart, s, 2),
    get(entry),
    i32.store(),
    at(outLabels, s, 0),
    at(inLabels, sample, 0),
    i32.load8_u(),
    i32.store8(),
    set(e, code(at(inStart, sample, 2), i32.load())),
    set(end, code(at(inStart, sample, 2), i32.load(4))),
    set(dx, i32.const(0)),
    set(dy, i32.const(0)),
    ifThen(
      get(shifted),
      code(
        set(dx, code(at(shifts, s, 1), i32.load8_s())),
        set(dy, code(at(shifts, s, 1), i32.load8_s(1))),
      ),
    ),
    ifThen(code(get(dx), get(dy), i32.or, i32.eqz), copy),
    ifThen(code(get(dx), get(dy), i32.or), shift),
  );
  return builder.build(
    code(
      set(entry, i32.const(0)),
      forEach(s, count, perSample),
      at(outStart, count, 2),
      get(entry),
      i32.store(),
    ),
  );
}

/** The `sortColumns` function: the block's column form from its row form (a counting sort). */
function sortColumnsFunction() {
  const builder = new FunctionBuilder('sortColumns');
  const [columnStart, columnSample, columnValue, rowStart, rowPixel, rowValue, next, count, n0] =
    builder.parameters(
      'columnStart',
      'columnSample',
      'columnValue',
      'rowStart',
      'rowPixel',
      'rowValue',
      'next', // n₀ counters: entries per pixel, then each pixel's next free slot
      'count',
      'n0',
    );
  const e = builder.local('e', 'i32');
  const entries = builder.local('entries', 'i32');
  const j = builder.local('j', 'i32');
  const s = builder.local('s', 'i32');
  const counter = builder.local('counter', 'i32'); // the address of next[pixel]
  const position = builder.local('position', 'i32');
  const slot = builder.local('slot', 'i32');
  const pixelEntries = builder.local('pixelEntries', 'i32');
  const pixelCounter = code(
    set(
      counter,
      code(get(next), at(rowPixel, e, 1), i32.load16_u(), i32.const(2), i32.shl, i32.add),
    ),
  );
  return builder.build(
    code(
      get(next),
      i32.const(0),
      get(n0),
      i32.const(2),
      i32.shl,
      memoryFill,
      set(entries, code(at(rowStart, count, 2), i32.load())),
      // next[p] = entries with pixel p
      forEach(
        e,
        entries,
        code(
          pixelCounter,
          get(counter),
          get(counter),
          i32.load(),
          i32.const(1),
          i32.add,
          i32.store(),
        ),
      ),
      // columnStart[p] = next[p] = entries of the pixels before p
      set(position, i32.const(0)),
      forEach(
        j,
        n0,
        code(
          set(counter, at(next, j, 2)),
          set(pixelEntries, code(get(counter), i32.load())),
          at(columnStart, j, 2),
          get(position),
          i32.store(),
          get(counter),
          get(position),
          i32.store(),
          increment(position, get(pixelEntries)),
        ),
      ),
      at(columnStart, n0, 2),
      get(position),
      i32.store(),
      // each entry into its pixel's next slot, samples in order
      forEach(
        s,
        count,
        forRange(
          e,
          code(at(rowStart, s, 2), i32.load()),
          code(at(rowStart, s, 2), i32.load(4)),
          code(
            pixelCounter,
            set(slot, code(get(counter), i32.load())),
            get(counter),
            get(slot),
            i32.const(1),
            i32.add,
            i32.store(),
            at(columnSample, slot, 0),
            get(s),
            i32.store8(),
            at(columnValue, slot, 0),
            at(rowValue, e, 0),
            i32.load8_u(),
            i32.store8(),
          ),
        ),
      ),
    ),
  );
}

let moduleBytes: Uint8Array | undefined;

/** The module of the gather kernels (built once). */
export function gatherModule(): Uint8Array {
  moduleBytes ??= buildModule([gatherRowsFunction(), sortColumnsFunction()]);
  return moduleBytes;
}

/** The gather kernels over `memory`, called with views into it. */
export function gatherKernels(memory: WasmMemory): GatherKernels {
  const module = new KernelModule(gatherModule(), memory);
  const gatherRows = module.kernel('gatherRows');
  const sortColumns = module.kernel('sortColumns');
  return {
    gather(block, input, samples, first, count, shifts) {
      const n0 = input.width * input.height;
      const { rows, columns } = block;
      gatherRows(
        address(rows.start, 0, count + 1),
        address(rows.pixel, 0, count * n0),
        address(rows.value, 0, count * n0),
        address(block.labels, 0, count),
        input.rows.start.byteOffset,
        input.rows.pixel.byteOffset,
        input.rows.value.byteOffset,
        input.labels.byteOffset,
        address(samples, first, count),
        shifts === undefined ? 0 : address(shifts, 2 * first, 2 * count),
        shifts === undefined ? 0 : 1,
        count,
        input.width,
        input.height,
      );
      sortColumns(
        address(columns.start, 0, n0 + 1),
        address(columns.sample, 0, count * n0),
        address(columns.value, 0, count * n0),
        rows.start.byteOffset,
        rows.pixel.byteOffset,
        rows.value.byteOffset,
        address(block.next, 0, n0),
        count,
        n0,
      );
    },
  };
}
