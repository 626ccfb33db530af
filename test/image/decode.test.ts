import jpeg from 'jpeg-js';
import { readFileSync } from 'node:fs';
import { PNG, type ColorType } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { MnnError } from '../../src/errors.js';
import { decodeImage } from '../../src/image/decode.js';
import { Random } from '../../src/nn/random.js';
import { fixturePgm } from '../helpers/jpeg-fixtures.js';
import { encodePng, pngChunk } from '../helpers/png-encoder.js';

const WIDTH = 7;
const HEIGHT = 5;

/** Random RGBA samples; grey (r = g = b) for grey colour types, opaque where there is no alpha. */
function randomRgba(colorType: ColorType, maxValue: number, random: Random): number[] {
  const samples: number[] = [];
  for (let pixel = 0; pixel < WIDTH * HEIGHT; pixel++) {
    const r = random.integer(maxValue + 1);
    const grey = colorType === 0 || colorType === 4;
    const rgb = grey ? [r, r, r] : [r, random.integer(maxValue + 1), random.integer(maxValue + 1)];
    const alpha = colorType === 4 || colorType === 6 ? random.integer(maxValue + 1) : maxValue;
    samples.push(...rgb, alpha);
  }
  return samples;
}

/** Encodes RGBA samples with pngjs in the given colour type and bit depth. */
function pngjsEncode(samples: number[], colorType: ColorType, bitDepth: 8 | 16): Buffer {
  const png = new PNG({ width: WIDTH, height: HEIGHT });
  png.data =
    bitDepth === 16
      ? Buffer.from(Uint16Array.from(samples).buffer)
      : Buffer.from(Uint8Array.from(samples));
  return PNG.sync.write(png, { colorType, bitDepth, inputColorType: 6, inputHasAlpha: true });
}

/** The error decodeImage throws for some bytes. */
function decodeError(bytes: Uint8Array, fileName = 'digit.png'): MnnError {
  try {
    decodeImage(bytes, fileName);
  } catch (error) {
    if (error instanceof MnnError) return error;
    throw error;
  }
  throw new Error('decodeImage accepted the bytes');
}

describe('decodeImage: PNG written by pngjs', () => {
  for (const colorType of [0, 2, 4, 6] as const) {
    for (const bitDepth of [8, 16] as const) {
      it(`colour type ${colorType}, ${bitDepth}-bit keeps every sample exactly`, () => {
        const maxValue = bitDepth === 16 ? 65535 : 255;
        const samples = randomRgba(colorType, maxValue, new Random(colorType * 100 + bitDepth));
        const image = decodeImage(pngjsEncode(samples, colorType, bitDepth), 'digit.png');
        expect([image.width, image.height, image.maxValue, image.format]).toEqual([
          WIDTH,
          HEIGHT,
          maxValue,
          'png',
        ]);
        expect(Array.from(image.rgba)).toEqual(samples);
      });
    }
  }

  it('keeps 16-bit precision that 8 bits would lose', () => {
    const samples = Array.from({ length: WIDTH * HEIGHT }, (_, i) => [
      1000 + i,
      1000 + i,
      1000 + i,
      65535,
    ]).flat();
    const image = decodeImage(pngjsEncode(samples, 0, 16), 'deep.png');
    expect(image.rgba).toBeInstanceOf(Uint16Array);
    expect(image.rgba[0]).toBe(1000);
    expect(image.rgba[4]).toBe(1001);
  });
});

