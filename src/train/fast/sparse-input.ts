import type { Dataset } from '../../data/dataset.js';
import { pixelsPerSample } from '../../data/dataset.js';
import { MnnError } from '../../errors.js';
import type { PairedEntries, SparseColumns, SparseRows } from './input-kernels.js';
import { PAIRED_ROW_BYTES } from './plan.js';
import type { MemoryArena } from './wasm.js';

/**
 * The training images without their zero pixels, in two orders, built once and shared with the
 * workers in the shared WebAssembly memory. A zero pixel adds nothing to Z⁽¹⁾ nor to ∂C/∂W⁽¹⁾,
 * so skipping it is exact. Values stay bytes (A⁽⁰⁾ = byte/255; the 1/255 is folded into the
 * weights and the gradient scale).
 */
export interface SparseInput {
  /** Sample-major: every sample's non-zero pixels. */
  readonly rows: SparseRows;
  /** Pixel-major inside each block of consecutive samples. */
  readonly columns: SparseColumns;
  /**
   * Both orders again by pairs, for plans with paired groups (NeuronGroup.paired) whose engine
   * passes over the whole set (FastEngineOptions.wholeSetPasses) when they fit; else undefined.
   */
  readonly paired: PairedInput | undefined;
  readonly labels: Uint8Array;
  /** Image width and height (n₀ = width · height), for shifts. */
  readonly width: number;
  readonly height: number;
}

/** Counts the non-zero pixels of every sample (an index loop: an iterator is ten times slower). */
function countNonZero(dataset: Dataset): number {
  const { images } = dataset;
  let count = 0;
  for (let i = 0; i < images.length; i++) if (images[i] !== 0) count++;
  return count;
}

/** Builds the sample-major form. */
function buildRows(dataset: Dataset, nonZero: number, arena: MemoryArena): SparseRows {
  const n0 = pixelsPerSample(dataset);
  const rowStart = arena.allocate(Int32Array, dataset.count + 1);
  const rowPixel = arena.allocate(Uint16Array, nonZero);
  const rowValue = arena.allocate(Uint8Array, nonZero);
  let entry = 0;
  for (let s = 0; s < dataset.count; s++) {
    rowStart[s] = entry;
    const base = s * n0;
    for (let j = 0; j < n0; j++) {
      const value = dataset.images[base + j];
      if (value !== 0) {
        rowPixel[entry] = j;
        rowValue[entry] = value;
        entry++;
      }
    }
  }
  rowStart[dataset.count] = entry;
  return { start: rowStart, pixel: rowPixel, value: rowValue };
}

/** Builds the pixel-major-per-block form from the sample-major one (a counting sort per block). */
function buildColumns(
  rows: SparseRows,
  sampleCount: number,
  n0: number,
  blockSize: number,
  arena: MemoryArena,
): SparseColumns {
  const blockCount = Math.ceil(sampleCount / blockSize);
  const columnStart = arena.allocate(Int32Array, blockCount * n0 + 1);
  const columnSample = arena.allocate(Uint8Array, rows.pixel.length);
  const columnValue = arena.allocate(Uint8Array, rows.pixel.length);
  const next = new Int32Array(n0);
  for (let k = 0; k < blockCount; k++) {
    const first = k * blockSize;
    const last = Math.min(sampleCount, first + blockSize);
    next.fill(0);
    for (let e = rows.start[first]; e < rows.start[last]; e++) next[rows.pixel[e]]++;
    let entry = rows.start[first];
    for (let j = 0; j < n0; j++) {
      columnStart[k * n0 + j] = entry;
      const count = next[j];
      next[j] = entry;
      entry += count;
    }
    for (let s = first; s < last; s++) {
      for (let e = rows.start[s]; e < rows.start[s + 1]; e++) {
        const slot = next[rows.pixel[e]]++;
        columnSample[slot] = s - first;
        columnValue[slot] = rows.value[e];
      }
    }
  }
  columnStart[blockCount * n0] = rows.start[sampleCount];
  return { start: columnStart, sample: columnSample, value: columnValue };
}

/**
 * The non-zero pixels again, by pairs, for the paired first-layer kernels (input-kernels.ts):
 * `rows` by pairs of samples (2p, 2p+1), each entry a pixel where either is non-zero with both
 * values; `columns` inside each block by pairs of pixels (2q, 2q+1), each entry a sample of the
 * block where either is non-zero with both values. So a value may be 0: it adds 0·w.
 */
export interface PairedInput {
  readonly rows: PairedEntries;
  readonly columns: PairedEntries;
}

/**
 * Merges two lists of (index, value) sorted by index into `out` from entry `at` as (index·
 * PAIRED_ROW_BYTES, value a or 0, value b or 0) triples, or only counts them without `out`.
 * Returns the entry after the last.
 */
function mergePair(
  indices: Uint16Array | Uint8Array,
  values: Uint8Array,
  [a, aEnd, b, bEnd]: [number, number, number, number],
  out: PairedOut | undefined,
  at: number,
): number {
  let entry = at;
  while (a < aEnd || b < bEnd) {
    const ia = a < aEnd ? indices[a] : Infinity;
    const ib = b < bEnd ? indices[b] : Infinity;
    const index = Math.min(ia, ib);
    if (out !== undefined) {
      out.offsets[3 * entry] = index * PAIRED_ROW_BYTES;
      out.values[3 * entry + 1] = ia === index ? values[a] : 0;
      out.values[3 * entry + 2] = ib === index ? values[b] : 0;
    }
    if (ia === index) a++;
    if (ib === index) b++;
    entry++;
  }
  return entry;
}

