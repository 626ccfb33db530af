import { expect } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { dropoutKeeps } from '../../src/nn/dropout.js';
import { zeroParameters } from '../../src/nn/init.js';
import type { Parameters } from '../../src/nn/parameters.js';
import type { Random } from '../../src/nn/random.js';
import type { Batch } from '../../src/train/engine.js';
import { maxRelativeDifference } from './random-data.js';

// docs/math.md written out per sample with plain loops (no sparsity, blocks, threads or
// matrices): the oracle of the fast engine for any batch, with shifts and dropout.

/** What one pass over a batch gives. */
export interface OraclePass {
  loss: number;
  correct: number;
  gradients: Parameters;
}

/** Random weights of scale 1/√n_{ℓ−1} and small random biases (so that every bias matters). */
export function randomParameters(layerSizes: readonly number[], random: Random): Parameters {
  const params = zeroParameters(layerSizes);
  params.W.forEach((W, l) => {
    const scale = 1 / Math.sqrt(layerSizes[l]);
    for (let i = 0; i < W.length; i++) W[i] = scale * random.normal();
  });
  params.b.forEach((b) => {
    for (let i = 0; i < b.length; i++) b[i] = 0.1 * random.normal();
  });
  return params;
}

/** Every sample of a data set, in order: the paper's full batch as a Batch. */
export function allSamples(dataset: Dataset): Batch {
  return { samples: Uint32Array.from({ length: dataset.count }, (_, i) => i) };
}

/** A⁽⁰⁾ of sample `sample` shifted (dx, dy): pixel (x, y) of the result is the original's (x − dx, y − dy). */
function shiftedInput(dataset: Dataset, sample: number, dx: number, dy: number): number[] {
  const { rows, cols } = dataset;
  const input = new Array<number>(rows * cols).fill(0);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const [fromX, fromY] = [x - dx, y - dy];
      if (fromX < 0 || fromX >= cols || fromY < 0 || fromY >= rows) continue;
      input[y * cols + x] = dataset.images[sample * rows * cols + fromY * cols + fromX] / 255;
    }
  }
  return input;
}

/** Forward, cost and (mean) backward over the batch's samples one at a time. */
export function oraclePass(dataset: Dataset, params: Parameters, batch: Batch): OraclePass {
  const sizes = params.layerSizes;
  const L = sizes.length - 1;
  const gradients = zeroParameters(sizes);
  let loss = 0;
  let correct = 0;
  batch.samples.forEach((sample, k) => {
    const [dx, dy] = batch.shifts ? [batch.shifts[2 * k], batch.shifts[2 * k + 1]] : [0, 0];
    // R⁽ℓ⁾/(1 − p) of the hidden layers, 1 without dropout
    const masks = sizes.map((n, l) =>
      Array.from({ length: n }, (_, i) => {
        const spec = batch.dropout;
        if (spec === undefined || l === 0 || l === L) return 1;
        return dropoutKeeps(spec, sample, l, i) ? 1 / (1 - spec.rate) : 0;
      }),
    );
    const A: number[][] = [shiftedInput(dataset, sample, dx, dy)];
    const Z: number[][] = [[]];
    for (let l = 1; l <= L; l++) {
      const z = Array.from({ length: sizes[l] }, (_, i) => {
        let sum = params.b[l - 1][i];
        for (let j = 0; j < sizes[l - 1]; j++)
          sum += params.W[l - 1][i * sizes[l - 1] + j] * A[l - 1][j];
        return sum;
      });
      Z.push(z);
      if (l < L) {
        A.push(z.map((v, i) => Math.max(0, v) * masks[l][i]));
      } else {
        const max = Math.max(...z);
        const logSumExp = max + Math.log(z.reduce((acc, v) => acc + Math.exp(v - max), 0));
        A.push(z.map((v) => Math.exp(v - logSumExp)));
        loss += logSumExp - z[dataset.labels[sample]];
        if (z.indexOf(max) === dataset.labels[sample]) correct++;
      }
    }
    // Δ⁽ᴸ⁾ = A − Y, then Δ⁽ℓ⁻¹⁾ = ReLU′(Z) ⊙ R/(1 − p) ⊙ (W⁽ℓ⁾)ᵀ Δ⁽ℓ⁾
    let delta = A[L].map((a, i) => a - (i === dataset.labels[sample] ? 1 : 0));
    for (let l = L; l >= 1; l--) {
      for (let i = 0; i < sizes[l]; i++) {
        gradients.b[l - 1][i] += delta[i];
        for (let j = 0; j < sizes[l - 1]; j++) {
          gradients.W[l - 1][i * sizes[l - 1] + j] += delta[i] * A[l - 1][j];
        }
      }
      if (l > 1) {
        delta = Array.from({ length: sizes[l - 1] }, (_, j) => {
          let sum = 0;
          for (let i = 0; i < sizes[l]; i++)
            sum += params.W[l - 1][i * sizes[l - 1] + j] * delta[i];
          return Z[l - 1][j] > 0 ? sum * masks[l - 1][j] : 0;
        });
      }
    }
  });
  const count = batch.samples.length;
  for (const array of [...gradients.W, ...gradients.b]) {
    for (let i = 0; i < array.length; i++) array[i] /= count;
  }
  return { loss: loss / count, correct, gradients };
}

/** Every array of `actual` within `tolerance` of `expected` (relative to its largest value). */
export function expectClose(actual: Parameters, expected: Parameters, tolerance: number): void {
  actual.W.forEach((W, l) =>
    expect(maxRelativeDifference(W, expected.W[l])).toBeLessThanOrEqual(tolerance),
  );
  actual.b.forEach((b, l) =>
    expect(maxRelativeDifference(b, expected.b[l])).toBeLessThanOrEqual(tolerance),
  );
}

/** The raw bytes of every array, for byte-identity checks. */
export function bytesOf(params: Parameters): Buffer {
  return Buffer.concat(
    [...params.W, ...params.b].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)),
  );
}
