import { describe, expect, it } from 'vitest';
import type { Parameters } from '../../src/nn/parameters.js';
import { gradientDescentUpdate } from '../../src/train/optimizer.js';

/** Parameters of a 2-1 network (W⁽¹⁾ 1×2, b⁽¹⁾ 1) holding the given numbers. */
function twoToOne(W: number[], b: number[]): Parameters {
  return { layerSizes: [2, 1], W: [Float64Array.from(W)], b: [Float64Array.from(b)] };
}

describe('gradientDescentUpdate: θ ← θ − α ∂C/∂θ (docs/math.md, Update)', () => {
  it('moves every weight and bias against its gradient by α times it', () => {
    const parameters = twoToOne([1, -2], [0.5]);
    gradientDescentUpdate(parameters, twoToOne([4, -8], [2]), 0.25);
    expect(Array.from(parameters.W[0])).toEqual([0, 0]); // 1 − 0.25·4, −2 − 0.25·(−8)
    expect(Array.from(parameters.b[0])).toEqual([0]); // 0.5 − 0.25·2
  });

  it('lowers the cost of a one-parameter quadratic, C(θ) = θ², from either side', () => {
    for (const start of [3, -3]) {
      const parameters = twoToOne([start, 0], [0]);
      const gradient = twoToOne([2 * start, 0], [0]); // ∂C/∂θ = 2θ
      gradientDescentUpdate(parameters, gradient, 0.1);
      expect(parameters.W[0][0] ** 2).toBeLessThan(start ** 2);
    }
  });
});
