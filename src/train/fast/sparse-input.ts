import type { Dataset } from '../../data/dataset.js';
import { pixelsPerSample } from '../../data/dataset.js';
import { MnnError } from '../../errors.js';
import type { MemoryArena } from './wasm.js';

/**
 * The training images without their zero pixels, in two orders, built once and shared with the
 * workers in the shared WebAssembly memory. A zero pixel adds nothing to Z⁽¹⁾ nor to ∂C/∂W⁽¹⁾, so skipping it is exact. Values stay
 * bytes (A⁽⁰⁾ = byte/255; the 1/255 is folded into the weights and the gradient scale).
 */
export interface SparseInput {
  /** Sample-major (CSR): sample s's non-zero pixels are entries rowStart[s] .. rowStart[s+1]−1. */
  readonly rowStart: Int32Array;
  readonly rowPixel: Uint16Array;
  readonly rowValue: Uint8Array;
  /**
   * Pixel-major inside each block (CSC): the samples of block k with pixel j non-zero are entries
   * columnStart[k·n₀ + j] .. columnStart[k·n₀ + j + 1]−1, in sample order.
   */
  readonly columnStart: Int32Array;
  /** Index of the sample inside its block (blocks hold at most 256 samples). */
  readonly columnSample: Uint8Array;
  readonly columnValue: Uint8Array;
  readonly labels: Uint8Array;
}

/** Counts the non-zero pixels of every sample. */
function countNonZero(dataset: Dataset): number {
  let count = 0;
  for (const pixel of dataset.images) if (pixel !== 0) count++;
  return count;
}

/** Builds the sample-major form. */
function buildRows(
  dataset: Dataset,
  nonZero: number,
  arena: MemoryArena,
): Pick<SparseInput, 'rowStart' | 'rowPixel' | 'rowValue'> {
  const n0 = pixelsPerSample(dataset);
  const rowStart = arena.allocate(Int32Array, 4, dataset.count + 1);
  const rowPixel = arena.allocate(Uint16Array, 2, nonZero);
  const rowValue = arena.allocate(Uint8Array, 1, nonZero);
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
  return { rowStart, rowPixel, rowValue };
}

/** Builds the pixel-major-per-block form from the sample-major one (a counting sort per block). */
function buildColumns(
  rows: Pick<SparseInput, 'rowStart' | 'rowPixel' | 'rowValue'>,
  sampleCount: number,
  n0: number,
  blockSize: number,
  arena: MemoryArena,
): Pick<SparseInput, 'columnStart' | 'columnSample' | 'columnValue'> {
  const blockCount = Math.ceil(sampleCount / blockSize);
  const columnStart = arena.allocate(Int32Array, 4, blockCount * n0 + 1);
  const columnSample = arena.allocate(Uint8Array, 1, rows.rowPixel.length);
  const columnValue = arena.allocate(Uint8Array, 1, rows.rowPixel.length);
  const next = new Int32Array(n0);
  for (let k = 0; k < blockCount; k++) {
    const first = k * blockSize;
    const last = Math.min(sampleCount, first + blockSize);
    next.fill(0);
    for (let e = rows.rowStart[first]; e < rows.rowStart[last]; e++) next[rows.rowPixel[e]]++;
    let entry = rows.rowStart[first];
    for (let j = 0; j < n0; j++) {
      columnStart[k * n0 + j] = entry;
      const count = next[j];
      next[j] = entry;
      entry += count;
    }
    for (let s = first; s < last; s++) {
      for (let e = rows.rowStart[s]; e < rows.rowStart[s + 1]; e++) {
        const slot = next[rows.rowPixel[e]]++;
        columnSample[slot] = s - first;
        columnValue[slot] = rows.rowValue[e];
      }
    }
  }
  columnStart[blockCount * n0] = rows.rowStart[sampleCount];
  return { columnStart, columnSample, columnValue };
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
  const labels = arena.allocate(Uint8Array, 1, dataset.count);
  labels.set(dataset.labels.subarray(0, dataset.count));
  return { ...rows, ...buildColumns(rows, dataset.count, n0, blockSize, arena), labels };
}