/** The two views of a PairedEntries' triples that mergePair writes. */
interface PairedOut {
  readonly offsets: Int32Array;
  readonly values: Float32Array;
}

/** Pairs of lists to merge: pair k's two lists (start and end of each in the indices/values). */
type PairRanges = (pair: number) => [number, number, number, number];

/** How many entries `pairCount` pairs of lists merge into. */
function countPairs(
  pairCount: number,
  ranges: PairRanges,
  indices: Uint16Array | Uint8Array,
  values: Uint8Array,
): number {
  let total = 0;
  for (let k = 0; k < pairCount; k++)
    total = mergePair(indices, values, ranges(k), undefined, total);
  return total;
}

/** Builds a PairedEntries of `pairCount` pairs (`total` entries, as countPairs counted them). */
function buildPairs(
  pairCount: number,
  total: number,
  ranges: PairRanges,
  indices: Uint16Array | Uint8Array,
  values: Uint8Array,
  arena: MemoryArena,
): PairedEntries {
  const start = arena.allocate(Int32Array, pairCount + 1);
  const triples = arena.allocate(Int32Array, 3 * total);
  const out = {
    offsets: triples,
    values: new Float32Array(triples.buffer, triples.byteOffset, triples.length),
  };
  let entry = 0;
  for (let k = 0; k < pairCount; k++) {
    start[k] = entry;
    entry = mergePair(indices, values, ranges(k), out, entry);
  }
  start[pairCount] = entry;
  return { start, triples };
}

/**
 * Builds the paired forms from the single ones: samples paired inside blocks of `blockSize`
 * (even) samples, so that a block's pairs are consecutive; a last odd sample is paired with none.
 * Returns undefined, building nothing, when they would leave the arena less than `reserve`
 * bytes: the kernels do without them (the single ones give the same sums), only slower.
 */
export function buildPairedInput(
  rows: SparseRows,
  columns: SparseColumns,
  sampleCount: number,
  n0: number,
  blockSize: number,
  arena: MemoryArena,
  reserve = 0,
): PairedInput | undefined {
  const samplePairs = Math.ceil(sampleCount / 2);
  const sampleRange: PairRanges = (pair) => {
    const second = Math.min(2 * pair + 1, sampleCount);
    const end = rows.start[Math.min(2 * pair + 2, sampleCount)];
    return [rows.start[2 * pair], rows.start[second], rows.start[second], end];
  };
  // Block k's pixel pair q is pair k·n₀/2 + q: its two columns are k·n₀ + 2q and the next.
  const pixelPairs = (Math.ceil(sampleCount / blockSize) * n0) / 2;
  const pixelRange: PairRanges = (pair) => {
    const at = 2 * pair;
    return [columns.start[at], columns.start[at + 1], columns.start[at + 1], columns.start[at + 2]];
  };
  const rowEntries = countPairs(samplePairs, sampleRange, rows.pixel, rows.value);
  const columnEntries = countPairs(pixelPairs, pixelRange, columns.sample, columns.value);
  const bytes = 12 * (rowEntries + columnEntries) + 4 * (samplePairs + pixelPairs + 2) + 64;
  if (bytes > arena.free - reserve) return undefined;
  return {
    rows: buildPairs(samplePairs, rowEntries, sampleRange, rows.pixel, rows.value, arena),
    columns: buildPairs(
      pixelPairs,
      columnEntries,
      pixelRange,
      columns.sample,
      columns.value,
      arena,
    ),
  };
}

/**
 * Builds both sparse forms of `dataset` for blocks of `blockSize` samples in `arena`'s memory
 * (without the paired forms: buildPairedInput adds them).
 */
export function buildSparseInput(
  dataset: Dataset,
  blockSize: number,
  arena: MemoryArena,
): SparseInput {
  const n0 = pixelsPerSample(dataset);
  if (n0 > 65536) {
    throw new MnnError(
      `images of ${n0} pixels are too large for the fast engine (at most 65536); use the reference engine`,
    );
  }
  const rows = buildRows(dataset, countNonZero(dataset), arena);
  const labels = arena.allocate(Uint8Array, dataset.count);
  labels.set(dataset.labels.subarray(0, dataset.count));
  const columns = buildColumns(rows, dataset.count, n0, blockSize, arena);
  return {
    rows,
    columns,
    paired: undefined,
    labels,
    width: dataset.cols,
    height: dataset.rows,
  };
}

/**
 * The samples of one block of a batch, gathered from the sparse input in both orders (its
 * column form is block 0 of `columns`), with their labels. One per thread, reused block after
 * block; sized for blocks of up to `blockSize` samples whose every pixel may be non-zero.
 */
export interface SparseBlock {
  readonly rows: SparseRows;
  readonly columns: SparseColumns;
  readonly labels: Uint8Array;
  /** Counting-sort scratch: one counter per pixel. */
  readonly next: Int32Array;
}

/** Allocates a SparseBlock for blocks of `blockSize` samples of `n0` pixels in `arena`. */
export function allocateSparseBlock(
  arena: MemoryArena,
  blockSize: number,
  n0: number,
): SparseBlock {
  const entries = blockSize * n0;
  return {
    rows: {
      start: arena.allocate(Int32Array, blockSize + 1),
      pixel: arena.allocate(Uint16Array, entries),
      value: arena.allocate(Uint8Array, entries),
    },
    columns: {
      start: arena.allocate(Int32Array, n0 + 1),
      sample: arena.allocate(Uint8Array, entries),
      value: arena.allocate(Uint8Array, entries),
    },
    labels: arena.allocate(Uint8Array, blockSize),
    next: arena.allocate(Int32Array, n0),
  };
}
