import type { Dataset } from '../data/dataset.js';
import type { GradientEngine, Precision } from './engine.js';
import { createFastEngine } from './fast/engine.js';

/** Options of the engine training uses. */
export interface EngineOptions {
  /** Worker threads for the fast path; results do not depend on it. */
  readonly threads: number;
  /** What forward and backward compute in (default f64). */
  readonly precision?: Precision;
  /** Whether passes over the whole set will run (default true; EngineUse). */
  readonly wholeSetPasses?: boolean;
}

/** Creates the gradient engine training uses for a data set: the fast one. */
export async function createEngine(
  dataset: Dataset,
  layerSizes: readonly number[],
  options: EngineOptions,
): Promise<GradientEngine> {
  return createFastEngine(dataset, layerSizes, options);
}
