import { describe, expect, it } from 'vitest';
import { initParameters, zeroParameters } from '../../src/nn/init.js';
import type { Parameters } from '../../src/nn/parameters.js';
import { Random } from '../../src/nn/random.js';
import { BatchPlan } from '../../src/train/batches.js';
import type { GradientEngine } from '../../src/train/engine.js';
import type { FastEngine } from '../../src/train/fast/engine.js';
import { createFastEngine } from '../../src/train/fast/engine.js';
import { ReferenceEngine } from '../../src/train/reference-engine.js';
import type { OptimizerSettings } from '../../src/train/optimizer.js';
import {
  gradientDescentUpdate,
  initialOptimizerState,
  optimizerStep,
} from '../../src/train/optimizer.js';
import { bytesOf } from '../helpers/per-sample-oracle.js';
import { mnistSubset } from '../helpers/mnist.js';
import { maxRelativeDifference } from '../helpers/random-data.js';

// The reference engine (Network over Float64 matrices, docs/math.md line by line) is the oracle of the
// fast engine: same loss, same gradients to 1e-12 relative, after several descent steps, on real digits.

describe('fast engine against the reference engine', () => {
  const dataset = mnistSubset(700).train;

  it.each([
    [[784, 10, 10], 'he'],
    [[784, 32, 16, 10], 'he'],
    [[784, 10, 10], 'uniform'],
  ] as const)('matches on %j (%s init) over 5 descent steps', async (layerSizes, init) => {
    const reference: GradientEngine = new ReferenceEngine(dataset, layerSizes);
    const fast = await createFastEngine(dataset, layerSizes, { threads: 2 });
    try {
      const parameters = initParameters(layerSizes, { init, seed: 3 });
      const referenceGradients = zeroParameters(parameters.layerSizes);
      const fastGradients = zeroParameters(parameters.layerSizes);
      for (let step = 0; step < 5; step++) {
        const expected = await reference.compute(parameters, referenceGradients);
        const actual = await fast.compute(parameters, fastGradients);
        expect(Math.abs(actual.loss - expected.loss) / expected.loss).toBeLessThan(1e-12);
        expect(actual.correct).toBe(expected.correct);
        for (let l = 0; l < parameters.W.length; l++) {
          expect(maxRelativeDifference(fastGradients.W[l], referenceGradients.W[l])).toBeLessThan(
            1e-12,
          );
          expect(maxRelativeDifference(fastGradients.b[l], referenceGradients.b[l])).toBeLessThan(
            1e-12,
          );
        }
        gradientDescentUpdate(parameters, referenceGradients, 0.5);
      }
    } finally {
      await fast.close();
      await reference.close();
    }
  });
});

/** Copies of `params` in the engine's own memory (what the trainer uses). */
function ownCopy(engine: FastEngine, params: Parameters): Parameters {
  const own = engine.allocateParameters();
  own.W.forEach((W, l) => W.set(params.W[l]));
  own.b.forEach((b, l) => b.set(params.b[l]));
  return own;
}

const OPTIMIZERS: OptimizerSettings[] = [
  { kind: 'gd', weightDecay: 1e-3 },
  { kind: 'momentum', momentum: 0.9, weightDecay: 5e-4 },
  { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 1e-2 },
];

