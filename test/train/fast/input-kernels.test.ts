import { describe, expect, it } from 'vitest';
import { Random } from '../../../src/nn/random.js';
import type { SparseColumns, SparseRows } from '../../../src/train/fast/input-kernels.js';
import { inputKernels } from '../../../src/train/fast/input-kernels.js';
import { MAX_GROUP_WIDTH } from '../../../src/train/fast/plan.js';
import type { MemoryArena } from '../../../src/train/fast/wasm.js';
import { expectSameBits, kernelArena, randomFloats } from '../../helpers/kernel-memory.js';

// The first-layer kernels against plain loops over the same sparse entries, term for term.
// Group widths 1, 2, odd and the largest (every accumulator shape); sample counts 1 and odd;
// samples without a non-zero pixel and pixels that no sample of a block has.
const WIDTHS = [1, 2, 3, 11, MAX_GROUP_WIDTH];
const PIXELS = 13;

/** Random bytes for `count` samples of PIXELS pixels, about half of them 0, sample 1 all 0. */
function randomImages(count: number, random: Random): Uint8Array {
  const images = new Uint8Array(count * PIXELS);
  for (let i = 0; i < images.length; i++) {
    if (random.next() < 0.5) images[i] = 1 + random.integer(255);
  }
  if (count > 1) images.fill(0, PIXELS, 2 * PIXELS);
  return images;
}

/** The sample-major sparse form of `images`, in the arena. */
function rowsOf(images: Uint8Array, count: number, arena: MemoryArena): SparseRows {
  const nonZero = images.filter((v) => v !== 0).length;
  const rows = {
    start: arena.allocate(Int32Array, count + 1),
    pixel: arena.allocate(Uint16Array, nonZero),
    value: arena.allocate(Uint8Array, nonZero),
  };
  let e = 0;
  for (let s = 0; s < count; s++) {
    rows.start[s] = e;
    for (let j = 0; j < PIXELS; j++) {
      const v = images[s * PIXELS + j];
      if (v !== 0) [rows.pixel[e], rows.value[e], e] = [j, v, e + 1];
    }
  }
  rows.start[count] = e;
  return rows;
}

/** The pixel-major sparse form of `images` as blocks of `blockSize` samples, in the arena. */
function columnsOf(
  images: Uint8Array,
  count: number,
  blockSize: number,
  arena: MemoryArena,
): SparseColumns {
  const blocks = Math.ceil(count / blockSize);
  const nonZero = images.filter((v) => v !== 0).length;
  const columns = {
    start: arena.allocate(Int32Array, blocks * PIXELS + 1),
    sample: arena.allocate(Uint8Array, nonZero),
    value: arena.allocate(Uint8Array, nonZero),
  };
  let e = 0;
  for (let k = 0; k < blocks; k++) {
    for (let j = 0; j < PIXELS; j++) {
      columns.start[k * PIXELS + j] = e;
      for (let s = k * blockSize; s < Math.min(count, (k + 1) * blockSize); s++) {
        const v = images[s * PIXELS + j];
        if (v !== 0) [columns.sample[e], columns.value[e], e] = [s - k * blockSize, v, e + 1];
      }
    }
  }
  columns.start[blocks * PIXELS] = e;
  return columns;
}

describe('first-layer kernels against plain loops', () => {
  const arena = kernelArena();
  const random = new Random(23);

  for (const width of WIDTHS) {
    const kernels = inputKernels(width, arena.memory);

    it(`forward, groups of ${width}: Z = b + Σ byte·(W)ᵀ over non-zero pixels in pixel order`, () => {
      for (const count of [1, 2, 5]) {
        const images = randomImages(count + 2, random);
        const rows = rowsOf(images, count + 2, arena);
        const weights = randomFloats(arena, PIXELS * width, random);
        const bias = randomFloats(arena, width, random);
        // Z has 2 more columns than the group on each side, which must stay as they were.
        const rowLength = width + 4;
        const Z = randomFloats(arena, count * rowLength, random);
        const expected = Float64Array.from(Z);
        kernels.forward({ matrix: Z, column: 2, rowLength }, rows, 1, count, weights, bias);
        for (let s = 0; s < count; s++) {
          for (let i = 0; i < width; i++) {
            let z = bias[i];
            for (let j = 0; j < PIXELS; j++) {
              const v = images[(1 + s) * PIXELS + j];
              if (v !== 0) z += v * weights[j * width + i];
            }
            expected[s * rowLength + 2 + i] = z;
          }
        }
        expectSameBits(Z, expected);
      }
    });

    for (const first of [false, true]) {
      const rule = first ? '= Σ (0 where no sample has the pixel)' : '+= Σ';
      it(`backward${first ? 'First' : ''}, groups of ${width}: ∂C/∂W ${rule} byte·Δ per pixel`, () => {
        for (const [count, blockSize] of [
          [1, 1],
          [5, 5],
          [9, 4],
        ]) {
          const images = randomImages(count, random);
          const columns = columnsOf(images, count, blockSize, arena);
          const rowLength = width + 3;
          const delta = randomFloats(arena, blockSize * rowLength, random, 0.2);
          const gradient = randomFloats(arena, PIXELS * width, random);
          const expected = first ? new Float64Array(PIXELS * width) : Float64Array.from(gradient);
          const block = Math.ceil(count / blockSize) - 1; // the last, possibly partial, block
          const deltaSlice = { matrix: delta, column: 1, rowLength };
          const sampleCount = count - block * blockSize;
          const deltaCopy = randomFloats(arena, sampleCount * width, random);
          kernels.backward(
            gradient,
            columns,
            block,
            PIXELS,
            deltaSlice,
            sampleCount,
            deltaCopy,
            first,
          );
          for (let j = 0; j < PIXELS; j++) {
            const sums = new Float64Array(width);
            let any = false;
            for (let s = block * blockSize; s < count; s++) {
              const v = images[s * PIXELS + j];
              if (v === 0) continue;
              any = true;
              const row = (s - block * blockSize) * rowLength + 1;
              for (let i = 0; i < width; i++) sums[i] += v * delta[row + i];
            }
            if (any) for (let i = 0; i < width; i++) expected[j * width + i] += sums[i];
          }
          expectSameBits(gradient, expected);
        }
      });
    }
  }

  it('refuses views too short for the call', () => {
    const kernels = inputKernels(3, arena.memory);
    const rows = rowsOf(randomImages(2, random), 2, arena);
    const weights = randomFloats(arena, PIXELS * 3, random);
    const Z = { matrix: randomFloats(arena, 5, random), column: 0, rowLength: 3 };
    expect(() => kernels.forward(Z, rows, 0, 2, weights, weights)).toThrow(RangeError);
    expect(() => kernels.forward({ ...Z, rowLength: 2 }, rows, 1, 2, weights, weights)).toThrow(
      RangeError,
    );
  });
});
