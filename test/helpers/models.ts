import { datasetLabels } from '../../src/data/labels.js';
import type { Model, TrainingRecord } from '../../src/model/model.js';
import { initParameters } from '../../src/nn/init.js';
import type { TestResults } from '../../src/report/test-results.js';

/** A digit model with seeded random weights (no training) and, if given, a training record. */
export function randomDigitModel(
  layerSizes: readonly number[] = [784, 16, 10],
  training?: TrainingRecord,
  seed = 5,
): Model {
  return {
    parameters: initParameters(layerSizes, { init: 'he', seed }),
    labels: datasetLabels('mnist'),
    input: { width: 28, height: 28, scale: 255 },
    training,
    createdBy: 'test',
    createdAt: '2024-01-01T00:00:00.000Z',
  };
}

/** A training record at `iteration` of `target`, with a history point every 10 iterations. */
export function trainingAt(iteration: number, target = 100): TrainingRecord {
  const history = Array.from({ length: Math.floor(iteration / 10) + 1 }, (_, k) => ({
    iteration: k * 10,
    loss: 2.3 / (1 + k),
    trainAccuracy: 0.1 + 0.08 * k,
    testAccuracy: 0.1 + 0.07 * k,
  }));
  const last = history[history.length - 1];
  return {
    dataset: 'packaged',
    samples: 60000,
    alpha: 0.1,
    iterations: iteration,
    targetIterations: target,
    seed: 1,
    init: 'he',
    evalEvery: 10,
    optimizer: { kind: 'gd', weightDecay: 0 },
    schedule: { kind: 'constant', warmup: 0 },
    dropout: 0,
    validation: 0,
    maxShift: 0,
    stoppedEarly: false,
    loss: last.loss,
    trainAccuracy: last.trainAccuracy,
    testAccuracy: last.testAccuracy,
    seconds: 1.5,
    complete: iteration >= target,
    history,
  };
}

/**
 * Test results over made-up images: `confusion[t][p]` images of true class t predicted p, each a
 * 28×28 image whose first pixel holds its index (so a test can tell which images it got).
 */
export function fakeTestResults(confusion: number[][]): TestResults {
  let next = 0;
  const cells = confusion.map((row) =>
    row.map((count) => Array.from({ length: count }, () => next++)),
  );
  const samples = next;
  const correct = confusion.reduce((sum, row, label) => sum + row[label], 0);
  return {
    data: 'made-up digits, test split',
    samples,
    accuracy: correct / samples,
    loss: 0.5,
    confusion,
    classes: confusion.map((row, label) => ({
      precision:
        row[label] /
        Math.max(
          1,
          confusion.reduce((sum, other) => sum + other[label], 0),
        ),
      recall:
        row[label] /
        Math.max(
          1,
          row.reduce((sum, count) => sum + count, 0),
        ),
      support: row.reduce((sum, count) => sum + count, 0),
    })),
    cells,
    imageWidth: 28,
    imageHeight: 28,
    image: (index) => {
      const pixels = new Uint8Array(784);
      pixels[0] = index % 256;
      return pixels;
    },
  };
}

/** A 10-class confusion matrix: `right` on the diagonal, and the given mistakes. */
export function confusionWith(right: number, mistakes: Record<string, number>): number[][] {
  const confusion = Array.from({ length: 10 }, (_, t) =>
    Array.from({ length: 10 }, (_, p) => (t === p ? right : 0)),
  );
  for (const [cell, count] of Object.entries(mistakes)) {
    const [t, p] = cell.split('-').map(Number);
    confusion[t][p] = count;
  }
  return confusion;
}
