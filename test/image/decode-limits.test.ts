import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/image/decode.js';
import { crc32 } from '../helpers/png-encoder.js';

/** A 16×16 RGB PNG of mid grey, as pngjs writes it. */
function smallPng(): Uint8Array {
  const png = new PNG({ width: 16, height: 16 });
  png.data.fill(128);
  return new Uint8Array(PNG.sync.write(png, { colorType: 2 }));
}

/** The PNG with its IHDR width replaced and the IHDR checksum fixed, as a fuzzer made it. */
function withWidth(bytes: Uint8Array, width: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  const view = new DataView(copy.buffer);
  view.setUint32(16, width);
  view.setUint32(29, crc32(copy.subarray(12, 29)));
  return copy;
}

describe('decodeImage: PNG image data too short for its header', () => {
  it('regression (fuzzing): a small file claiming 16 000 × 16 pixels is refused before decoding', () => {
    const bomb = withWidth(smallPng(), 16_000);
    const before = process.memoryUsage().arrayBuffers;
    expect(() => decodeImage(bomb, 'bomb.png')).toThrow(
      /bomb\.png is a truncated or corrupt PNG \(\d+ bytes of image data cannot hold 16000×16 pixels\)/,
    );
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 << 20);
  });

  it('still decodes a highly compressible image (a large blank PNG)', () => {
    const png = new PNG({ width: 1000, height: 1000 });
    png.data.fill(255);
    const blank = PNG.sync.write(png, { colorType: 0 });
    expect(decodeImage(blank, 'blank.png')).toMatchObject({ width: 1000, height: 1000 });
  });
});
