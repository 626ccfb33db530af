/** One point of the training history, recorded every `evalEvery` steps and at the end. */
export interface HistoryPoint {
  /** Steps (iterations) done when the point was recorded. */
  readonly iteration: number;
  /**
   * Mean cross-entropy on the training samples: at this point's parameters for full-batch runs;
   * for mini-batches, the mean over the batches since the previous point, as trained (with
   * dropout and shifts).
   */
  readonly loss: number;
  /** Fractions in [0, 1]; the training accuracy is measured like `loss`. */
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  /** On the held-out validation set, when there is one. */
  readonly validationAccuracy?: number;
  readonly validationLoss?: number;
}

/** History points a run records by default: enough for a curve, few enough to cost little. */
const DEFAULT_POINTS = 20;

/**
 * The default steps between history points: about DEFAULT_POINTS per run (a 100-step run is a
 * curve, not two points), and for mini-batches a whole number of epochs once a run has that many.
 */
export function defaultEvalEvery(totalSteps: number, stepsPerEpoch: number): number {
  const every = Math.max(1, Math.ceil(totalSteps / DEFAULT_POINTS));
  if (stepsPerEpoch > 1 && every >= stepsPerEpoch) {
    return stepsPerEpoch * Math.floor(every / stepsPerEpoch);
  }
  return every;
}
