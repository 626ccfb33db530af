import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { dropoutKeeps, type DropoutSpec } from '../../src/nn/dropout.js';
import { initParameters, zeroParameters } from '../../src/nn/init.js';
import type { Parameters } from '../../src/nn/parameters.js';
import { Random } from '../../src/nn/random.js';
import type { Batch } from '../../src/train/engine.js';
import { ReferenceEngine } from '../../src/train/reference-engine.js';

// The reference engine over a batch (subset, shifts, dropout) against a per-sample loop written
// out naively here from docs/math.md: forward, inverted dropout, softmax + cross-entropy, backward.

/** count random 5×4 byte images (rows × cols) with labels 0–3. */
function randomDataset(count: number, seed: number): Dataset {
  const random = new Random(seed);
  const images = Uint8Array.from({ length: count * 20 }, () =>
    random.next() < 0.4 ? 0 : random.integer(256),
  );
  const labels = Uint8Array.from({ length: count }, () => random.integer(4));
  return { images, labels, count, rows: 5, cols: 4 };
}

/** A⁽⁰⁾ of one sample moved dx right and dy down (0 where the source falls outside). */
function shiftedInput(dataset: Dataset, sample: number, dx: number, dy: number): number[] {
  const { rows, cols } = dataset;
  const input: number[] = [];
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const [sx, sy] = [x - dx, y - dy];
      const inside = sx >= 0 && sx < cols && sy >= 0 && sy < rows;
      input.push(inside ? dataset.images[sample * rows * cols + sy * cols + sx] / 255 : 0);
    }
  }
  return input;
}

/** Forward and backward of one sample; adds its gradients into `sums`, returns its loss and whether it was right. */
function oneSample(
  params: Parameters,
  input: number[],
  label: number,
  keep: (layer: number, unit: number) => number,
  sums: Parameters,
): { loss: number; right: boolean } {
  const sizes = params.layerSizes;
  const L = sizes.length - 1;
  const A: number[][] = [input];
  const Z: number[][] = [[]];
  for (let l = 1; l <= L; l++) {
    const z = Array.from({ length: sizes[l] }, (_, i) => {
      let sum = params.b[l - 1][i];
      for (let j = 0; j < sizes[l - 1]; j++)
        sum += params.W[l - 1][i * sizes[l - 1] + j] * A[l - 1][j];
      return sum;
    });
    Z.push(z);
    if (l < L) A.push(z.map((value, i) => Math.max(0, value) * keep(l, i)));
    else {
      const max = Math.max(...z);
      const exps = z.map((value) => Math.exp(value - max));
      const total = exps.reduce((a, b) => a + b, 0);
      A.push(exps.map((value) => value / total));
    }
  }
  const output = A[L];
  let delta = output.map((value, i) => value - (i === label ? 1 : 0));
  for (let l = L; l >= 1; l--) {
    for (let i = 0; i < sizes[l]; i++) {
      sums.b[l - 1][i] += delta[i];
      for (let j = 0; j < sizes[l - 1]; j++)
        sums.W[l - 1][i * sizes[l - 1] + j] += delta[i] * A[l - 1][j];
    }
    if (l > 1) {
      delta = Array.from({ length: sizes[l - 1] }, (_, j) => {
        let sum = 0;
        for (let i = 0; i < sizes[l]; i++) sum += params.W[l - 1][i * sizes[l - 1] + j] * delta[i];
        return Z[l - 1][j] > 0 ? sum * keep(l - 1, j) : 0;
      });
    }
  }
  return { loss: -Math.log(output[label]), right: output.indexOf(Math.max(...output)) === label };
}

/** The batch written out: mean gradients, mean loss and correct count by the per-sample loop. */
function naiveBatch(params: Parameters, dataset: Dataset, batch: Batch) {
  const sums = zeroParameters(params.layerSizes);
  let loss = 0;
  let correct = 0;
  batch.samples.forEach((sample, k) => {
    const [dx, dy] = batch.shifts ? [batch.shifts[2 * k], batch.shifts[2 * k + 1]] : [0, 0];
    const spec: DropoutSpec | undefined = batch.dropout;
    const keep = (layer: number, unit: number) =>
      spec === undefined ? 1 : dropoutKeeps(spec, sample, layer, unit) ? 1 / (1 - spec.rate) : 0;
    const result = oneSample(
      params,
      shiftedInput(dataset, sample, dx, dy),
      dataset.labels[sample],
      keep,
      sums,
    );
    loss += result.loss;
    if (result.right) correct++;
  });
  const N = batch.samples.length;
  const mean = (arrays: Float64Array[]) => arrays.map((array) => array.map((value) => value / N));
  return { W: mean(sums.W), b: mean(sums.b), loss: loss / N, correct };
}

