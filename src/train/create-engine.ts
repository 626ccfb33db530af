import type { Dataset } from '../data/dataset.js';
import type { GradientEngine } from './engine.js';
import { createFastEngine } from './fast/engine.js';

/** Options of the engine training uses. */
export interface EngineOptions {
  /** Worker threads for the fast path; results do not depend on it. */
  readonly threads: number;
}

/** Creates the gradient engine training uses for a data set: the fast one. */
export async function createEngine(
  dataset: Dataset,
  layerSizes: readonly number[],
  options: EngineOptions,
): Promise<GradientEngine> {
  return createFastEngine(dataset, layerSizes, { threads: options.threads });
}
