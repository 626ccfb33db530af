import { describe, expect, it } from 'vitest';
import { Matrix } from '../../src/matrix/matrix.js';
import { dropoutBackward, dropoutForward } from '../../src/nn/activations.js';
import { dropoutKeeps, dropoutScaledMask, type DropoutSpec } from '../../src/nn/dropout.js';
import { gradientCheck } from '../../src/nn/gradcheck.js';
import { initParameters } from '../../src/nn/init.js';
import { Random } from '../../src/nn/random.js';

describe('inverted dropout (docs/math.md, Beyond the paper)', () => {
  const spec: DropoutSpec = { rate: 0.4, seed: 9, step: 3 };
  const samples = Uint32Array.from([5, 0, 12]);

  it('the scaled mask is 1 / (1 − p) where dropoutKeeps, 0 elsewhere, column k for samples[k]', () => {
    const R = dropoutScaledMask(spec, samples, 2, 4);
    expect([R.rows, R.cols]).toEqual([4, 3]);
    for (let i = 0; i < 4; i++) {
      samples.forEach((sample, k) => {
        const expected = dropoutKeeps(spec, sample, 2, i) ? 1 / 0.6 : 0;
        expect(R.data[i * 3 + k]).toBe(expected);
      });
    }
  });

  it('keeps about 1 − p of the units, and a mask depends on step, sample, layer and unit', () => {
    const many = Uint32Array.from({ length: 1000 }, (_, i) => i);
    const R = dropoutScaledMask(spec, many, 1, 20);
    const kept = R.data.filter((value) => value > 0).length / R.data.length;
    expect(kept).toBeGreaterThan(0.57);
    expect(kept).toBeLessThan(0.63);
    expect(dropoutScaledMask({ ...spec, step: 4 }, many, 1, 20).data).not.toEqual(R.data);
    expect(dropoutScaledMask(spec, many, 2, 20).data).not.toEqual(R.data);
  });

  it('forward A ⊙ R / (1 − p) and backward Δ ⊙ R / (1 − p), element by element', () => {
    const R = Matrix.from(2, 2, [2, 0, 0, 2]);
    const A = Matrix.from(2, 2, [1, 2, 3, 4]);
    dropoutForward(A, R);
    expect(Array.from(A.data)).toEqual([2, 0, 0, 8]);
    const delta = Matrix.from(2, 2, [0.5, 0.25, -1, -2]);
    dropoutBackward(delta, R);
    expect(Array.from(delta.data)).toEqual([1, 0, -0, -4]);
  });

  it('backpropagation through a fixed mask passes the gradient check', () => {
    const layerSizes = [6, 7, 5, 3];
    const random = new Random(4);
    const inputs = Matrix.zeros(6, 8);
    inputs.data.forEach((_, i) => (inputs.data[i] = random.next()));
    const labels = Uint8Array.from({ length: 8 }, () => random.integer(3));
    const columns = Uint32Array.from({ length: 8 }, (_, i) => i);
    const dropout = [1, 2].map((layer) =>
      dropoutScaledMask(spec, columns, layer, layerSizes[layer]),
    );
    const parameters = initParameters(layerSizes, { init: 'he', seed: 2 });
    const result = gradientCheck({ parameters, inputs, labels, dropout });
    expect(result.passed).toBe(true);
    expect(result.layers.every((layer) => layer.W.checked > 0)).toBe(true);
    // A backward pass that forgets the mask (Δ without ⊙ R / (1 − p)) fails the same check.
    const forgetful = gradientCheck({
      parameters,
      inputs,
      labels,
      dropout,
      backward: (network, cache, batchLabels, gradients) =>
        network.backward({ ...cache, R: [] }, batchLabels, gradients),
    });
    expect(forgetful.passed).toBe(false);
  });
});