/** Largest |a − b| over the largest |b|. */
function relativeDifference(a: Float64Array, b: Float64Array): number {
  let difference = 0;
  let scale = 1e-300;
  a.forEach((value, i) => {
    difference = Math.max(difference, Math.abs(value - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  });
  return difference / scale;
}

const dataset = randomDataset(40, 9);
const samples = Uint32Array.from([17, 3, 3, 39, 0, 22, 8]);
const BATCHES: [string, Batch][] = [
  ['a subset (with a repeat)', { samples }],
  ['shifts', { samples, shifts: Int8Array.from([1, 0, -2, 1, 0, 0, 3, -1, -1, -1, 0, 2, 4, 5]) }],
  ['dropout', { samples, dropout: { rate: 0.3, seed: 5, step: 12 } }],
  [
    'shifts and dropout',
    {
      samples,
      shifts: Int8Array.from([0, 1, 1, 0, -1, 0, 0, -1, 1, 1, -1, -1, 0, 0]),
      dropout: { rate: 0.5, seed: 2, step: 1 },
    },
  ],
];

describe('ReferenceEngine on batches, against a per-sample loop', () => {
  it.each(BATCHES)(
    '%s: loss, correct count and mean gradients agree to 1e-12',
    async (_name, batch) => {
      for (const layerSizes of [
        [20, 6, 4],
        [20, 7, 5, 4],
      ]) {
        const params = initParameters(layerSizes, { init: 'he', seed: 4 });
        const engine = new ReferenceEngine(dataset, layerSizes);
        const gradients = zeroParameters(layerSizes);
        const result = await engine.compute(params, gradients, batch);
        const expected = naiveBatch(params, dataset, batch);
        expect(Math.abs(result.loss - expected.loss) / expected.loss).toBeLessThan(1e-12);
        expect(result.correct).toBe(expected.correct);
        gradients.W.forEach((dW, l) =>
          expect(relativeDifference(dW, expected.W[l])).toBeLessThan(1e-12),
        );
        gradients.b.forEach((db, l) =>
          expect(relativeDifference(db, expected.b[l])).toBeLessThan(1e-12),
        );
      }
    },
  );

  it('evaluate: forward only over the given samples (all by default), no dropout, no shift', async () => {
    const layerSizes = [20, 6, 4];
    const params = initParameters(layerSizes, { init: 'he', seed: 8 });
    const engine = new ReferenceEngine(dataset, layerSizes);
    const some = await engine.evaluate(params, samples);
    const expected = naiveBatch(params, dataset, { samples });
    expect(some.loss).toBeCloseTo(expected.loss, 12);
    expect(some.correct).toBe(expected.correct);
    const all = await engine.evaluate(params);
    const everything = Uint32Array.from({ length: dataset.count }, (_, i) => i);
    const full = await engine.compute(params, zeroParameters(layerSizes), { samples: everything });
    expect(all.loss).toBeCloseTo(full.loss, 12);
    expect(all.correct).toBe(full.correct);
  });

  it('without a batch: every sample in order, exactly as a Batch of all samples', async () => {
    const layerSizes = [20, 6, 4];
    const params = initParameters(layerSizes, { init: 'he', seed: 1 });
    const engine = new ReferenceEngine(dataset, layerSizes);
    const whole = zeroParameters(layerSizes);
    const listed = zeroParameters(layerSizes);
    const everything = Uint32Array.from({ length: dataset.count }, (_, i) => i);
    const a = await engine.compute(params, whole, undefined);
    const b = await engine.compute(params, listed, { samples: everything });
    expect(a).toEqual(b);
    expect(whole).toEqual(listed);
  });
});
