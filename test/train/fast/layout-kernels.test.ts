import { describe, expect, it } from 'vitest';
import { Random } from '../../../src/nn/random.js';
import { layoutKernels } from '../../../src/train/fast/layout-kernels.js';
import {
  expectSameBits,
  kernelArena,
  randomFloat32s,
  randomFloats,
} from '../../helpers/kernel-memory.js';

describe('layout kernels against plain loops', () => {
  const arena = kernelArena();
  const kernels = layoutKernels(arena.memory);
  const random = new Random(29);

  it('sumChunks: total = (Σ partials in chunk order) · scale, from one chunk up', () => {
    for (const chunkCount of [1, 2, 3, 24]) {
      for (const length of [1, 2, 5, 130]) {
        const stride = length + 3; // partial gradients are longer than the slice added up
        const partials = randomFloats(arena, chunkCount * stride, random, 0.1);
        const total = randomFloats(arena, length, random);
        const scale = 1 / 7;
        kernels.sumChunks(total, partials, length, chunkCount, stride, scale);
        const expected = new Float64Array(length);
        for (let p = 0; p < length; p++) {
          let sum = partials[p];
          for (let c = 1; c < chunkCount; c++) sum += partials[c * stride + p];
          expected[p] = sum * scale;
        }
        expectSameBits(total, expected);
      }
    }
  });

  it('transpose: target[j·ts + i] = source[i·ss + j] / divisor, nothing else written', () => {
    for (const [rows, columns] of [
      [1, 1],
      [1, 7],
      [3, 1],
      [5, 12],
    ]) {
      for (const divisor of [1, 255]) {
        const sourceStride = columns + 2;
        const targetStride = rows + 1;
        const source = randomFloats(arena, rows * sourceStride, random, 0.2);
        const target = randomFloats(arena, columns * targetStride, random);
        const expected = Float64Array.from(target);
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < columns; j++) {
            expected[j * targetStride + i] = source[i * sourceStride + j] / divisor;
          }
        }
        kernels.transpose(target, targetStride, source, sourceStride, rows, columns, divisor);
        expectSameBits(target, expected);
      }
    }
  });

  it('sumChunks of f32 partials: each promoted to f64, added in chunk order, scaled', () => {
    for (const chunkCount of [1, 2, 3]) {
      for (const length of [1, 2, 5, 130]) {
        const stride = length + 1;
        const partials = randomFloat32s(arena, chunkCount * stride, random, 0.1);
        const total = randomFloats(arena, length, random);
        const scale = 1 / 7;
        kernels.sumChunks(total, partials, length, chunkCount, stride, scale);
        const expected = new Float64Array(length);
        for (let p = 0; p < length; p++) {
          let sum = partials[p];
          for (let c = 1; c < chunkCount; c++) sum += partials[c * stride + p];
          expected[p] = sum * scale;
        }
        expectSameBits(total, expected);
      }
    }
  });

  it('transpose into f32 and narrow: each target the f64 product with 1 / divisor rounded to f32', () => {
    for (const [rows, columns] of [
      [1, 1],
      [3, 1],
      [5, 12],
    ]) {
      for (const divisor of [1, 255]) {
        const source = randomFloats(arena, rows * columns, random, 0.2);
        const target = randomFloat32s(arena, columns * rows, random);
        kernels.transpose(target, rows, source, columns, rows, columns, divisor);
        const expected = new Float32Array(columns * rows);
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < columns; j++) {
            expected[j * rows + i] = source[i * columns + j] * (1 / divisor);
          }
        }
        expect([...target]).toEqual([...expected]);
        kernels.narrow(target, source, source.length);
        expect([...target]).toEqual([...Float32Array.from(source)]);
      }
    }
  });

  it('refuses views too short for the call', () => {
    const values = randomFloats(arena, 10, random);
    expect(() => kernels.sumChunks(values, values, 4, 3, 4, 1)).toThrow(RangeError);
    expect(() => kernels.transpose(values, 5, values, 2, 2, 3, 1)).toThrow(RangeError);
  });
});
