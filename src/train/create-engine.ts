import type { Dataset } from '../data/dataset.js';
import type { GradientEngine } from './engine.js';
import { ReferenceEngine } from './reference-engine.js';

/** Options of the engine training uses. */
export interface EngineOptions {
  /** Worker threads for the fast path; results do not depend on it. */
  readonly threads: number;
}

/** Creates the gradient engine training uses for a data set. */
export async function createEngine(
  dataset: Dataset,
  layerSizes: readonly number[],
  _options: EngineOptions,
): Promise<GradientEngine> {
  return new ReferenceEngine(dataset, layerSizes);
}
