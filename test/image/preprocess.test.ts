import { describe, expect, it } from 'vitest';
import { MnnError } from '../../src/errors.js';
import type { DecodedImage } from '../../src/image/decode.js';
import {
  centreByMass,
  centreOfMass,
  compositingBackground,
  cropToInk,
  preprocessDigit,
  scaleToBox,
  toBytes,
  toGrayscale,
  toInk,
  type GrayImage,
} from '../../src/image/preprocess.js';
import { Random } from '../../src/nn/random.js';
import { digitAsImage, meanAbsoluteDifference } from '../helpers/digit-images.js';
import { drawSyntheticDigit } from '../helpers/synthetic-digits.js';
import { mnistSubset } from '../helpers/mnist.js';

/** An 8-bit RGBA image from a function of (x, y) giving [r, g, b, a]. */
function rgbaImage(
  width: number,
  height: number,
  pixel: (x: number, y: number) => readonly number[],
): DecodedImage {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rgba.set(pixel(x, y), (y * width + x) * 4);
  }
  return { width, height, rgba, maxValue: 255, format: 'png', fileName: 'test.png' };
}

/** A grey image from a function of (x, y). */
function grayImage(
  width: number,
  height: number,
  value: (x: number, y: number) => number,
): GrayImage {
  const values = new Float32Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) values[y * width + x] = value(x, y);
  return { width, height, values };
}

/** Whether (x, y) lies in a ring (a drawn "0") centred at (cx, cy). */
const inRing = (x: number, y: number, cx: number, cy: number, radius: number, pen: number) =>
  Math.abs(Math.hypot(x - cx, y - cy) - radius) < pen;

/** The first `count` MNIST training digits labelled `label` (the MNIST shipped with mnn). */
function realMnistDigits(label: number, count: number): Uint8Array[] {
  const { train } = mnistSubset(5000);
  const digits: Uint8Array[] = [];
  for (let sample = 0; sample < train.count && digits.length < count; sample++) {
    if (train.labels[sample] === label) {
      digits.push(train.images.slice(sample * 784, (sample + 1) * 784));
    }
  }
  return digits;
}

/** The bounding box of pixels above zero in a 28×28 byte image. */
function inkBox(pixels: Uint8Array): { width: number; height: number } {
  let [left, top, right, bottom] = [28, 28, -1, -1];
  pixels.forEach((value, i) => {
    if (value === 0) return;
    const [x, y] = [i % 28, Math.floor(i / 28)];
    [left, top, right, bottom] = [
      Math.min(left, x),
      Math.min(top, y),
      Math.max(right, x),
      Math.max(bottom, y),
    ];
  });
  return { width: right - left + 1, height: bottom - top + 1 };
}

const asGray = (pixels: Uint8Array): GrayImage => ({
  width: 28,
  height: 28,
  values: Float32Array.from(pixels),
});

describe('toGrayscale and its compositing background', () => {
  it('computes luma of opaque RGB', () => {
    const gray = toGrayscale(
      rgbaImage(2, 1, (x) => (x === 0 ? [255, 0, 0, 255] : [0, 0, 255, 255])),
    );
    expect(gray.values[0]).toBeCloseTo(0.299, 5);
    expect(gray.values[1]).toBeCloseTo(0.114, 5);
  });

  it('puts dark strokes on a transparent black canvas over white', () => {
    const image = rgbaImage(30, 30, (x, y) =>
      inRing(x, y, 15, 15, 8, 2) ? [0, 0, 0, 255] : [0, 0, 0, 0],
    );
    expect(compositingBackground(image)).toBe(1);
    const gray = toGrayscale(image);
    expect(gray.values[0]).toBe(1); // canvas corner: white
    expect(gray.values[15 * 30 + 7]).toBe(0); // on the ring: black
  });

  it('puts light strokes on a transparent white canvas over black', () => {
    const image = rgbaImage(30, 30, (x, y) =>
      inRing(x, y, 15, 15, 8, 2) ? [250, 250, 250, 255] : [255, 255, 255, 0],
    );
    expect(compositingBackground(image)).toBe(0);
  });

  it("fills transparent holes in an opaque canvas with the canvas's own colour", () => {
    const image = rgbaImage(20, 20, (x, y) =>
      x > 5 && x < 10 && y > 5 && y < 10 ? [0, 0, 0, 0] : [200, 200, 200, 255],
    );
    const gray = toGrayscale(image);
    expect(gray.values[7 * 20 + 7]).toBeCloseTo(200 / 255, 5);
  });

  it('reads 16-bit samples at full precision', () => {
    const rgba = Uint16Array.from([1000, 1000, 1000, 65535]);
    const image: DecodedImage = {
      width: 1,
      height: 1,
      rgba,
      maxValue: 65535,
      format: 'png',
      fileName: 'x',
    };
    expect(toGrayscale(image).values[0]).toBeCloseTo(1000 / 65535, 7);
  });
});

