import { describe, expect, it } from 'vitest';
import { Random } from '../../../src/nn/random.js';
import { gatherKernels } from '../../../src/train/fast/gather-kernels.js';
import { allocateSparseBlock, buildSparseInput } from '../../../src/train/fast/sparse-input.js';
import { randomDataset } from '../../helpers/random-data.js';
import { kernelArena } from '../../helpers/kernel-memory.js';

// The gather against the plain computation on whole images: shift the image, list its non-zero
// pixels in order (row form), then every pixel's samples in order (column form).
const [ROWS, COLS] = [5, 7]; // not square, so that width and height cannot be swapped unseen

/** Sample `sample`'s image shifted (dx, dy): pixel (x, y) is the original's (x − dx, y − dy). */
function shiftedImage(images: Uint8Array, sample: number, dx: number, dy: number): number[] {
  return Array.from({ length: ROWS * COLS }, (_, p) => {
    const [x, y] = [(p % COLS) - dx, Math.floor(p / COLS) - dy];
    const inside = x >= 0 && x < COLS && y >= 0 && y < ROWS;
    return inside ? images[sample * ROWS * COLS + y * COLS + x] : 0;
  });
}

describe('gather kernel against whole shifted images', () => {
  const arena = kernelArena();
  const dataset = randomDataset({
    count: 40,
    rows: ROWS,
    cols: COLS,
    classes: 10,
    zeroFraction: 0.6,
    seed: 3,
  });
  const order = Array.from({ length: 40 }, (_, i) => (i * 17) % 40);
  const blank = order[5]; // a sample without a non-zero pixel
  dataset.images.fill(0, blank * ROWS * COLS, (blank + 1) * ROWS * COLS);
  const input = buildSparseInput(dataset, 16, arena);
  const block = allocateSparseBlock(arena, 16, ROWS * COLS);
  const kernels = gatherKernels(arena.memory);
  const random = new Random(37);
  const samples = arena.allocate(Uint32Array, 40);
  samples.set(order);
  const shifts = arena.allocate(Int8Array, 80);
  shifts.set(Array.from({ length: 80 }, () => random.integer(9) - 4));
  shifts.fill(0, 2, 4); // one unshifted sample among shifted ones

  for (const [first, count, shifted] of [
    [0, 1, false],
    [0, 16, true],
    [3, 13, true],
    [7, 9, false],
    [39, 1, true],
  ] as const) {
    it(`samples ${first}..${first + count - 1}, ${shifted ? 'shifted' : 'not shifted'}`, () => {
      kernels.gather(block, input, samples, first, count, shifted ? shifts : undefined);
      const images = Array.from({ length: count }, (_, s) => {
        const k = first + s;
        const [dx, dy] = shifted ? [shifts[2 * k], shifts[2 * k + 1]] : [0, 0];
        return shiftedImage(dataset.images, samples[k], dx, dy);
      });
      const rows = images.map((image) => image.flatMap((v, p) => (v === 0 ? [] : [[p, v]])));
      const columns = Array.from({ length: ROWS * COLS }, (_, p) =>
        images.flatMap((image, s) => (image[p] === 0 ? [] : [[s, image[p]]])),
      );
      const { start, pixel, value } = block.rows;
      expect(
        rows.map((_, s) =>
          Array.from({ length: start[s + 1] - start[s] }, (_, e) => [
            pixel[start[s] + e],
            value[start[s] + e],
          ]),
        ),
      ).toEqual(rows);
      const c = block.columns;
      expect(c.start[0]).toBe(0);
      expect(
        columns.map((_, p) =>
          Array.from({ length: c.start[p + 1] - c.start[p] }, (_, e) => [
            c.sample[c.start[p] + e],
            c.value[c.start[p] + e],
          ]),
        ),
      ).toEqual(columns);
      expect([...block.labels.subarray(0, count)]).toEqual(
        images.map((_, s) => dataset.labels[samples[first + s]]),
      );
    });
  }

  it('refuses a block past the end of the sample list', () => {
    expect(() => kernels.gather(block, input, samples, 35, 6, undefined)).toThrow(RangeError);
  });
});
