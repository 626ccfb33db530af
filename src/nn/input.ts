import { Matrix } from '../matrix/matrix.js';

/**
 * What pixel bytes are divided by to give the network's input A⁽⁰⁾ in [0, 1] (docs/math.md,
 * Notation). Training uses it, and model files record it as `input.scale`: code that runs a
 * saved model reads the scale from the model, not from here.
 */
export const PIXEL_SCALE = 255;

/**
 * A⁽⁰⁾ (n₀ × count) for `count` samples stored one after another as n₀ pixel bytes each (the
 * layout of a data set's images), starting at sample `first`: column l holds sample first + l,
 * each byte divided by `scale`.
 */
export function inputFromPixels(
  pixels: Uint8Array, // (samples × n₀), row-major
  n0: number,
  first: number,
  count: number,
  scale: number,
): Matrix {
  if (!Number.isInteger(first) || !Number.isInteger(count) || first < 0 || count < 0) {
    throw new RangeError(
      `sample range must be whole numbers ≥ 0, got first ${first}, count ${count}`,
    );
  }
  const available = Math.floor(pixels.length / n0);
  if (first + count > available) {
    throw new RangeError(
      `samples ${first}..${first + count - 1} exceed the ${available} in the pixels`,
    );
  }
  const A0 = Matrix.zeros(n0, count);
  for (let p = 0; p < n0; p++) {
    const row = p * count;
    for (let l = 0; l < count; l++) A0.data[row + l] = pixels[(first + l) * n0 + p] / scale;
  }
  return A0;
}