describe('fast engine against the reference engine on mini-batches', () => {
  const dataset = mnistSubset(600).train;

  for (const layerSizes of [
    [784, 10, 10],
    [784, 32, 16, 10],
    [784, 24, 16, 12, 10],
  ]) {
    for (const optimizer of OPTIMIZERS) {
      for (const dropout of [0, 0.3]) {
        it(`${layerSizes.join('-')}, ${optimizer.kind}, dropout ${dropout}: 1e-12 after 6 steps of 100 shifted samples`, async () => {
          const plan = new BatchPlan(dataset.count, {
            seed: 4,
            batchSize: 100,
            dropout,
            maxShift: 2,
          });
          const reference = new ReferenceEngine(dataset, layerSizes);
          const fast = await createFastEngine(dataset, layerSizes, { threads: 2 });
          try {
            const expected = initParameters(layerSizes, { init: 'he', seed: 7 });
            const expectedState = initialOptimizerState(optimizer, layerSizes);
            const expectedGradients = zeroParameters(layerSizes);
            const actual = ownCopy(fast, expected);
            const initial = initialOptimizerState(optimizer, layerSizes);
            const actualState = {
              t: 0,
              V: initial.V && ownCopy(fast, initial.V),
              M: initial.M && ownCopy(fast, initial.M),
              S: initial.S && ownCopy(fast, initial.S),
            };
            const actualGradients = fast.allocateParameters();
            for (let step = 0; step < 6; step++) {
              const batch = plan.batchAt(step);
              const want = await reference.compute(expected, expectedGradients, batch);
              const got = await fast.compute(actual, actualGradients, batch);
              expect(Math.abs(got.loss - want.loss) / want.loss).toBeLessThan(1e-12);
              expect(got.correct).toBe(want.correct);
              [...actualGradients.W, ...actualGradients.b].forEach((array, k) =>
                expect(
                  maxRelativeDifference(array, [...expectedGradients.W, ...expectedGradients.b][k]),
                ).toBeLessThan(1e-12),
              );
              // Adam's usual rate: its steps are about α whatever the gradient's size
              const alpha = optimizer.kind === 'adam' ? 1e-3 : 0.05;
              optimizerStep(optimizer, expectedState, expected, expectedGradients, alpha);
              await fast.optimizerStep(optimizer, actualState, actual, actualGradients, alpha);
            }
            expect(actualState.t).toBe(expectedState.t);
            [...actual.W, ...actual.b].forEach((array, k) =>
              expect(maxRelativeDifference(array, [...expected.W, ...expected.b][k])).toBeLessThan(
                1e-12,
              ),
            );
            const evaluated = await fast.evaluate(actual, plan.split.train.subarray(0, 77));
            const wanted = await reference.evaluate(expected, plan.split.train.subarray(0, 77));
            expect(Math.abs(evaluated.loss - wanted.loss) / wanted.loss).toBeLessThan(1e-12);
          } finally {
            await fast.close();
            await reference.close();
          }
        });
      }
    }
  }

  it('takes optimizer steps bit for bit as the readable optimizer, on its own arrays or others', async () => {
    const layerSizes = [784, 20, 10];
    const fast = await createFastEngine(dataset, layerSizes, { threads: 2 });
    try {
      for (const optimizer of OPTIMIZERS) {
        const random = new Random(3);
        const g = initParameters(layerSizes, { init: 'he', seed: 5 });
        const readable = initParameters(layerSizes, { init: 'he', seed: 6 });
        const readableState = initialOptimizerState(optimizer, layerSizes);
        const own = ownCopy(fast, readable);
        const ownGradients = ownCopy(fast, g);
        const initial = initialOptimizerState(optimizer, layerSizes);
        const ownState = {
          t: 0,
          V: initial.V && ownCopy(fast, initial.V),
          M: initial.M && ownCopy(fast, initial.M),
          S: initial.S && ownCopy(fast, initial.S),
        };
        const plain = initParameters(layerSizes, { init: 'he', seed: 6 });
        const plainState = initialOptimizerState(optimizer, layerSizes);
        for (let t = 0; t < 4; t++) {
          const alpha = 0.01 * (1 + random.next());
          optimizerStep(optimizer, readableState, readable, g, alpha);
          await fast.optimizerStep(optimizer, ownState, own, ownGradients, alpha);
          await fast.optimizerStep(optimizer, plainState, plain, g, alpha); // not its arrays
        }
        expect(bytesOf(own).equals(bytesOf(readable))).toBe(true);
        expect(bytesOf(plain).equals(bytesOf(readable))).toBe(true);
        for (const key of ['V', 'M', 'S'] as const) {
          const want = readableState[key];
          if (want !== undefined)
            expect(bytesOf(ownState[key] ?? want).equals(bytesOf(want))).toBe(true);
        }
      }
    } finally {
      await fast.close();
    }
  });
});
