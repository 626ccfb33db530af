import { describe, expect, it } from 'vitest';
import { Matrix } from '../../src/matrix/matrix.js';
import { zeroParameters } from '../../src/nn/init.js';
import { countCorrect, Network } from '../../src/nn/network.js';
import type { Parameters } from '../../src/nn/parameters.js';

/**
 * The 2-2-2 network worked by hand. Two samples (columns) x₁ = (1, 0) with label 0 and
 * x₂ = (0.5, 1) with label 1.
 *   W⁽¹⁾ = [1 −1; 0.5 2]  b⁽¹⁾ = (0, −1)      W⁽²⁾ = [1 2; −1 1]  b⁽²⁾ = (0.5, 0)
 */
function handNetwork(): { params: Parameters; A0: Matrix; labels: Uint8Array } {
  return {
    params: {
      layerSizes: [2, 2, 2],
      W: [Float64Array.from([1, -1, 0.5, 2]), Float64Array.from([1, 2, -1, 1])],
      b: [Float64Array.from([0, -1]), Float64Array.from([0.5, 0])],
    },
    A0: Matrix.from(2, 2, [1, 0.5, 0, 1]), // columns are x₁, x₂
    labels: Uint8Array.from([0, 1]),
  };
}

describe('Network on a 2-2-2 case computed by hand', () => {
  const { params, A0, labels } = handNetwork();
  const network = new Network(params);
  const cache = network.forward(A0, labels);

  it('forward: Z⁽¹⁾, A⁽¹⁾, Z⁽²⁾, A⁽²⁾', () => {
    // Z⁽¹⁾ = W⁽¹⁾A⁽⁰⁾ + B⁽¹⁾:
    //   x₁: (1·1 − 1·0 + 0, 0.5·1 + 2·0 − 1) = (1, −0.5)
    //   x₂: (1·0.5 − 1·1 + 0, 0.5·0.5 + 2·1 − 1) = (−0.5, 1.25)
    expect(Array.from(cache.Z[0].data)).toEqual([1, -0.5, -0.5, 1.25]);
    // A⁽¹⁾ = ReLU(Z⁽¹⁾): x₁ → (1, 0), x₂ → (0, 1.25)
    expect(Array.from(cache.A[1].data)).toEqual([1, 0, 0, 1.25]);
    // Z⁽²⁾ = W⁽²⁾A⁽¹⁾ + B⁽²⁾:
    //   x₁: (1·1 + 2·0 + 0.5, −1·1 + 1·0 + 0) = (1.5, −1)
    //   x₂: (1·0 + 2·1.25 + 0.5, −1·0 + 1·1.25 + 0) = (3, 1.25)
    expect(Array.from(cache.Z[1].data)).toEqual([1.5, 3, -1, 1.25]);
    // A⁽²⁾ = softmax: x₁: gap 2.5, e^−2.5 = 0.0820849986 → (1/1.0820849986, 0.0820849986/1.0820849986)
    //                 x₂: gap 1.75, e^−1.75 = 0.1737739435 → (1/1.1737739435, 0.1737739435/1.1737739435)
    const A2 = cache.A[2];
    expect(A2.get(0, 0)).toBeCloseTo(0.92414182, 8);
    expect(A2.get(1, 0)).toBeCloseTo(0.07585818, 8);
    expect(A2.get(0, 1)).toBeCloseTo(0.8519528, 7);
    expect(A2.get(1, 1)).toBeCloseTo(0.1480472, 7);
  });

  it('cost: C = ½(−log 0.92414182 − log 0.1480472)', () => {
    // −log A_{0,1} = log(1 + e^−2.5) = 0.0788897343
    // −log A_{1,2} = 1.75 + log(1 + e^−1.75) = 1.75 + 0.1602241504 = 1.9102241504
    // C = (0.0788897343 + 1.9102241504) / 2 = 0.9945569424
    expect(cache.loss).toBeCloseTo(0.9945569424, 9);
    expect(network.cost(A0, labels)).toBe(cache.loss);
  });

  it('backward: ∂C/∂W⁽ℓ⁾ and ∂C/∂b⁽ℓ⁾', () => {
    const gradients = zeroParameters([2, 2, 2]);
    network.backward(cache, labels, gradients);
    // Δ⁽²⁾ = A⁽²⁾ − Y, with d = 0.07585818 and D = 0.8519528:
    //   x₁: (0.92414182 − 1, 0.07585818) = (−d, d);  x₂: (0.8519528, 0.1480472 − 1) = (D, −D)
    // ∂C/∂W⁽²⁾ = ½ Δ⁽²⁾(A⁽¹⁾)ᵀ, A⁽¹⁾ columns (1, 0), (0, 1.25):
    //   [½(−d·1 + D·0)  ½(−d·0 + D·1.25); ½(d·1 − D·0)  ½(d·0 − D·1.25)]
    //   = [−0.03792909  0.53247050; 0.03792909  −0.53247050]
    expectCloseTo(gradients.W[1], [-0.03792909, 0.5324705, 0.03792909, -0.5324705]);
    // ∂C/∂b⁽²⁾ = ½ Σ columns of Δ⁽²⁾ = (½(D − d), ½(d − D)) = (0.38804731, −0.38804731)
    expectCloseTo(gradients.b[1], [0.38804731, -0.38804731]);
    // (W⁽²⁾)ᵀΔ⁽²⁾, (W⁽²⁾)ᵀ = [1 −1; 2 1]: x₁: (−d − d, −2d + d) = (−2d, −d); x₂: (D + D, 2D − D) = (2D, D)
    // Δ⁽¹⁾ = ReLU′(Z⁽¹⁾) ⊙ that; ReLU′(Z⁽¹⁾) columns (1, 0), (0, 1): x₁: (−2d, 0), x₂: (0, D)
    // ∂C/∂W⁽¹⁾ = ½ Δ⁽¹⁾(A⁽⁰⁾)ᵀ, A⁽⁰⁾ columns (1, 0), (0.5, 1):
    //   [½(−2d·1 + 0·0.5)  ½(−2d·0 + 0·1); ½(0·1 + D·0.5)  ½(0·0 + D·1)] = [−d  0; D/4  D/2]
    expectCloseTo(gradients.W[0], [-0.07585818, 0, 0.2129882, 0.4259764]);
    // ∂C/∂b⁽¹⁾ = ½ (−2d + 0, 0 + D) = (−d, D/2)
    expectCloseTo(gradients.b[0], [-0.07585818, 0.4259764]);
  });

  it('predicts the argmax and counts correct samples', () => {
    expect(Array.from(network.predict(A0))).toEqual([0, 0]); // x₂'s label 1 has only 0.148
    expect(countCorrect(cache.A[2], labels)).toBe(1);
    expect(network.probabilities(A0).data).toEqual(cache.A[2].data);
  });
});

function expectCloseTo(actual: Float64Array, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, i) => expect(actual[i]).toBeCloseTo(value, 7));
}

describe('Network', () => {
  it('reuses a cache: a second forward into it gives the same numbers', () => {
    const { params, A0, labels } = handNetwork();
    const network = new Network(params);
    const cache = network.createCache(A0);
    const first = network.forward(A0, labels, cache).loss;
    expect(network.forward(A0, labels, cache)).toBe(cache);
    expect(cache.loss).toBe(first);
  });

  it('sees parameter updates made in place', () => {
    const { params, A0, labels } = handNetwork();
    const network = new Network(params);
    const before = network.cost(A0, labels);
    params.b[1][1] += 3; // favour class 1, x₂'s label
    expect(network.cost(A0, labels)).not.toBe(before);
  });

  it('rejects parameters whose arrays do not match layerSizes', () => {
    const bad = zeroParameters([3, 2]);
    expect(() => new Network({ ...bad, layerSizes: [3, 3] })).toThrow(/needs 9 numbers, got 6/);
    expect(() => new Network({ ...bad, b: [new Float64Array(3)] })).toThrow(/b⁽1⁾ must have 2/);
  });
});
