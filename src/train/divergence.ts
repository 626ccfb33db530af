import { MnnError } from '../errors.js';

/**
 * When training has diverged, as one small rule every training loop applies to each loss it
 * computes (issue 9): the loss is NaN or infinite, or it exploded — more than
 * DIVERGENCE_FACTOR times the lowest loss seen so far *and* worse than guessing (ln K for K
 * classes, the loss of uniform probabilities). The second condition keeps noisy but healthy runs
 * (a loss of 0.2 after a best of 0.01 is still far better than guessing) from being stopped.
 * Observe losses measured the same way each time (the full training set, or the mean over the
 * batches since the last history point): the loss of one small mini-batch is too noisy for this
 * rule, so it is only checked to be finite.
 */

/** A loss more than this many times the lowest seen (and worse than guessing) has exploded. */
export const DIVERGENCE_FACTOR = 10;

/** A run whose accuracy is at most this many times 1/K learned nothing (K classes). */
export const CHANCE_MARGIN = 1.5;

/** Why a loss means divergence, or undefined when it does not. */
export type Divergence = 'not-finite' | 'exploded' | undefined;

/** The loss of predicting every one of `classes` classes with equal probability: ln K. */
export function chanceLoss(classes: number): number {
  return Math.log(classes);
}

/** Applies the rule to one loss, given the lowest loss seen before it. */
export function divergenceOf(loss: number, lowest: number, classes: number): Divergence {
  if (!Number.isFinite(loss)) return 'not-finite';
  return loss > DIVERGENCE_FACTOR * lowest && loss > chanceLoss(classes) ? 'exploded' : undefined;
}

/** Whether an accuracy (a fraction) is no better than guessing among `classes` classes. */
export function noBetterThanChance(accuracy: number, classes: number): boolean {
  return accuracy <= CHANCE_MARGIN / classes;
}

/** Follows the losses of one run and stops it, with an MnnError of kind 'diverged', when it diverges. */
export class LossWatch {
  /**
   * `lowest`: the lowest loss measured before (a resumed run's history); the rule is not applied
   * to those losses, which an older version may have recorded.
   */
  constructor(
    private readonly classes: number,
    private lowestLoss = Number.POSITIVE_INFINITY,
  ) {}

  /** The lowest loss observed so far (infinity before the first). */
  get lowest(): number {
    return this.lowestLoss;
  }

  /** Records the loss at `iteration`; throws when it shows that training diverged. */
  observe(loss: number, iteration: number): void {
    const divergence = divergenceOf(loss, this.lowestLoss, this.classes);
    if (divergence !== undefined) throw lossError(divergence, loss, this.lowestLoss, iteration);
    this.lowestLoss = Math.min(this.lowestLoss, loss);
  }

  /** Throws when a loss too noisy for the whole rule (one mini-batch's) is NaN or infinite. */
  checkFinite(loss: number, iteration: number): void {
    if (!Number.isFinite(loss)) throw lossError('not-finite', loss, this.lowestLoss, iteration);
  }

  /** Whether `loss` would count as divergence, without recording it. */
  wouldDiverge(loss: number): boolean {
    return divergenceOf(loss, this.lowestLoss, this.classes) !== undefined;
  }
}

/** The error that ends a diverged run at `iteration`: `what` happened, and to lower the learning rate. */
export function divergedError(what: string, iteration: number): MnnError {
  return new MnnError(`training diverged at iteration ${iteration}: ${what}`, {
    kind: 'diverged',
    option: 'alpha',
    hint: 'no model from the diverged part was saved; try a learning rate about 10 times smaller',
  });
}

/** The diverged error for a loss that broke the rule. */
function lossError(
  divergence: Exclude<Divergence, undefined>,
  loss: number,
  lowest: number,
  iteration: number,
): MnnError {
  const what =
    divergence === 'not-finite'
      ? `the loss became ${loss}`
      : `the loss rose to ${loss.toPrecision(4)}, over ${DIVERGENCE_FACTOR}× the lowest so far (${lowest.toPrecision(4)})`;
  return divergedError(what, iteration);
}
