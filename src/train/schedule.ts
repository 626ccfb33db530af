import type { ScheduleSettings } from '../nn/training-settings.js';

/**
 * How the learning rate α_t changes over the steps t = 1..T (docs/math.md, Beyond the paper):
 * constant (the paper's), cosine annealing down to `lrMin`, or a step decay by `gamma` every
 * `stepEvery` epochs; any of them with an optional linear warm-up over the first `warmup` steps.
 */
export type { ScheduleSettings };

/** The schedule names, as the settings' `kind`. */
export type ScheduleKind = ScheduleSettings['kind'];

/** The paper's schedule: α_t = α at every step. */
export const CONSTANT_SCHEDULE: ScheduleSettings = { kind: 'constant', warmup: 0 };

/** Where step t stands: its number (1-based), the run's total T, and its epoch (0-based). */
export interface StepPosition {
  readonly t: number;
  readonly total: number;
  readonly epoch: number;
}

/** α_t for step t under a schedule, learning rate α being `alpha`. */
export function learningRate(
  schedule: ScheduleSettings,
  alpha: number,
  { t, total, epoch }: StepPosition,
): number {
  let alphaT = alpha; // constant: α_t = α
  if (schedule.kind === 'cosine') {
    const { lrMin } = schedule;
    alphaT = lrMin + 0.5 * (alpha - lrMin) * (1 + Math.cos((Math.PI * (t - 1)) / total)); // α_min + ½ (α − α_min) (1 + cos(π (t−1) / T))
  } else if (schedule.kind === 'step') {
    alphaT = alpha * schedule.gamma ** Math.floor(epoch / schedule.stepEvery); // α · γ^⌊epoch / k⌋
  }
  if (t <= schedule.warmup) alphaT = (alphaT * t) / schedule.warmup; // warm-up: α_t ← α_t · t / w
  return alphaT;
}
