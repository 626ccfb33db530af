import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { Matrix } from '../../src/matrix/matrix.js';
import { gradientCheck, relativeError, type BackwardPass } from '../../src/nn/gradcheck.js';
import { initParameters } from '../../src/nn/init.js';
import { backpropagateDelta, layerGradients } from '../../src/nn/network.js';
import { inputMatrix } from '../../src/train/inputs.js';
import type { Parameters } from '../../src/nn/parameters.js';
import { Random } from '../../src/nn/random.js';

/** N random inputs in [0, 1) and labels for a net with `layerSizes`. */
function randomBatch(layerSizes: number[], N: number, seed: number) {
  const random = new Random(seed);
  const inputs = Matrix.zeros(layerSizes[0], N);
  for (let i = 0; i < inputs.data.length; i++) inputs.data[i] = random.next();
  const classes = layerSizes[layerSizes.length - 1];
  const labels = Uint8Array.from({ length: N }, () => random.integer(classes));
  return { inputs, labels };
}

/** A few MNIST-like sparse byte images: about a fifth of the pixels lit. */
function sparseByteDataset(count: number, seed: number): Dataset {
  const random = new Random(seed);
  const images = new Uint8Array(count * 784);
  for (let i = 0; i < images.length; i++)
    if (random.next() < 0.2) images[i] = 1 + random.integer(255);
  const labels = Uint8Array.from({ length: count }, () => random.integer(10));
  return { images, labels, count, rows: 28, cols: 28 };
}

describe('gradientCheck passes on the correct backward pass', () => {
  const architectures = [
    [6, 1, 3],
    [12, 8, 5],
    [10, 16, 16, 4],
    [8, 64, 32, 16, 8, 10],
  ];
  for (const layerSizes of architectures) {
    it(`${layerSizes.join('-')}`, () => {
      const parameters = initParameters(layerSizes, { init: 'he', seed: 4 });
      const { inputs, labels } = randomBatch(layerSizes, 9, 5);
      const result = gradientCheck({ parameters, inputs, labels });
      expect(result.layers.map((layer) => layer.layer)).toEqual(
        layerSizes.slice(1).map((_, i) => i + 1),
      );
      for (const layer of result.layers) {
        for (const array of [layer.W, layer.b]) {
          expect(array.maxRelativeError).toBeLessThan(1e-6);
          expect(array.checked).toBeGreaterThan(0);
        }
      }
      expect(result.passed).toBe(true);
    });
  }

  it('784-10-10 (uniform init, as in the paper) on sparse byte inputs, sampling the large W⁽¹⁾', () => {
    const dataset = sparseByteDataset(4, 8);
    const parameters = initParameters([784, 10, 10], { init: 'uniform', seed: 2 });
    const result = gradientCheck({
      parameters,
      inputs: inputMatrix(dataset),
      labels: dataset.labels,
    });
    expect(result.passed).toBe(true);
    const [first, second] = result.layers;
    expect(first.W.checked + first.W.skipped).toBe(200); // 7 840 entries > 2 000: a sample
    expect(first.b.checked + first.b.skipped).toBe(10);
    expect(second.W.checked + second.W.skipped).toBe(100);
  });

  it('leaves the parameters bit-identical', () => {
    const parameters = initParameters([5, 4, 3], { init: 'he', seed: 6 });
    const before = structuredClone(parameters);
    const { inputs, labels } = randomBatch([5, 4, 3], 3, 1);
    gradientCheck({ parameters, inputs, labels });
    expect(parameters).toEqual(before);
  });

  it('skips, and counts, parameters whose ±h moves a Z across the ReLU kink', () => {
    // 1-1-2: Z⁽¹⁾ = w·0 + 0 = 0 exactly, so b⁽¹⁾ ± h flips the ReLU; w ± h does not move Z.
    const parameters: Parameters = {
      layerSizes: [1, 1, 2],
      W: [Float64Array.from([1]), Float64Array.from([0.3, -0.7])],
      b: [Float64Array.from([0]), Float64Array.from([0.1, 0.2])],
    };
    const result = gradientCheck({
      parameters,
      inputs: Matrix.from(1, 1, [0]),
      labels: Uint8Array.from([1]),
    });
    expect(result.layers[0].b).toEqual({ maxRelativeError: 0, checked: 0, skipped: 1 });
    expect(result.layers[0].W.checked).toBe(1);
    expect(result.passed).toBe(true);
  });
});

