/** One point of the training history, recorded every `evalEvery` iterations. */
export interface HistoryPoint {
  readonly iteration: number;
  /** Mean cross-entropy on the training set at this iteration's parameters. */
  readonly loss: number;
  /** Fractions in [0, 1]. */
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
}