describe('decodeImage: hand-encoded PNG (palette, low bit depths, interlacing)', () => {
  for (const bitDepth of [1, 2, 4] as const) {
    it(`scales ${bitDepth}-bit grey exactly to 0–255`, () => {
      const top = 2 ** bitDepth - 1;
      const levels = Array.from({ length: WIDTH * HEIGHT }, (_, i) => i % (top + 1));
      const bytes = encodePng({
        width: WIDTH,
        height: HEIGHT,
        colorType: 0,
        bitDepth,
        samples: levels,
      });
      const image = decodeImage(bytes, 'low.png');
      expect(image.maxValue).toBe(255);
      const greys = Array.from({ length: WIDTH * HEIGHT }, (_, i) => image.rgba[i * 4]);
      expect(greys).toEqual(levels.map((level) => (level * 255) / top));
      expect(image.rgba[3]).toBe(255);
    });
  }

  for (const bitDepth of [1, 2, 4, 8] as const) {
    it(`looks up ${bitDepth}-bit palette indices, with tRNS alpha`, () => {
      const palette = Array.from({ length: 2 ** bitDepth }, (_, i) => [
        i,
        (2 * i) % 256,
        255 - i,
        (3 * i + 1) % 256,
      ]);
      const indices = Array.from({ length: WIDTH * HEIGHT }, (_, i) => (i * 5) % palette.length);
      const bytes = encodePng({
        width: WIDTH,
        height: HEIGHT,
        colorType: 3,
        bitDepth,
        samples: indices,
        palette,
      });
      const image = decodeImage(bytes, 'palette.png');
      expect(Array.from(image.rgba)).toEqual(indices.flatMap((index) => palette[index]));
    });
  }

  const cases = [
    { colorType: 2, bitDepth: 8, channels: 3 },
    { colorType: 0, bitDepth: 16, channels: 1 },
    { colorType: 3, bitDepth: 2, channels: 1 },
    { colorType: 6, bitDepth: 16, channels: 4 },
  ] as const;
  for (const { colorType, bitDepth, channels } of cases) {
    it(`decodes Adam7-interlaced colour type ${colorType}, ${bitDepth}-bit like the plain file`, () => {
      const random = new Random(colorType + bitDepth);
      const [width, height] = [13, 11]; // not multiples of 8, so every pass has odd edges
      const top = colorType === 3 ? 3 : 2 ** bitDepth - 1;
      const samples = Array.from({ length: width * height * channels }, () =>
        random.integer(top + 1),
      );
      const palette =
        colorType === 3
          ? [
              [0, 0, 0],
              [90, 90, 90],
              [180, 180, 180],
              [255, 255, 255],
            ]
          : undefined;
      const spec = { width, height, colorType, bitDepth, samples, palette };
      const plain = decodeImage(encodePng(spec), 'plain.png');
      const interlaced = decodeImage(encodePng({ ...spec, interlaced: true }), 'interlaced.png');
      expect(Array.from(interlaced.rgba)).toEqual(Array.from(plain.rgba));
      expect(interlaced.maxValue).toBe(bitDepth === 16 ? 65535 : 255);
    });
  }
});

describe('decodeImage: JPEG', () => {
  it('decodes a baseline JPEG written by jpeg-js close to its source', () => {
    const [width, height] = [40, 24];
    const rgba = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; i++) rgba.set([(i % width) * 6, 128, 200, 255], i * 4);
    const image = decodeImage(jpeg.encode({ width, height, data: rgba }, 95).data, 'photo.jpg');
    expect([image.width, image.height, image.format, image.maxValue]).toEqual([
      width,
      height,
      'jpeg',
      255,
    ]);
    let error = 0;
    for (let i = 0; i < rgba.length; i++) error += Math.abs(image.rgba[i] - rgba[i]);
    expect(error / rgba.length).toBeLessThan(3);
  });

  it('decodes a progressive JPEG (fixture made by cjpeg -progressive) close to its source', () => {
    const image = decodeImage(
      readFileSync('test/fixtures/image/progressive-7.jpg'),
      'progressive-7.jpg',
    );
    const source = fixturePgm().subarray(-56 * 56);
    expect([image.width, image.height]).toEqual([56, 56]);
    let error = 0;
    source.forEach((grey, i) => (error += Math.abs(image.rgba[i * 4] - grey)));
    expect(error / source.length).toBeLessThan(4);
  });

  it('refuses an arithmetic-coded JPEG, naming the file and what to do', () => {
    const error = decodeError(readFileSync('test/fixtures/image/arithmetic-7.jpg'), 'arith.jpg');
    expect(error.message).toMatch(/^arith\.jpg .*arithmetic-coded.*baseline/);
  });

  it('refuses a truncated JPEG', () => {
    const bytes = jpeg.encode(
      { width: 32, height: 32, data: new Uint8Array(32 * 32 * 4).fill(90) },
      90,
    ).data;
    const error = decodeError(bytes.subarray(0, bytes.length - 40), 'cut.jpg');
    expect(error.message).toMatch(/^cut\.jpg is a truncated or corrupt JPEG/);
  });
});

