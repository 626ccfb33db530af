import { MnnError } from '../errors.js';

/** The largest finite float32; weights beyond it would become infinite in an exported file. */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * float64 values as little-endian IEEE 754 float32 bytes (the layout ONNX raw_data and TF.js
 * weight files both require), each rounded to the nearest float32. `what` names the array in errors.
 */
export function float32Bytes(values: ArrayLike<number>, what: string): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) {
    if (!(Math.abs(values[i]) <= FLOAT32_MAX)) {
      throw new MnnError(`${what}[${i}] is ${values[i]}, too large for float32`, {
        kind: 'limit',
        hint: 'exported models store float32 weights; retrain with a smaller learning rate',
      });
    }
    view.setFloat32(i * 4, values[i], true);
  }
  return bytes;
}
