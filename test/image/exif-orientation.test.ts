/**
 * Issue 9, finding 11: a JPEG's EXIF orientation is honoured — phones store the sensor's rows and
 * say in EXIF how to turn them; a 7 stored turned (Orientation 6) must be read as the upright 7.
 */
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/image/decode.js';
import { jpegOrientation } from '../../src/image/orientation.js';
import { preprocessDigit } from '../../src/image/preprocess.js';
import { classifyDigit } from '../../src/predict/predict.js';
import { meanAbsoluteDifference, testDigits } from '../helpers/digit-images.js';
import { trainSmallModel } from '../helpers/trained-model.js';

/** An APP1 segment holding EXIF with one IFD0 entry: Orientation = `value`, in either byte order. */
function exifSegment(value: number, byteOrder: 'II' | 'MM' = 'MM'): Buffer {
  const tiff = Buffer.alloc(26);
  const little = byteOrder === 'II';
  const u16 = (v: number, at: number) =>
    little ? tiff.writeUInt16LE(v, at) : tiff.writeUInt16BE(v, at);
  const u32 = (v: number, at: number) =>
    little ? tiff.writeUInt32LE(v, at) : tiff.writeUInt32BE(v, at);
  tiff.write(byteOrder, 0, 'latin1');
  u16(42, 2);
  u32(8, 4); // IFD0 right after the header
  u16(1, 8); // one entry
  u16(0x0112, 10); // Orientation
  u16(3, 12); // SHORT
  u32(1, 14); // one value
  u16(value, 18); // the value, left-justified in the 4-byte field
  u32(0, 22); // no next IFD
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const header = Buffer.from([0xff, 0xe1, 0, 0]);
  header.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([header, body]);
}

/** A JPEG (quality 100) of `width`×`height` RGBA, with an EXIF orientation when given. */
function encodeJpeg(rgba: Uint8Array, width: number, height: number, orientation?: number): Buffer {
  const plain = Buffer.from(jpeg.encode({ data: Buffer.from(rgba), width, height }, 100).data);
  if (orientation === undefined) return plain;
  return Buffer.concat([plain.subarray(0, 2), exifSegment(orientation), plain.subarray(2)]);
}

/** A white `width`×`height` image with a black 8×8 square at (x, y). */
function squareAt(width: number, height: number, x: number, y: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4).fill(255);
  for (let row = y; row < y + 8; row++) {
    for (let column = x; column < x + 8; column++)
      rgba.fill(0, (row * width + column) * 4, (row * width + column) * 4 + 3);
  }
  return rgba;
}

/** Where the dark square of a decoded image is: the centre of its dark pixels, rounded to 8. */
function darkSquare(image: { width: number; height: number; rgba: Uint8Array | Uint16Array }) {
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      if (image.rgba[(y * image.width + x) * 4] < 128) {
        sx += x;
        sy += y;
        n++;
      }
    }
  }
  return { x: Math.floor(sx / n / 8) * 8, y: Math.floor(sy / n / 8) * 8 };
}

/** A 28×28 digit turned 90° counter-clockwise: how a phone held sideways stores it for Orientation 6. */
function turnedCounterClockwise(pixels: Uint8Array): Uint8Array {
  const turned = new Uint8Array(28 * 28);
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++) turned[(27 - x) * 28 + y] = pixels[y * 28 + x];
  return turned;
}

/** A 28×28 digit (white ink on black) as opaque RGBA. */
function digitRgba(pixels: Uint8Array): Uint8Array {
  const rgba = new Uint8Array(28 * 28 * 4);
  pixels.forEach((value, i) => rgba.set([value, value, value, 255], i * 4));
  return rgba;
}

describe('jpegOrientation', () => {
  it('reads the EXIF Orientation tag in either byte order, and 1 when there is none', () => {
    const rgba = squareAt(16, 8, 0, 0);
    expect(jpegOrientation(encodeJpeg(rgba, 16, 8))).toBe(1);
    for (const value of [1, 3, 6, 8])
      expect(jpegOrientation(encodeJpeg(rgba, 16, 8, value))).toBe(value);
    const plain = encodeJpeg(rgba, 16, 8);
    const little = Buffer.concat([plain.subarray(0, 2), exifSegment(6, 'II'), plain.subarray(2)]);
    expect(jpegOrientation(little)).toBe(6);
  });

  it('ignores a damaged or out-of-range tag (the image is read as stored)', () => {
    const plain = encodeJpeg(squareAt(16, 8, 0, 0), 16, 8);
    expect(
      jpegOrientation(Buffer.concat([plain.subarray(0, 2), exifSegment(9), plain.subarray(2)])),
    ).toBe(1);
    const cut = exifSegment(6).subarray(0, 12);
    cut.writeUInt16BE(cut.length - 2, 2);
    expect(jpegOrientation(Buffer.concat([plain.subarray(0, 2), cut, plain.subarray(2)]))).toBe(1);
  });
});

describe('decodeImage turns a JPEG upright as its EXIF orientation says', () => {
  // A 16×8 image whose dark square is at the top left; where each orientation puts it upright.
  const stored = squareAt(16, 8, 0, 0);
  it.each([
    [1, 16, 8, { x: 0, y: 0 }],
    [2, 16, 8, { x: 8, y: 0 }],
    [3, 16, 8, { x: 8, y: 0 }],
    [4, 16, 8, { x: 0, y: 0 }],
    [5, 8, 16, { x: 0, y: 0 }],
    [6, 8, 16, { x: 0, y: 0 }],
    [7, 8, 16, { x: 0, y: 8 }],
    [8, 8, 16, { x: 0, y: 8 }],
  ])('orientation %i gives %i×%i with the square at %o', (orientation, width, height, square) => {
    const image = decodeImage(encodeJpeg(stored, 16, 8, orientation), 'o.jpg');
    expect([image.width, image.height]).toEqual([width, height]);
    expect(darkSquare(image)).toEqual(square);
  });
});

describe('phone photos of 7s stored turned (Orientation 6)', () => {
  const sevens = testDigits(100)
    .filter((digit) => digit.label === 7)
    .slice(0, 5)
    .map((digit) => ({
      upright: decodeImage(encodeJpeg(digitRgba(digit.pixels), 28, 28), 'upright.jpg'),
      turned: decodeImage(
        encodeJpeg(digitRgba(turnedCounterClockwise(digit.pixels)), 28, 28, 6),
        'phone.jpg',
      ),
    }));

  it('are what the network sees upright', () => {
    for (const { upright, turned } of sevens) {
      expect(
        meanAbsoluteDifference(preprocessDigit(turned), preprocessDigit(upright)),
      ).toBeLessThan(3);
    }
  });

  it('are predicted exactly as the upright 7s are (most of them 7)', async () => {
    const model = await trainSmallModel([784, 32, 10]);
    const predict = (image: (typeof sevens)[number]['upright']) =>
      classifyDigit(model, preprocessDigit(image)).prediction;
    const upright = sevens.map(({ upright }) => predict(upright));
    expect(sevens.map(({ turned }) => predict(turned))).toEqual(upright);
    expect(upright.filter((label) => label === '7').length).toBeGreaterThanOrEqual(3);
  });
});
