import type { Dataset } from '../data/dataset.js';
import type { GradientEngine } from './engine.js';
import { createFastEngine } from './fast/engine.js';
import { ReferenceEngine } from './reference-engine.js';

/** Options of the engine training uses. */
export interface EngineOptions {
  /** Worker threads for the fast path; results do not depend on it. */
  readonly threads: number;
  /** The engine will be given batches or asked to evaluate (see `EngineNeeds`). */
  readonly batches?: boolean;
}

/** Creates the gradient engine training uses for a data set: the fast one. */
export async function createEngine(
  dataset: Dataset,
  layerSizes: readonly number[],
  options: EngineOptions,
): Promise<GradientEngine> {
  // Temporary (issue 11 point 4): the fast engine serves only the paper's full batch for now.
  if (options.batches) return new ReferenceEngine(dataset, layerSizes);
  return createFastEngine(dataset, layerSizes, { threads: options.threads });
}
