import { describe, expect, it } from 'vitest';
import { trainingCurves, trainingFacts, trainingProgress } from '../../src/report/training.js';

describe('reading the training record', () => {
  it('turns a version 1 history into training loss and training/test accuracy by iteration', () => {
    const curves = trainingCurves([
      { iteration: 0, loss: 2.3, trainAccuracy: 0.1, testAccuracy: 0.12 },
      { iteration: 100, loss: 0.5, trainAccuracy: 0.85, testAccuracy: 0.84 },
    ]);
    expect(curves?.xLabel).toBe('iteration');
    expect(curves?.loss).toEqual([
      {
        name: 'training',
        points: [
          [0, 2.3],
          [100, 0.5],
        ],
      },
    ]);
    expect(curves?.accuracy.map((curve) => curve.name)).toEqual(['training', 'test']);
    expect(curves?.accuracy[1].points).toEqual([
      [0, 0.12],
      [100, 0.84],
    ]);
  });

  it('reads later records by field name: steps, validation series, in a fixed order', () => {
    const curves = trainingCurves([
      {
        step: 10,
        epoch: 1,
        testAccuracy: 0.8,
        validationLoss: 0.6,
        loss: 0.7,
        validationAccuracy: 0.81,
      },
      {
        step: 20,
        epoch: 2,
        testAccuracy: 0.9,
        validationLoss: 0.4,
        loss: 0.5,
        validationAccuracy: 0.88,
      },
    ]);
    expect(curves?.xLabel).toBe('step');
    expect(curves?.loss.map((curve) => curve.name)).toEqual(['training', 'validation']);
    expect(curves?.accuracy.map((curve) => curve.name)).toEqual(['validation', 'test']);
  });

  it('finds no curves in an empty history or one without an x field', () => {
    expect(trainingCurves([])).toBeUndefined();
    expect(trainingCurves([{ loss: 1 }])).toBeUndefined();
  });

  it('lists every option and result, nested records under their name, formatting by meaning', () => {
    const facts = trainingFacts({
      dataset: 'embedded',
      alpha: 0.1,
      testAccuracy: 0.8951,
      seconds: 12.34,
      complete: false,
      optimizer: { kind: 'adam', beta1: 0.9, weightDecay: 0 },
      batchSize: 64,
      history: [{ iteration: 0 }],
    });
    expect(facts).toEqual([
      { label: 'data', value: 'embedded' },
      { label: 'learning rate α', value: '0.1' },
      { label: 'test accuracy', value: '89.51%' },
      { label: 'training time', value: '12.3 s' },
      { label: 'complete', value: 'no' },
      { label: 'optimizer', value: 'adam' },
      { label: 'optimizer beta1', value: '0.9' },
      { label: 'optimizer weight decay', value: '0' },
      { label: 'batch size', value: '64' },
    ]);
  });

  it('says where training stands', () => {
    expect(trainingProgress({ iterations: 300, targetIterations: 1000, complete: false })).toBe(
      'iteration 300 of 1000, checkpoint (training goes on)',
    );
    expect(trainingProgress({ iterations: 1000, targetIterations: 1000, complete: true })).toBe(
      'iteration 1000, complete',
    );
    expect(trainingProgress({ epoch: 3, epochs: 10, steps: 1400, complete: false })).toBe(
      'epoch 3 of 10, step 1400, checkpoint (training goes on)',
    );
    expect(trainingProgress(undefined)).toBe('no training record');
  });
});