describe('toInk (polarity from the border, contrast stretch, noise floor)', () => {
  const ring = (ink: number, paper: number) =>
    grayImage(40, 40, (x, y) => (inRing(x, y, 20, 20, 10, 2.5) ? ink : paper));

  it('gives the same light-on-dark ink for black on white and white on black', () => {
    const fromBlackOnWhite = toInk(ring(0, 1));
    const fromWhiteOnBlack = toInk(ring(1, 0));
    expect(Array.from(fromBlackOnWhite.values)).toEqual(Array.from(fromWhiteOnBlack.values));
    expect(fromBlackOnWhite.values[0]).toBe(0);
    expect(fromBlackOnWhite.values[20 * 40 + 10]).toBe(1);
  });

  it('stretches grey ink on grey paper to full contrast', () => {
    const ink = toInk(ring(0.3, 0.7));
    expect(ink.contrast).toBeCloseTo(0.4, 6);
    expect(ink.values[20 * 40 + 10]).toBeCloseTo(1, 6);
    expect(ink.values[0]).toBe(0);
  });

  it('decides polarity even when the ink is darker than a dark-grey paper is light', () => {
    // Paper at 0.35 is "dark" by any fixed 0.5 threshold, yet the ink (0.05) is darker still.
    const ink = toInk(ring(0.05, 0.35));
    expect(ink.values[20 * 40 + 10]).toBeCloseTo(1, 6);
  });

  it('removes paper noise so that the background becomes exactly 0', () => {
    const random = new Random(5);
    const noisy = grayImage(40, 40, (x, y) =>
      inRing(x, y, 20, 20, 10, 2.5) ? 0.1 + 0.02 * random.normal() : 0.9 + 0.02 * random.normal(),
    );
    const ink = toInk(noisy);
    const background = Array.from(ink.values).filter(
      (_, i) => !inRing(i % 40, Math.floor(i / 40), 20, 20, 10, 3.5),
    );
    const zeros = background.filter((value) => value === 0).length;
    expect(zeros / background.length).toBeGreaterThan(0.99);
  });

  it('reports zero contrast for a uniform image', () => {
    expect(toInk(grayImage(10, 10, () => 0.4)).contrast).toBe(0);
  });
});

describe('cropToInk', () => {
  it('crops to the strokes, ignoring faint noise and an isolated speck', () => {
    const ink = grayImage(100, 80, (x, y) => {
      if (x >= 30 && x < 50 && y >= 20 && y < 60) return 1; // the digit
      if (x === 90 && y === 5) return 1; // a speck of dust
      return (x * 7 + y * 13) % 10 === 0 ? 0.15 : 0; // faint noise everywhere
    });
    const cropped = cropToInk(ink);
    expect(cropped?.width).toBe(20);
    expect(cropped?.height).toBe(40);
    expect(cropped?.values.every((value) => value === 1 || value <= 0.15)).toBe(true);
  });

  it('clears a speck that falls inside the bounding box', () => {
    const ink = grayImage(60, 60, (x, y) => {
      const onL =
        (x >= 10 && x < 14 && y >= 10 && y < 50) || (y >= 46 && y < 50 && x >= 10 && x < 50);
      return onL || (x === 40 && y === 20) ? 1 : 0;
    });
    const cropped = cropToInk(ink) as GrayImage;
    expect(cropped.values[(20 - 10) * cropped.width + (40 - 10)]).toBe(0);
  });

  it('returns undefined when there is no ink', () => {
    expect(cropToInk(grayImage(10, 10, () => 0))).toBeUndefined();
  });
});

