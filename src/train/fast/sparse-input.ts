import type { Dataset } from '../../data/dataset.js';
import { pixelsPerSample } from '../../data/dataset.js';
import { MnnError } from '../../errors.js';
import type { SparseColumns, SparseRows } from './input-kernels.js';
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

/** Builds both sparse forms of `dataset` for blocks of `blockSize` samples in `arena`'s memory. */
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
  return { rows, columns, labels, width: dataset.cols, height: dataset.rows };
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
