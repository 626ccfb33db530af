import { describe, expect, it } from 'vitest';
import type { Parameters } from '../../src/nn/parameters.js';
import { Random } from '../../src/nn/random.js';
import {
  initialOptimizerState,
  optimizerStep,
  type OptimizerSettings,
} from '../../src/train/optimizer.js';

// Each optimizer against the formulas of docs/math.md written out naively here: one flat list of scalars,
// each knowing whether it is a weight (weight decay applies) or a bias (it does not).

const LAYERS = [5, 4, 3];

/** Seeded parameters (or gradients) of LAYERS. */
function randomParameters(random: Random, scale: number): Parameters {
  const array = (length: number) => Float64Array.from({ length }, () => scale * random.normal());
  return {
    layerSizes: LAYERS,
    W: [array(20), array(12)],
    b: [array(4), array(3)],
  };
}

/** The parameters as one flat list of {value, isWeight}, W⁽¹⁾ b⁽¹⁾ W⁽²⁾ b⁽²⁾. */
function flatten(parameters: Parameters): { value: number; isWeight: boolean }[] {
  return parameters.W.flatMap((W, l) => [
    ...Array.from(W, (value) => ({ value, isWeight: true })),
    ...Array.from(parameters.b[l], (value) => ({ value, isWeight: false })),
  ]);
}

/** The naive trajectory: `steps` updates of every scalar θ with its gradient g per step. */
function naiveTrajectory(
  settings: OptimizerSettings,
  start: Parameters,
  gradients: Parameters[],
  alphas: number[],
): number[] {
  const theta = flatten(start).map(({ value }) => value);
  const isWeight = flatten(start).map((entry) => entry.isWeight);
  const V = theta.map(() => 0);
  const M = theta.map(() => 0);
  const S = theta.map(() => 0);
  gradients.forEach((step, index) => {
    const t = index + 1;
    const alpha = alphas[index];
    const g = flatten(step).map(({ value }) => value);
    for (let i = 0; i < theta.length; i++) {
      const lambda = isWeight[i] ? settings.weightDecay : 0;
      if (settings.kind === 'gd') {
        theta[i] = theta[i] - alpha * (g[i] + lambda * theta[i]);
      } else if (settings.kind === 'momentum') {
        V[i] = settings.momentum * V[i] + g[i] + lambda * theta[i];
        theta[i] = theta[i] - alpha * V[i];
      } else {
        const { beta1, beta2, epsilon } = settings;
        M[i] = beta1 * M[i] + (1 - beta1) * g[i];
        S[i] = beta2 * S[i] + (1 - beta2) * g[i] ** 2;
        const mHat = M[i] / (1 - Math.pow(beta1, t));
        const sHat = S[i] / (1 - Math.pow(beta2, t));
        theta[i] = theta[i] - alpha * (mHat / (Math.sqrt(sHat) + epsilon) + lambda * theta[i]);
      }
    }
  });
  return theta;
}

const SETTINGS: [string, OptimizerSettings][] = [
  ['gd', { kind: 'gd', weightDecay: 0 }],
  ['gd with weight decay', { kind: 'gd', weightDecay: 0.05 }],
  ['momentum', { kind: 'momentum', momentum: 0.9, weightDecay: 0 }],
  ['momentum with weight decay', { kind: 'momentum', momentum: 0.5, weightDecay: 0.01 }],
  ['adam', { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 }],
  ['adamw', { kind: 'adam', beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.02 }],
];

describe('optimizers against docs/math.md written out naively', () => {
  it.each(SETTINGS)('%s: 6 steps with varying α_t and gradients', (_name, settings) => {
    const random = new Random(17);
    const start = randomParameters(random, 0.5);
    const gradients = Array.from({ length: 6 }, () => randomParameters(random, 0.1));
    const alphas = [0.1, 0.05, 0.2, 0.01, 0.1, 0.03];
    const params = randomParameters(new Random(17), 0.5);
    const state = initialOptimizerState(settings, LAYERS);
    gradients.forEach((g, index) => optimizerStep(settings, state, params, g, alphas[index]));
    expect(state.t).toBe(6);
    const expected = naiveTrajectory(settings, start, gradients, alphas);
    const actual = flatten(params).map(({ value }) => value);
    actual.forEach((value, i) => {
      expect(Math.abs(value - expected[i])).toBeLessThanOrEqual(
        1e-15 * Math.max(1, Math.abs(expected[i])),
      );
    });
  });

  it('weight decay never touches the biases', () => {
    for (const [, settings] of SETTINGS) {
      const zero = randomParameters(new Random(2), 0);
      const params = randomParameters(new Random(3), 1);
      const biases = params.b.map((b) => Float64Array.from(b));
      const decayed = { ...settings, weightDecay: 0.5 };
      optimizerStep(decayed, initialOptimizerState(decayed, LAYERS), params, zero, 0.1);
      expect(params.b).toEqual(biases);
      expect(params.W[0][0]).not.toBe(randomParameters(new Random(3), 1).W[0][0]);
    }
  });

  it("Adam's first step moves each parameter by α · g / (|g| + ε), whatever g's scale", () => {
    const settings: OptimizerSettings = {
      kind: 'adam',
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      weightDecay: 0,
    };
    const params = randomParameters(new Random(5), 1);
    const before = flatten(params).map(({ value }) => value);
    const g = randomParameters(new Random(6), 1e-3);
    optimizerStep(settings, initialOptimizerState(settings, LAYERS), params, g, 0.01);
    const moved = flatten(params).map(({ value }, i) => before[i] - value);
    flatten(g).forEach(({ value }, i) => {
      expect(moved[i]).toBeCloseTo((0.01 * value) / (Math.abs(value) + 1e-8), 12);
    });
  });

  it('momentum after two steps has velocity μ g₁ + g₂', () => {
    const settings: OptimizerSettings = { kind: 'momentum', momentum: 0.9, weightDecay: 0 };
    const state = initialOptimizerState(settings, LAYERS);
    const params = randomParameters(new Random(1), 1);
    const g1 = randomParameters(new Random(2), 1);
    const g2 = randomParameters(new Random(3), 1);
    optimizerStep(settings, state, params, g1, 0.1);
    optimizerStep(settings, state, params, g2, 0.1);
    expect(state.V?.W[1][4]).toBeCloseTo(0.9 * g1.W[1][4] + g2.W[1][4], 15);
  });
});
