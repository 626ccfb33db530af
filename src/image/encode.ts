import { PNG } from 'pngjs';

/** Encodes straight 8-bit RGBA samples (row-major, 4 per pixel) as PNG file bytes. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  if (rgba.length !== width * height * 4) {
    throw new RangeError(`a ${width}×${height} image needs ${width * height * 4} RGBA samples`);
  }
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.length);
  return PNG.sync.write(png);
}