/**
 * A backward pass with the paper's typos, to prove the check catches them. `weightOf(ℓ)` picks
 * the layer whose W and Z feed Δ⁽ℓ⁻¹⁾ (correct: ℓ and ℓ−1); `biasFromLayerBelow` is erratum 3.
 */
function wrongBackward(
  weightLayer: (l: number) => number,
  zLayer: (l: number) => number,
  biasFromLayerBelow = false,
): BackwardPass {
  return (network, cache, labels, gradients) => {
    const sizes = network.parameters.layerSizes;
    const W = (l: number) => new Matrix(sizes[l], sizes[l - 1], network.parameters.W[l - 1]);
    const L = network.layerCount;
    const delta = cache.delta;
    delta[L - 1].data.set(cache.A[L].data);
    labels.forEach((y, l) => (delta[L - 1].data[y * labels.length + l] -= 1)); // Δ⁽ᴸ⁾ = A − Y
    for (let l = L; l >= 2; l--) {
      backpropagateDelta(delta[l - 2], W(weightLayer(l)), delta[l - 1], cache.Z[zLayer(l) - 1]);
    }
    for (let l = 1; l <= L; l++) {
      const dW = new Matrix(sizes[l], sizes[l - 1], gradients.W[l - 1]);
      const biasDelta = biasFromLayerBelow && l > 1 ? delta[l - 2] : delta[l - 1];
      layerGradients(dW, gradients.b[l - 1], delta[l - 1], cache.A[l - 1]);
      const N = biasDelta.cols;
      for (let i = 0; i < sizes[l]; i++) {
        let sum = 0;
        for (let k = 0; k < N; k++) sum += biasDelta.get(i, k);
        gradients.b[l - 1][i] = sum / N;
      }
    }
  };
}

describe('gradientCheck catches wrong backward passes (equal widths so the wrong shapes fit)', () => {
  const layerSizes = [6, 6, 6, 6];
  const parameters = initParameters(layerSizes, { init: 'he', seed: 12 });
  const { inputs, labels } = randomBatch(layerSizes, 8, 13);
  const check = (backward: BackwardPass) => gradientCheck({ parameters, inputs, labels, backward });

  it('the test harness itself is right when given the correct indices', () => {
    expect(
      check(
        wrongBackward(
          (l) => l,
          (l) => l - 1,
        ),
      ).passed,
    ).toBe(true);
  });

  it('erratum 4 as printed: Δ⁽ℓ⁻¹⁾ = ReLU′(Z⁽¹⁾) ⊙ (W⁽¹⁾)ᵀ Δ⁽ℓ⁾', () => {
    const result = check(
      wrongBackward(
        () => 1,
        () => 1,
      ),
    );
    expect(result.passed).toBe(false);
    expect(result.layers[0].W.maxRelativeError).toBeGreaterThan(1e-2);
    expect(result.layers[2].W.maxRelativeError).toBeLessThan(1e-6); // the top layer is unaffected
  });

  it('W⁽ℓ⁻¹⁾ instead of W⁽ℓ⁾', () => {
    expect(
      check(
        wrongBackward(
          (l) => l - 1,
          (l) => l - 1,
        ),
      ).passed,
    ).toBe(false);
  });

  it('erratum 3: ∂C/∂b from the layer below', () => {
    const result = check(
      wrongBackward(
        (l) => l,
        (l) => l - 1,
        true,
      ),
    );
    expect(result.passed).toBe(false);
    expect(result.layers[1].b.maxRelativeError).toBeGreaterThan(1e-2);
    expect(result.layers[1].W.maxRelativeError).toBeLessThan(1e-6);
  });
});

describe('relativeError', () => {
  it('is relative above the floor and absolute/floor below it', () => {
    expect(relativeError(2, 1, 1e-4)).toBe(0.5);
    expect(relativeError(-1e-3, 1e-3, 1e-4)).toBe(2);
    expect(relativeError(1e-12, 3e-12, 1e-4)).toBeCloseTo(2e-8, 20);
    expect(relativeError(0, 0, 1e-4)).toBe(0);
  });
});