describe('decodeImage: refusals', () => {
  const digitPng = (): Uint8Array =>
    encodePng({
      width: 20,
      height: 20,
      colorType: 0,
      bitDepth: 8,
      samples: new Array(400).fill(7),
    });

  it('refuses a 10000×10000 PNG header without decoding (decompression bomb)', () => {
    // A valid IHDR claiming 100 megapixels, followed by no image data at all: decoding would fail
    // differently, so the size message proves the header was checked first.
    const ihdr = new Uint8Array(13);
    new DataView(ihdr.buffer).setUint32(0, 10000);
    new DataView(ihdr.buffer).setUint32(4, 10000);
    ihdr.set([8, 0, 0, 0, 0], 8);
    const bytes = Buffer.concat([digitPng().subarray(0, 8), pngChunk('IHDR', ihdr)]);
    const error = decodeError(bytes, 'bomb.png');
    expect(error.message).toMatch(
      /^bomb\.png is too large: 10000×10000 \(100\.0 megapixels\).*limit of 24 megapixels/,
    );
  });

  it('refuses a 10000×10000 JPEG frame header without decoding', () => {
    const sof = [0xff, 0xc0, 0, 11, 8, 0x27, 0x10, 0x27, 0x10, 1, 1, 0x11, 0];
    const error = decodeError(Uint8Array.from([0xff, 0xd8, ...sof]), 'bomb.jpg');
    expect(error.message).toMatch(/^bomb\.jpg is too large: 10000×10000/);
  });

  it('refuses a truncated PNG at every cut inside the image data', () => {
    const bytes = digitPng();
    for (const length of [30, 40, bytes.length - 20, bytes.length - 13]) {
      expect(decodeError(bytes.subarray(0, length), 'cut.png').message).toMatch(
        /^cut\.png is a truncated or corrupt PNG/,
      );
    }
  });

  it('refuses a PNG with a damaged chunk (CRC mismatch)', () => {
    const bytes = Uint8Array.from(digitPng());
    bytes[40] ^= 0xff; // inside the IDAT data
    expect(decodeError(bytes, 'bad.png').message).toMatch(
      /^bad\.png is a truncated or corrupt PNG/,
    );
  });

  it('refuses an empty file', () => {
    expect(decodeError(new Uint8Array(0), 'empty.png').message).toMatch(
      /^empty\.png is empty; mnn reads PNG and JPEG/,
    );
  });

  it('refuses random bytes, saying which formats are supported', () => {
    const random = new Random(3);
    const bytes = Uint8Array.from({ length: 500 }, () => random.integer(256));
    expect(decodeError(bytes, 'noise.png').message).toMatch(
      /^noise\.png is not a PNG or JPEG image; mnn reads PNG and JPEG/,
    );
  });

  it('names a known format it does not read, whatever the file is called', () => {
    expect(decodeError(Buffer.from('GIF89a\x01\x00\x01\x00'), 'digit.png').message).toMatch(
      /^digit\.png is a GIF image/,
    );
  });

  it('decides the format by magic bytes, not by name', () => {
    expect(decodeImage(digitPng(), 'digit.jpg').format).toBe('png');
  });
});
