import { afterEach, describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { Random } from '../../src/nn/random.js';
import type { Parameters } from '../../src/nn/parameters.js';
import type { Batch, PassResult } from '../../src/train/engine.js';
import type { OptimizerSettings, OptimizerState } from '../../src/train/optimizer.js';
import { optimizerStep } from '../../src/train/optimizer.js';
import type { FastEngine } from '../../src/train/fast/engine.js';
import { createFastEngine } from '../../src/train/fast/engine.js';
import { UpdateRule } from '../../src/train/fast/step.js';
import type { Precision } from '../../src/train/fast/wasm-module.js';
import { zeroParameters } from '../../src/nn/init.js';
import {
  bytesOf,
  expectClose,
  oraclePass,
  randomParameters,
} from '../helpers/per-sample-oracle.js';
import { randomDataset } from '../helpers/random-data.js';

// The fast engine on mini-batches (any subset of samples, shifted, with dropout) against the
// per-sample oracle, across thread counts, and its optimizer updates against plain loops.

/** `count` random 28 × 28 samples of 10 classes, 81% of pixels zero as in MNIST. */
function mnistShaped(count: number, seed: number): Dataset {
  return randomDataset({ count, rows: 28, cols: 28, classes: 10, zeroFraction: 0.81, seed });
}

const engines: FastEngine[] = [];

/** Creates an engine that afterEach closes. */
async function engineFor(
  dataset: Dataset,
  layerSizes: number[],
  threads: number,
  blockSize?: number,
): Promise<FastEngine> {
  const engine = await createFastEngine(dataset, layerSizes, { threads, blockSize });
  engines.push(engine);
  return engine;
}

afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
});

