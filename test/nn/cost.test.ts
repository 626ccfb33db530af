import { describe, expect, it } from 'vitest';
import { Matrix } from '../../src/matrix/matrix.js';
import { softmaxCrossEntropy, softmaxCrossEntropyBackward } from '../../src/nn/cost.js';
import { Random } from '../../src/nn/random.js';

describe('softmax + cross-entropy', () => {
  it('Δ⁽ᴸ⁾ = A − Y equals the full-Jacobian route J_softmaxᵀ · ∂C/∂A on random inputs', () => {
    const random = new Random(21);
    for (let trial = 0; trial < 20; trial++) {
      const classes = 2 + random.integer(9);
      const samples = 1 + random.integer(6);
      const Z = Matrix.zeros(classes, samples);
      for (let i = 0; i < Z.data.length; i++) Z.data[i] = random.uniform(-4, 4);
      const labels = Uint8Array.from({ length: samples }, () => random.integer(classes));
      const A = Matrix.zeros(classes, samples);
      softmaxCrossEntropy(A, Z, labels);
      const delta = Matrix.zeros(classes, samples);
      softmaxCrossEntropyBackward(delta, A, labels);

      for (let l = 0; l < samples; l++) {
        const a = Array.from({ length: classes }, (_, i) => A.get(i, l));
        // ∂C_l/∂a_i = −Y_il / a_i (C_l = −Σ_i Y_il log a_i)
        const dCdA = a.map((ai, i) => (i === labels[l] ? -1 / ai : 0));
        for (let j = 0; j < classes; j++) {
          // ∂C_l/∂z_j = Σ_i J_ij ∂C_l/∂a_i, J_ij = ∂a_i/∂z_j = a_i(δ_ij − a_j)
          let viaJacobian = 0;
          for (let i = 0; i < classes; i++)
            viaJacobian += a[i] * ((i === j ? 1 : 0) - a[j]) * dCdA[i];
          expect(delta.get(j, l)).toBeCloseTo(viaJacobian, 12);
        }
      }
    }
  });

  it('returns the mean of −log A_{y,l}', () => {
    const Z = Matrix.from(2, 2, [0, 1, 0, 1]); // columns (0, 0) and (1, 1): A = ½ everywhere
    const A = Matrix.zeros(2, 2);
    expect(softmaxCrossEntropy(A, Z, Uint8Array.from([0, 1]))).toBeCloseTo(Math.LN2, 15);
    expect(Array.from(A.data)).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  it('stays finite for huge logits (1e4) even when the label probability underflows to 0', () => {
    // Column 0: the label's logit is 1e4 below another, so A_{y,0} = e^−1e4 = 0 in Float64.
    const Z = Matrix.from(3, 2, [1e4, 1e4, 0, -1e4, -1e4, 1e4 - 3]);
    const A = Matrix.zeros(3, 2);
    const loss = softmaxCrossEntropy(A, Z, Uint8Array.from([2, 1]));
    expect(A.get(2, 0)).toBe(0);
    // −log A_{2,0} = logsumexp(1e4, 0, −1e4) − (−1e4) = 2e4 (to 1e-4300);
    // −log A_{1,1} = logsumexp(1e4, −1e4, 1e4−3) − (−1e4) = 2e4 + log(1 + e^−3)
    expect(loss).toBeCloseTo((2e4 + 2e4 + Math.log(1 + Math.exp(-3))) / 2, 8);
    expect(Number.isFinite(loss)).toBe(true);
    const delta = Matrix.zeros(3, 2);
    softmaxCrossEntropyBackward(delta, A, Uint8Array.from([2, 1]));
    expect(delta.data.every(Number.isFinite)).toBe(true);
  });

  it('backward works in place (delta = A) and touches one entry per column', () => {
    const A = Matrix.from(2, 2, [0.25, 0.5, 0.75, 0.5]);
    softmaxCrossEntropyBackward(A, A, Uint8Array.from([1, 0]));
    expect(Array.from(A.data)).toEqual([0.25, -0.5, -0.25, 0.5]);
  });

  it('rejects labels that do not fit', () => {
    const A = Matrix.zeros(2, 2);
    expect(() => softmaxCrossEntropy(A, A, Uint8Array.from([0]))).toThrow(/2 entries/);
    expect(() => softmaxCrossEntropyBackward(A, A, Uint8Array.from([0, 2]))).toThrow(
      /label 2 of sample 1/,
    );
  });

  it('rejects a delta of the wrong shape, naming it', () => {
    expect(() =>
      softmaxCrossEntropyBackward(Matrix.zeros(2, 1), Matrix.zeros(2, 2), Uint8Array.of(0, 1)),
    ).toThrow('delta must be 2×2, got 2×1');
  });
});
