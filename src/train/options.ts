import { MnnError } from '../errors.js';
import { layerSizesProblem } from '../nn/parameters.js';
import type { TrainOptions } from './train.js';

/** Whether a value is a whole number in [min, max]. */
function isWhole(value: number, min: number, max = Number.MAX_SAFE_INTEGER): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** The MnnError for an option that cannot work, naming the option for front ends. */
function badOption(option: string, problem: string): MnnError {
  return new MnnError(`${option} ${problem}`, { kind: 'usage', option });
}

/**
 * Refuses training options that cannot work, before any work is done: each problem is an
 * MnnError of kind 'usage' naming the option (the CLI checks its flags earlier, in its words).
 */
export function checkTrainOptions(options: TrainOptions): void {
  const layers = layerSizesProblem(options.layerSizes);
  if (layers !== undefined)
    throw badOption('layerSizes', `[${options.layerSizes.join(', ')}]: ${layers}`);
  if (!(options.alpha > 0) || !Number.isFinite(options.alpha)) {
    throw badOption('alpha', `must be a learning rate above 0, got ${options.alpha}`);
  }
  if (!isWhole(options.iterations, 0)) {
    throw badOption(
      'iterations',
      `must be a whole number of at least 0, got ${options.iterations}`,
    );
  }
  if (!isWhole(options.seed, 0, 2 ** 32 - 1)) {
    throw badOption('seed', `must be a whole number from 0 to 2³² − 1, got ${options.seed}`);
  }
  if (options.init !== 'he' && options.init !== 'uniform') {
    throw badOption('init', `must be 'he' or 'uniform', got ${String(options.init)}`);
  }
  if (!isWhole(options.evalEvery, 1)) {
    throw badOption('evalEvery', `must be a whole number of at least 1, got ${options.evalEvery}`);
  }
  if (options.checkpointEvery !== undefined && !isWhole(options.checkpointEvery, 0)) {
    throw badOption(
      'checkpointEvery',
      `must be a whole number of at least 0, got ${options.checkpointEvery}`,
    );
  }
}