/** A batch of `count` distinct samples of `total`, in a seeded order, optionally shifted and dropped out. */
function randomBatch(
  total: number,
  count: number,
  seed: number,
  options: { maxShift?: number; dropout?: number; step?: number } = {},
): Batch {
  const random = new Random(seed);
  const order = Uint32Array.from({ length: total }, (_, i) => i);
  for (let i = total - 1; i > 0; i--) {
    const j = random.integer(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const samples = order.slice(0, count);
  const k = options.maxShift ?? 0;
  return {
    samples,
    ...(k > 0 && {
      shifts: Int8Array.from({ length: 2 * count }, () => random.integer(2 * k + 1) - k),
    }),
    ...(options.dropout !== undefined && {
      dropout: { rate: options.dropout, seed: seed + 1, step: options.step ?? 1 },
    }),
  };
}

const cases = [
  {
    name: '784-10-10, batch 128 (2 chunks), shifts ±2',
    sizes: [784, 10, 10],
    total: 400,
    count: 128,
    maxShift: 2,
  },
  {
    name: '784-32-16-10, batch 130, dropout 0.3, blocks of 48',
    sizes: [784, 32, 16, 10],
    total: 300,
    count: 130,
    dropout: 0.3,
    blockSize: 48,
  },
  {
    name: '784-30-10, batch 1, shift and dropout',
    sizes: [784, 30, 10],
    total: 50,
    count: 1,
    maxShift: 3,
    dropout: 0.5,
  },
  {
    name: '784-13-7-10, batch 1000 of 1200, shifts, dropout',
    sizes: [784, 13, 7, 10],
    total: 1200,
    count: 1000,
    maxShift: 1,
    dropout: 0.2,
  },
  {
    name: '5-3-2, odd batch, shifts wider than the image',
    sizes: [5, 3, 2],
    total: 40,
    count: 37,
    maxShift: 6,
    blockSize: 8,
    rows: 1,
    cols: 5,
  },
  {
    name: '16-4, no hidden layer (dropout has nothing to drop)',
    sizes: [16, 4],
    total: 70,
    count: 33,
    dropout: 0.5,
    maxShift: 1,
    rows: 4,
    cols: 4,
  },
];

describe('fast engine on mini-batches', () => {
  for (const c of cases) {
    it(`matches the per-sample oracle to 1e-12 over 3 steps: ${c.name}`, async () => {
      const classes = c.sizes[c.sizes.length - 1];
      const dataset = randomDataset({
        count: c.total,
        rows: c.rows ?? 28,
        cols: c.cols ?? 28,
        classes,
        zeroFraction: 0.81,
        seed: 7,
      });
      const engine = await engineFor(dataset, c.sizes, 2, c.blockSize);
      const fastParams = randomParameters(c.sizes, new Random(3));
      const oracleParams = randomParameters(c.sizes, new Random(3));
      const gradients = zeroParameters(c.sizes);
      for (let step = 1; step <= 3; step++) {
        const batch = randomBatch(c.total, c.count, 10 * step, { ...c, step });
        const fast = await engine.compute(fastParams, gradients, batch);
        const oracle = oraclePass(dataset, oracleParams, batch);
        expectClose(gradients, oracle.gradients, 1e-12);
        expect(Math.abs(fast.loss - oracle.loss)).toBeLessThanOrEqual(1e-12 * oracle.loss);
        expect(fast.correct).toBe(oracle.correct);
        for (const [params, g] of [
          [fastParams, gradients],
          [oracleParams, oracle.gradients],
        ]) {
          params.W.forEach((W, l) => W.forEach((_, i) => (W[i] -= 0.5 * g.W[l][i])));
          params.b.forEach((b, l) => b.forEach((_, i) => (b[i] -= 0.5 * g.b[l][i])));
        }
      }
    });
  }

  it('gives byte-identical gradients and loss for 1, 2 and 3 threads, with shifts and dropout', async () => {
    const sizes = [784, 24, 16, 10];
    const dataset = mnistShaped(900, 11);
    const params = randomParameters(sizes, new Random(5));
    const batch = randomBatch(900, 333, 4, { maxShift: 2, dropout: 0.25 });
    const results: { bytes: Buffer; loss: number; correct: number }[] = [];
    for (const threads of [1, 2, 3]) {
      const engine = await engineFor(dataset, sizes, threads, 32);
      const gradients = zeroParameters(sizes);
      await engine.compute(params, gradients, randomBatch(900, 64, 9));
      const pass = await engine.compute(params, gradients, batch);
      results.push({ bytes: bytesOf(gradients), loss: pass.loss, correct: pass.correct });
    }
    for (const result of results.slice(1)) {
      expect(result.bytes.equals(results[0].bytes)).toBe(true);
      expect(Object.is(result.loss, results[0].loss)).toBe(true);
      expect(result.correct).toBe(results[0].correct);
    }
  });

  it('evaluates forward only: the oracle’s loss and correct count, for a list and for all', async () => {
    const sizes = [784, 20, 10];
    const dataset = mnistShaped(260, 13);
    const engine = await engineFor(dataset, sizes, 2);
    const params = randomParameters(sizes, new Random(8));
    const some = randomBatch(260, 99, 5).samples;
    const all = Uint32Array.from({ length: 260 }, (_, i) => i);
    for (const [samples, list] of [
      [some, some],
      [undefined, all],
    ] as const) {
      const result = await engine.evaluate(params, samples);
      const oracle = oraclePass(dataset, params, { samples: list });
      expect(Math.abs(result.loss - oracle.loss)).toBeLessThanOrEqual(1e-12 * oracle.loss);
      expect(result.correct).toBe(oracle.correct);
    }
  });

  it('computes the same bytes on its own arrays as on arrays it copies', async () => {
    const sizes = [784, 14, 10];
    const dataset = mnistShaped(300, 17);
    const engine = await engineFor(dataset, sizes, 2);
    const foreign = randomParameters(sizes, new Random(2));
    const own = engine.allocateParameters();
    own.W.forEach((W, l) => W.set(foreign.W[l]));
    own.b.forEach((b, l) => b.set(foreign.b[l]));
    const [ownGradients, foreignGradients] = [engine.allocateParameters(), zeroParameters(sizes)];
    const batch = randomBatch(300, 150, 3, { maxShift: 1, dropout: 0.1 });
    const first = await engine.compute(own, ownGradients, batch);
    const second = await engine.compute(foreign, foreignGradients, batch);
    expect(bytesOf(ownGradients).equals(bytesOf(foreignGradients))).toBe(true);
    expect(second).toEqual(first);
  });

  it('rejects samples outside the data set, shifts of the wrong length and an empty batch', async () => {
    const sizes = [16, 4];
    const dataset = randomDataset({
      count: 20,
      rows: 4,
      cols: 4,
      classes: 4,
      zeroFraction: 0.5,
      seed: 1,
    });
    const engine = await engineFor(dataset, sizes, 1);
    const params = randomParameters(sizes, new Random(1));
    const g = zeroParameters(sizes);
    await expect(engine.compute(params, g, { samples: Uint32Array.of(3, 20) })).rejects.toThrow(
      /sample 20/,
    );
    const shifts = new Int8Array(3);
    await expect(
      engine.compute(params, g, { samples: Uint32Array.of(1, 2), shifts }),
    ).rejects.toThrow(/shifts/);
    await expect(engine.compute(params, g, { samples: new Uint32Array(0) })).rejects.toThrow(
      RangeError,
    );
  });
});

/** The plain-loop optimizer steps the engine's update must reproduce bit for bit. */
const RULES = {
  gradientDescent(theta: Float64Array, g: Float64Array, _state: Float64Array[], lambda: number) {
    for (let i = 0; i < theta.length; i++) theta[i] -= 0.1 * (g[i] + lambda * theta[i]);
  },
  momentum(theta: Float64Array, g: Float64Array, [V]: Float64Array[], lambda: number) {
    for (let i = 0; i < theta.length; i++) {
      V[i] = 0.9 * V[i] + (g[i] + lambda * theta[i]);
      theta[i] -= 0.1 * V[i];
    }
  },
  adam(theta: Float64Array, g: Float64Array, [M, S]: Float64Array[], lambda: number, t = 1) {
    for (let i = 0; i < theta.length; i++) {
      M[i] = 0.9 * M[i] + (1 - 0.9) * g[i];
      S[i] = 0.999 * S[i] + (1 - 0.999) * g[i] * g[i];
      const mHat = M[i] / (1 - 0.9 ** t);
      const sHat = S[i] / (1 - 0.999 ** t);
      theta[i] -= 0.1 * (mHat / (Math.sqrt(sHat) + 1e-8) + lambda * theta[i]);
    }
  },
};

describe('fast engine optimizer updates', () => {
  for (const name of ['gradientDescent', 'momentum', 'adam'] as const) {
    it(`${name}: 3 steps on its own arrays equal plain loops bit for bit, for 1 and 2 threads`, async () => {
      const sizes = [784, 26, 12, 10];
      const dataset = mnistShaped(500, 19);
      const expected = randomParameters(sizes, new Random(6));
      const expectedState = [zeroParameters(sizes), zeroParameters(sizes)];
      const lambda = 1e-3;
      const reference = await engineFor(dataset, sizes, 1);
      const g = zeroParameters(sizes);
      for (let t = 1; t <= 3; t++) {
        await reference.compute(expected, g, randomBatch(500, 128, t, { dropout: 0.2, step: t }));
        expected.W.forEach((W, l) =>
          RULES[name](
            W,
            g.W[l],
            expectedState.map((s) => s.W[l]),
            lambda,
            t,
          ),
        );
        expected.b.forEach((b, l) =>
          RULES[name](
            b,
            g.b[l],
            expectedState.map((s) => s.b[l]),
            0,
            t,
          ),
        );
      }
      for (const threads of [1, 2]) {
        const engine = await engineFor(dataset, sizes, threads);
        const [params, gradients, first, second] = [1, 2, 3, 4].map(() =>
          engine.allocateParameters(),
        );
        const initial = randomParameters(sizes, new Random(6));
        params.W.forEach((W, l) => W.set(initial.W[l]));
        params.b.forEach((b, l) => b.set(initial.b[l]));
        for (let t = 1; t <= 3; t++) {
          await engine.compute(
            params,
            gradients,
            randomBatch(500, 128, t, { dropout: 0.2, step: t }),
          );
          await engine.update(
            { rule: UpdateRule[name], numbers: updateNumbers(t, lambda) },
            params,
            gradients,
            [first, second],
          );
        }
        expect(bytesOf(params).equals(bytesOf(expected))).toBe(true);
      }
    });
  }

  it('refuses arrays it did not allocate', async () => {
    const sizes = [16, 4];
    const engine = await engineFor(
      randomDataset({ count: 20, rows: 4, cols: 4, classes: 4, zeroFraction: 0.5, seed: 1 }),
      sizes,
      1,
    );
    const own = engine.allocateParameters();
    await expect(
      engine.update(
        { rule: UpdateRule.gradientDescent, numbers: updateNumbers(1, 0) },
        zeroParameters(sizes),
        own,
        [],
      ),
    ).rejects.toThrow(/allocateParameters/);
  });
});

/** The numbers of step t of the rules above. */
function updateNumbers(t: number, lambda: number) {
  return {
    alpha: 0.1,
    lambda,
    mu: 0.9,
    beta1: 0.9,
    beta2: 0.999,
    oneMinusBeta1: 1 - 0.9,
    oneMinusBeta2: 1 - 0.999,
    correction1: 1 - 0.9 ** t,
    correction2: 1 - 0.999 ** t,
    epsilon: 1e-8,
  };
}

describe('fast engine trainStep (compute and optimizer step in one call)', () => {
  const SETTINGS: readonly OptimizerSettings[] = [
    { kind: 'gd', weightDecay: 1e-3 },
    { kind: 'momentum', momentum: 0.9, weightDecay: 1e-3 },
    { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 1e-3 },
  ];
  const dataset = mnistShaped(500, 23);

  /** θ, g and the optimizer state after 3 steps, as bytes, and the steps' losses and counts. */
  async function threeSteps(
    engine: FastEngine,
    sizes: number[],
    settings: OptimizerSettings,
    fused: boolean,
    own: boolean,
  ): Promise<{ bytes: Buffer; passes: PassResult[]; state: OptimizerState }> {
    const sets = (): Parameters => (own ? engine.allocateParameters() : zeroParameters(sizes));
    const [params, gradients] = [sets(), sets()];
    const initial = randomParameters(sizes, new Random(8));
    params.W.forEach((W, l) => W.set(initial.W[l]));
    params.b.forEach((b, l) => b.set(initial.b[l]));
    const state: OptimizerState =
      settings.kind === 'momentum'
        ? { t: 0, V: sets() }
        : settings.kind === 'adam'
          ? { t: 0, M: sets(), S: sets() }
          : { t: 0 };
    const passes: PassResult[] = [];
    for (let t = 1; t <= 3; t++) {
      const batch = randomBatch(500, 150, t, { maxShift: 1, dropout: 0.2, step: t });
      const alpha = 0.01 / t;
      if (fused) {
        passes.push(await engine.trainStep(params, gradients, batch, { settings, state, alpha }));
      } else {
        passes.push(await engine.compute(params, gradients, batch));
        await engine.optimizerStep(settings, state, params, gradients, alpha);
      }
    }
    expect(state.t).toBe(3);
    engine.sync();
    const arrays = [params, gradients, state.V, state.M, state.S].filter((a) => a !== undefined);
    return { bytes: Buffer.concat(arrays.map(bytesOf)), passes, state };
  }

  it('f32 Adam: a trainStep’s first-layer gradient is written before a later compute replaces the sums, and that compute is as on its own', async () => {
    const sizes = [784, 32, 12, 10];
    const settings = SETTINGS[2];
    const initial = randomParameters(sizes, new Random(8));
    const batchA = randomBatch(500, 150, 1, { maxShift: 1 });
    const batchB = randomBatch(500, 64, 2, {});
    const bytes: Buffer[][] = [];
    for (const fused of [true, false]) {
      const engine = await createFastEngine(dataset, sizes, { threads: 2, precision: 'f32' });
      engines.push(engine);
      const [params, gradients, later, M, S] = [0, 1, 2, 3, 4].map(() =>
        engine.allocateParameters(),
      );
      params.W.forEach((W, l) => W.set(initial.W[l]));
      params.b.forEach((b, l) => b.set(initial.b[l]));
      const state: OptimizerState = { t: 0, M, S };
      if (fused) {
        await engine.trainStep(params, gradients, batchA, { settings, state, alpha: 0.01 });
      } else {
        await engine.compute(params, gradients, batchA);
        await engine.optimizerStep(settings, state, params, gradients, 0.01);
      }
      await engine.compute(params, later, batchB);
      engine.sync();
      bytes.push([params, gradients, later, M, S].map(bytesOf));
    }
    expect(bytes[0]).toEqual(bytes[1]);
  });

  it('f32 Adam: a step on gradients no compute wrote writes the f32 moments back, then takes the f64-moment step', async () => {
    const sizes = [784, 32, 12, 10];
    const settings = SETTINGS[2];
    const engine = await createFastEngine(dataset, sizes, { threads: 2, precision: 'f32' });
    engines.push(engine);
    const [params, gradients, foreign, M, S] = [0, 1, 2, 3, 4].map(() =>
      engine.allocateParameters(),
    );
    const initial = randomParameters(sizes, new Random(8));
    params.W.forEach((W, l) => W.set(initial.W[l]));
    const state: OptimizerState = { t: 0, M, S };
    await engine.trainStep(params, gradients, randomBatch(500, 150, 1, {}), {
      settings,
      state,
      alpha: 0.01,
    });
    engine.sync();
    const g = randomParameters(sizes, new Random(9));
    foreign.W.forEach((W, l) => W.set(g.W[l]));
    const copy = (set: Parameters) => ({
      layerSizes: sizes,
      W: set.W.map((W) => Float64Array.from(W)),
      b: set.b.map((b) => Float64Array.from(b)),
    });
    const expected: OptimizerState = { t: state.t, M: copy(M), S: copy(S) };
    optimizerStep(settings, expected, copy(params), copy(foreign), 0.01);
    await engine.optimizerStep(settings, state, params, foreign, 0.01);
    engine.sync();
    // M and S as the readable step updates them (adamF32 keeps f64 moments bit for bit).
    expect(bytesOf(M)).toEqual(bytesOf(expected.M as Parameters));
    expect(bytesOf(S)).toEqual(bytesOf(expected.S as Parameters));
  });

  // 26 neurons make f32 groups of 12 and 14 (not whole quads: Adam keeps f64 moments there);
  // 32 make two groups of 16, whose Adam moments the engine keeps in f32 (adamGroupF32).
  const SHAPES: readonly (readonly [Precision, number[]])[] = [
    ['f64', [784, 26, 12, 10]],
    ['f32', [784, 26, 12, 10]],
    ['f32', [784, 32, 12, 10]],
  ];
  for (const [precision, sizes] of SHAPES) {
    for (const settings of SETTINGS) {
      it(`${settings.kind}, ${precision}, ${sizes.join('-')}: the bytes of compute then optimizerStep, own arrays or not, 1 and 2 threads`, async () => {
        const runs: { bytes: Buffer; passes: PassResult[]; state: OptimizerState }[] = [];
        for (const threads of [1, 2]) {
          for (const own of [true, false]) {
            for (const fused of [false, true]) {
              const engine = await createFastEngine(dataset, sizes, { threads, precision });
              engines.push(engine);
              runs.push(await threeSteps(engine, sizes, settings, fused, own));
              // On own arrays, trainStep runs no separate reduce (nor update) phase.
              const phases = engine.phaseSeconds();
              expect(phases.reduce === 0).toBe(fused && own);
              expect(phases.reduceAndUpdate === 0).toBe(!(fused && own));
            }
          }
        }
        // Own arrays: the engine's kernels; outside arrays: the readable step (the same in
        // f64; in f32, Adam's direction is f32 only in the kernels).
        const ownRuns = [runs[0], runs[1], runs[4], runs[5]];
        const outsideRuns = [runs[2], runs[3], runs[6], runs[7]];
        for (const group of [ownRuns, outsideRuns]) {
          for (const run of group.slice(1)) {
            expect(run.bytes.equals(group[0].bytes)).toBe(true);
            expect(run.passes).toEqual(group[0].passes);
          }
        }
        const sameArithmetic = precision === 'f64' || settings.kind !== 'adam';
        expect(ownRuns[0].bytes.equals(outsideRuns[0].bytes)).toBe(sameArithmetic);
        // Where the engine keeps W⁽¹⁾'s Adam moments in f32, every one of them is an f32.
        const { M } = ownRuns[0].state;
        const f32Moments = precision === 'f32' && settings.kind === 'adam' && sizes[1] === 32;
        if (M !== undefined) {
          expect(M.W[0].every((m) => Math.fround(m) === m)).toBe(f32Moments);
          expect(M.W[1].every((m) => Math.fround(m) === m)).toBe(false);
        }
      });
    }
  }
});
