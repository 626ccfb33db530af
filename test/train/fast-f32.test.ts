import { describe, expect, it } from 'vitest';
import { initParameters, zeroParameters } from '../../src/nn/init.js';
import type { Parameters } from '../../src/nn/parameters.js';
import { BatchPlan } from '../../src/train/batches.js';
import type { FastEngine } from '../../src/train/fast/engine.js';
import { createFastEngine } from '../../src/train/fast/engine.js';
import { relaxedSimdAvailable } from '../../src/train/fast/relaxed-simd.js';
import type { OptimizerSettings } from '../../src/train/optimizer.js';
import { initialOptimizerState, optimizerStep } from '../../src/train/optimizer.js';
import { ReferenceEngine } from '../../src/train/reference-engine.js';
import { mnistSubset } from '../helpers/mnist.js';
import { bytesOf } from '../helpers/per-sample-oracle.js';

// The fast engine in f32 against the reference engine (f64, the oracle). Each f32 result is the
// f64 one up to rounding: measured, the gradients differ by about 1e-7 of their norm (a few
// units of f32's 2⁻²⁴ ≈ 6e-8) on every architecture below, with and without fused multiply-adds.
// The tolerance, 1e-5 of the norm per array and 1e-6 of the loss, leaves a hundredfold margin
// for other machines (where relaxed_madd may round once or twice), and is still a thousand
// times tighter than what a wrong term (a missed sample, pixel or scale) gives. Argmax may flip
// on a near tie, so the correct counts may differ by one.
const GRADIENT_TOLERANCE = 1e-5;
const LOSS_TOLERANCE = 1e-6;

const FUSED = relaxedSimdAvailable() ? [false, true] : [false];

/** ‖actual − expected‖ / ‖expected‖ over every array of two parameter sets. */
function relativeDistance(actual: Parameters, expected: Parameters): number[] {
  const arrays = (p: Parameters) => [...p.W, ...p.b];
  const want = arrays(expected);
  return arrays(actual).map((array, k) => {
    let [difference, norm] = [0, 0];
    array.forEach((value, i) => {
      difference += (value - want[k][i]) ** 2;
      norm += want[k][i] ** 2;
    });
    return Math.sqrt(difference / norm);
  });
}

/** Copies of `params` in the engine's own memory (what the trainer uses). */
function ownCopy(engine: FastEngine, params: Parameters): Parameters {
  const own = engine.allocateParameters();
  own.W.forEach((W, l) => W.set(params.W[l]));
  own.b.forEach((b, l) => b.set(params.b[l]));
  return own;
}

const ADAM: OptimizerSettings = {
  kind: 'adam',
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  weightDecay: 0,
};

describe.each(FUSED)('the fast engine in f32 (fused: %s) against the reference engine', (fused) => {
  const dataset = mnistSubset(600).train;

  it.each([[[784, 10, 10]], [[784, 30, 10]], [[784, 128, 10]], [[784, 32, 16, 10]]])(
    'full batch, %j: loss and every gradient array to f32 rounding',
    async (layerSizes) => {
      const reference = new ReferenceEngine(dataset, layerSizes);
      const fast = await createFastEngine(dataset, layerSizes, {
        threads: 2,
        precision: 'f32',
        fused,
      });
      try {
        const params = initParameters(layerSizes, { init: 'he', seed: 3 });
        const [want, got] = [zeroParameters(layerSizes), zeroParameters(layerSizes)];
        const expected = await reference.compute(params, want);
        const actual = await fast.compute(params, got);
        expect(Math.abs(actual.loss - expected.loss) / expected.loss).toBeLessThan(LOSS_TOLERANCE);
        expect(Math.abs(actual.correct - expected.correct)).toBeLessThanOrEqual(1);
        for (const distance of relativeDistance(got, want)) {
          expect(distance).toBeLessThan(GRADIENT_TOLERANCE);
        }
      } finally {
        await fast.close();
        await reference.close();
      }
    },
  );

  it('Adam on mini-batches with dropout and shifts, 6 steps: gradients, parameters, evaluation', async () => {
    const layerSizes = [784, 48, 24, 10];
    const plan = new BatchPlan(dataset.count, {
      seed: 4,
      batchSize: 100,
      dropout: 0.3,
      maxShift: 2,
    });
    const reference = new ReferenceEngine(dataset, layerSizes);
    const fast = await createFastEngine(dataset, layerSizes, {
      threads: 2,
      precision: 'f32',
      fused,
    });
    try {
      const expected = initParameters(layerSizes, { init: 'he', seed: 7 });
      const expectedState = initialOptimizerState(ADAM, layerSizes);
      const expectedGradients = zeroParameters(layerSizes);
      const actual = ownCopy(fast, expected);
      const initial = initialOptimizerState(ADAM, layerSizes);
      const actualState = {
        t: 0,
        M: initial.M && ownCopy(fast, initial.M),
        S: initial.S && ownCopy(fast, initial.S),
      };
      const actualGradients = fast.allocateParameters();
      for (let step = 0; step < 6; step++) {
        const batch = plan.batchAt(step);
        const want = await reference.compute(expected, expectedGradients, batch);
        const got = await fast.compute(actual, actualGradients, batch);
        expect(Math.abs(got.loss - want.loss) / want.loss).toBeLessThan(LOSS_TOLERANCE);
        expect(Math.abs(got.correct - want.correct)).toBeLessThanOrEqual(1);
        for (const distance of relativeDistance(actualGradients, expectedGradients)) {
          expect(distance).toBeLessThan(GRADIENT_TOLERANCE);
        }
        optimizerStep(ADAM, expectedState, expected, expectedGradients, 1e-3);
        await fast.optimizerStep(ADAM, actualState, actual, actualGradients, 1e-3);
      }
      for (const distance of relativeDistance(actual, expected)) {
        expect(distance).toBeLessThan(GRADIENT_TOLERANCE);
      }
      const samples = plan.split.train.subarray(0, 77);
      const evaluated = await fast.evaluate(actual, samples);
      const wanted = await reference.evaluate(expected, samples);
      expect(Math.abs(evaluated.loss - wanted.loss) / wanted.loss).toBeLessThan(LOSS_TOLERANCE);
    } finally {
      await fast.close();
      await reference.close();
    }
  });

  it('gives byte-identical gradients and loss for 1, 2 and 3 threads, full batch and batches', async () => {
    const layerSizes = [784, 40, 20, 10];
    const plan = new BatchPlan(dataset.count, {
      seed: 9,
      batchSize: 333,
      dropout: 0.25,
      maxShift: 2,
    });
    const params = initParameters(layerSizes, { init: 'he', seed: 5 });
    const results: { bytes: Buffer; losses: number[] }[] = [];
    for (const threads of [1, 2, 3]) {
      const engine = await createFastEngine(dataset, layerSizes, {
        threads,
        precision: 'f32',
        fused,
      });
      try {
        const [full, batched] = [zeroParameters(layerSizes), zeroParameters(layerSizes)];
        const losses = [
          (await engine.compute(params, full)).loss,
          (await engine.compute(params, batched, plan.batchAt(1))).loss,
        ];
        results.push({ bytes: Buffer.concat([bytesOf(full), bytesOf(batched)]), losses });
      } finally {
        await engine.close();
      }
    }
    for (const result of results.slice(1)) {
      expect(result.bytes.equals(results[0].bytes)).toBe(true);
      expect(result.losses).toEqual(results[0].losses);
    }
  });
});
