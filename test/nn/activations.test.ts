import { describe, expect, it } from 'vitest';
import { Matrix } from '../../src/matrix/matrix.js';
import { reluBackward, reluForward } from '../../src/nn/activations.js';

/** Pre-activations with both signs, both zeros and a NaN (made per test, not at collection). */
const preActivations = () => Matrix.from(2, 3, [-2, 0, 3, 0.5, -0, NaN]);

describe('ReLU', () => {
  it('rejects an output of the wrong shape, naming it', () => {
    const Z = preActivations();
    expect(() => reluForward(Matrix.zeros(3, 2), Z)).toThrow('A must be 2×3, got 3×2');
    expect(() => reluBackward(Matrix.zeros(3, 2), Z)).toThrow('delta must be 2×3, got 3×2');
  });

  it('forward is max(0, Z), keeps NaN visible, and works in place', () => {
    const Z = preActivations();
    const A = Matrix.zeros(2, 3);
    reluForward(A, Z);
    expect(Array.from(A.data)).toEqual([0, 0, 3, 0.5, 0, NaN]);
    const inPlace = Matrix.from(2, 3, Z.data);
    reluForward(inPlace, inPlace);
    expect(Array.from(inPlace.data)).toEqual(Array.from(A.data));
  });

  it('backward multiplies Δ by ReLU′(Z), which is 0 at Z = 0', () => {
    const Z = preActivations();
    const delta = Matrix.from(2, 3, [1, 2, 3, 4, 5, 6]);
    reluBackward(delta, Z);
    expect(Array.from(delta.data)).toEqual([0, 0, 3, 4, 0, 6]);
  });
});
