import { describe, expect, it } from 'vitest';
import { initParameters, zeroParameters } from '../../src/nn/init.js';
import { Random } from '../../src/nn/random.js';

describe('initParameters', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    for (const init of ['he', 'uniform'] as const) {
      const first = initParameters([5, 4, 3], { init, seed: 42 });
      const again = initParameters([5, 4, 3], { init, seed: 42 });
      const other = initParameters([5, 4, 3], { init, seed: 43 });
      expect(again).toEqual(first);
      expect(other.W[0]).not.toEqual(first.W[0]);
    }
  });

  it('has the Parameters layout: W⁽ℓ⁾ n_ℓ·n_{ℓ−1} numbers, b⁽ℓ⁾ n_ℓ', () => {
    const params = initParameters([784, 16, 10], { init: 'he', seed: 1 });
    expect(params.layerSizes).toEqual([784, 16, 10]);
    expect(params.W.map((w) => w.length)).toEqual([16 * 784, 10 * 16]);
    expect(params.b.map((b) => b.length)).toEqual([16, 10]);
  });

  it('he: weights have mean ≈ 0 and variance ≈ 2/n_{ℓ−1}; biases are 0', () => {
    const params = initParameters([400, 300, 50], { init: 'he', seed: 3 });
    for (let l = 0; l < 2; l++) {
      const w = params.W[l];
      const mean = w.reduce((sum, x) => sum + x, 0) / w.length;
      const variance = w.reduce((sum, x) => sum + (x - mean) ** 2, 0) / w.length;
      const expected = 2 / params.layerSizes[l];
      // 120 000 and 15 000 draws: the sample variance is within ~1% and ~3.5% (3σ) of its value.
      expect(Math.abs(variance / expected - 1)).toBeLessThan(0.05);
      expect(Math.abs(mean)).toBeLessThan(4 * Math.sqrt(expected / w.length));
      expect(params.b[l].every((b) => b === 0)).toBe(true);
    }
  });

  it('uniform: weights and biases in (−0.5, 0.5), spread over the whole range', () => {
    const params = initParameters([784, 10, 10], { init: 'uniform', seed: 9 });
    const all = [...params.W, ...params.b].flatMap((a) => Array.from(a));
    expect(all.every((x) => x >= -0.5 && x < 0.5)).toBe(true);
    expect(Math.min(...all)).toBeLessThan(-0.49);
    expect(Math.max(...all)).toBeGreaterThan(0.49);
    expect(params.b[0].some((b) => b !== 0)).toBe(true);
  });

  it('draws from one seeded stream in a fixed order: W⁽ℓ⁾ row-major, then b⁽ℓ⁾, for ℓ = 1..L', () => {
    const layerSizes = [3, 4, 2];
    const stream = new Random(5);
    const draw = (n: number, f: () => number) => Float64Array.from({ length: n }, f);
    const uniform = () => stream.uniform(-0.5, 0.5);
    const expectedUniform = {
      layerSizes,
      W: [] as Float64Array[],
      b: [] as Float64Array[],
    };
    for (let l = 1; l < layerSizes.length; l++) {
      expectedUniform.W.push(draw(layerSizes[l] * layerSizes[l - 1], uniform));
      expectedUniform.b.push(draw(layerSizes[l], uniform));
    }
    expect(initParameters(layerSizes, { init: 'uniform', seed: 5 })).toEqual(expectedUniform);

    // He: W⁽ℓ⁾ = √(2/n_{ℓ−1}) · standard normals, layer after layer; no draws for the zero biases.
    const normals = new Random(5);
    const he = initParameters(layerSizes, { init: 'he', seed: 5 });
    for (let l = 1; l < layerSizes.length; l++) {
      const deviation = Math.sqrt(2 / layerSizes[l - 1]);
      expect(he.W[l - 1]).toEqual(
        draw(layerSizes[l] * layerSizes[l - 1], () => deviation * normals.normal()),
      );
    }
  });

  it('rejects fewer than two layers or sizes that are not positive whole numbers', () => {
    expect(() => initParameters([784], { init: 'he', seed: 1 })).toThrow(/at least two/);
    expect(() => zeroParameters([4, 0, 2])).toThrow(/\[4, 0, 2\]/);
  });
});

describe('zeroParameters', () => {
  it('allocates zeros in the layout', () => {
    const zeros = zeroParameters([3, 2]);
    expect(Array.from(zeros.W[0])).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(zeros.b[0])).toEqual([0, 0]);
  });
});
