import type { Dataset } from '../../src/data/dataset.js';
import type { SparseInput } from '../../src/train/fast/sparse-input.js';
import { buildPairedInput, buildSparseInput } from '../../src/train/fast/sparse-input.js';
import type { MemoryArena } from '../../src/train/fast/wasm.js';

/** The sparse input of `dataset` with its paired forms, as an engine with paired groups has it. */
export function sparseInputWithPairs(
  dataset: Dataset,
  blockSize: number,
  arena: MemoryArena,
): SparseInput {
  const input = buildSparseInput(dataset, blockSize, arena);
  const n0 = dataset.rows * dataset.cols;
  const { rows, columns } = input;
  return { ...input, paired: buildPairedInput(rows, columns, dataset.count, n0, blockSize, arena) };
}
