import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { zeroParameters } from '../../src/nn/init.js';
import { classMetrics, evaluate } from '../../src/train/evaluate.js';

/** A 1-pixel → 3-class network that predicts class `favourite` for every input. */
function alwaysPredicts(favourite: number) {
  const parameters = zeroParameters([1, 3]);
  parameters.b[0][favourite] = 5;
  return parameters;
}

/** Samples with the given labels (one black pixel each). */
function labelled(labels: number[]): Dataset {
  const count = labels.length;
  return {
    images: new Uint8Array(count),
    labels: Uint8Array.from(labels),
    count,
    rows: 1,
    cols: 1,
  };
}

describe('evaluate', () => {
  it('counts confusion[true class][predicted class], not the transpose', () => {
    const result = evaluate(alwaysPredicts(2), labelled([0, 0, 1, 2]));
    expect(result.confusion).toEqual([
      [0, 0, 2], // two samples of class 0, both predicted 2
      [0, 0, 1],
      [0, 0, 1],
    ]);
    expect(result.accuracy).toBe(0.25);
    expect(result.samples).toBe(4);
  });

  it('gives the mean cross-entropy of the samples', () => {
    // Z = (0, 0, 5) for every sample: −log A_y = logsumexp(Z) − Z_y.
    const logSumExp = Math.log(2 + Math.exp(5));
    const result = evaluate(alwaysPredicts(2), labelled([0, 2]));
    expect(result.loss).toBeCloseTo((logSumExp + (logSumExp - 5)) / 2, 12);
  });
});

describe('classMetrics', () => {
  it('gives precision (right among predicted), recall (found among true) and support per class', () => {
    // rows: true class; columns: predicted
    const confusion = [
      [3, 1, 0],
      [2, 4, 0],
      [0, 0, 0],
    ];
    expect(classMetrics(confusion)).toEqual([
      { precision: 3 / 5, recall: 3 / 4, support: 4 },
      { precision: 4 / 5, recall: 4 / 6, support: 6 },
      { precision: 0, recall: 0, support: 0 }, // never predicted, never present: 0, not NaN
    ]);
  });

  it('tells precision from recall when they differ (a transposed reading would swap them)', () => {
    const [first] = classMetrics([
      [1, 0],
      [3, 0],
    ]);
    expect(first).toEqual({ precision: 1 / 4, recall: 1, support: 1 });
  });
});