describe('scaleToBox', () => {
  it('keeps a tall "1" tall: the longer side becomes 20, the aspect ratio stays', () => {
    const scaled = scaleToBox(grayImage(10, 100, () => 1));
    expect([scaled.width, scaled.height]).toEqual([2, 20]);
    expect(scaled.values.every((value) => Math.abs(value - 1) < 1e-6)).toBe(true);
  });

  it('area-averages: ink mass scales with the area, edges become grey', () => {
    const source = grayImage(30, 60, (x) => (x < 15 ? 1 : 0));
    const scaled = scaleToBox(source); // 30×60 → 10×20
    const mass = scaled.values.reduce((sum, value) => sum + value, 0);
    expect(mass).toBeCloseTo(15 * 60 * (1 / 3) ** 2, 4);
    const odd = scaleToBox(grayImage(7, 20, (x) => (x === 3 ? 1 : 0)));
    expect(odd.values[3]).toBe(1);
    const blurred = scaleToBox(grayImage(1, 40, () => 1)); // 1×40 → 0.5×20: half-covered pixels
    expect(blurred.values[0]).toBeCloseTo(0.5, 6);
  });
});

describe('centreByMass', () => {
  it('puts the centre of mass within half a pixel of (14, 14)', () => {
    const random = new Random(11);
    for (let trial = 0; trial < 20; trial++) {
      const [width, height] = [1 + random.integer(20), 1 + random.integer(20)];
      const image = grayImage(width, height, () => (random.next() < 0.3 ? random.next() : 0.01));
      const centre = centreOfMass(centreByMass(image));
      expect(Math.abs(centre.x - 14)).toBeLessThanOrEqual(0.5);
      expect(Math.abs(centre.y - 14)).toBeLessThanOrEqual(0.5);
    }
  });

  it('keeps all ink on the field when the mass sits at one edge of the box', () => {
    const image = grayImage(20, 20, (x, y) => (y === 0 ? 1 : x === 0 && y === 19 ? 0.05 : 0));
    const placed = centreByMass(image);
    const sum = (values: Float32Array) => values.reduce((total, value) => total + value, 0);
    expect(sum(placed.values)).toBeCloseTo(sum(image.values), 5);
  });
});

describe('toBytes', () => {
  it('maps the strongest ink to 255 and the background to 0', () => {
    expect(Array.from(toBytes(grayImage(3, 1, (x) => x * 0.25)))).toEqual([0, 128, 255]);
  });
});

describe('preprocessDigit', () => {
  it('leaves real MNIST digits (nearly) unchanged', () => {
    // A few real digits move by one pixel: their centre of mass sits almost exactly half-way
    // between two whole-pixel placements, or their strong ink spans 19 px, not 20.
    for (const label of [1, 3, 7]) {
      const differences = realMnistDigits(label, 40)
        .map((digit) => meanAbsoluteDifference(preprocessDigit(digitAsImage(digit)), digit))
        .sort((a, b) => a - b);
      expect(differences[20]).toBeLessThan(0.5);
      expect(differences.filter((difference) => difference < 2).length).toBeGreaterThanOrEqual(36);
    }
  });

  it('leaves synthetic MNIST-style digits (nearly) unchanged', () => {
    const random = new Random(1);
    for (let label = 0; label < 10; label++) {
      const digit = drawSyntheticDigit(label, random);
      expect(meanAbsoluteDifference(preprocessDigit(digitAsImage(digit)), digit)).toBeLessThan(2);
    }
  });

  it('normalizes a small off-centre black-on-white "1" into a tall 20 px digit, mass-centred', () => {
    const image = rgbaImage(200, 120, (x, y) =>
      x >= 150 && x < 156 && y >= 10 && y < 60 ? [0, 0, 0, 255] : [255, 255, 255, 255],
    );
    const pixels = preprocessDigit(image);
    const box = inkBox(pixels);
    expect(box.height).toBe(20);
    expect(box.width).toBeLessThanOrEqual(4);
    const centre = centreOfMass(asGray(pixels));
    expect(Math.abs(centre.x - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(centre.y - 14)).toBeLessThanOrEqual(0.5);
  });

  it('throws "no digit found in FILE" for an image without ink', () => {
    const blank = rgbaImage(50, 50, () => [255, 255, 255, 255]);
    expect(() => preprocessDigit({ ...blank, fileName: 'blank.png' })).toThrowError(MnnError);
    expect(() => preprocessDigit({ ...blank, fileName: 'blank.png' })).toThrowError(
      /^no digit found in blank\.png/,
    );
    const transparent = rgbaImage(50, 50, () => [0, 0, 0, 0]);
    expect(() => preprocessDigit(transparent)).toThrowError(/^no digit found in test\.png/);
  });
});
