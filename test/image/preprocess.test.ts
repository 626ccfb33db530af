import { describe, expect, it } from 'vitest';
import { MnnError } from '../../src/errors.js';
import type { DecodedImage } from '../../src/image/decode.js';
import {
  borderIndices,
  centreByMass,
  centreOfMass,
  compositingBackground,
  cropToInk,
  preprocessDigit,
  reduceToWorkingSize,
  resampleArea,
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

  it('gives no ink at all for a uniform image', () => {
    const ink = toInk(grayImage(10, 10, () => 0.4));
    expect(ink.values.every((value) => value === 0)).toBe(true);
  });

  it('takes the middle border value as the background of an odd border (a one-pixel-wide image)', () => {
    // 1×3: all three pixels are border; median 0.5 (the mean of the lower two would be 0.35).
    const ink = toInk(grayImage(1, 3, (_, y) => [0.2, 0.5, 1][y]));
    expect(ink.contrast).toBeCloseTo(0.5, 6); // light ink: 1 − 0.5 beats 0.5 − 0.2
    expect(Array.from(ink.values)).toEqual([0, 0, 1]);
  });

  it('reads light ink on dark, as MNIST draws it, when both extremes stand equally far out', () => {
    // Paper 0.5 with one black and one white pixel: 0.5 − 0 = 1 − 0.5.
    const gray = grayImage(5, 5, (x, y) => (x === 1 && y === 2 ? 0 : x === 3 && y === 2 ? 1 : 0.5));
    const ink = toInk(gray);
    expect(ink.values[2 * 5 + 3]).toBe(1);
    expect(ink.values[2 * 5 + 1]).toBe(0);
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

  it('says how to give a digit it can find', () => {
    const blank = rgbaImage(20, 20, () => [255, 255, 255, 255]);
    expect(() => preprocessDigit(blank)).toThrowError(
      /give an image with one dark digit on a light background or a light one on dark$/,
    );
  });

  it('refuses a digit under 5% contrast and reads one just over it', () => {
    const square = (grey: number) =>
      rgbaImage(30, 30, (x, y) =>
        x >= 10 && x < 20 && y >= 10 && y < 20 ? [grey, grey, grey, 255] : [255, 255, 255, 255],
      );
    expect(() => preprocessDigit(square(243))).toThrowError(/^no digit found/); // 12/255 = 4.7%
    const pixels = preprocessDigit(square(241)); // 14/255 = 5.5%
    expect(inkBox(pixels)).toEqual({ width: 20, height: 20 });
  });
});

describe('borderIndices', () => {
  it('is every pixel in the first or last row or column, in reading order', () => {
    for (let width = 1; width <= 5; width++) {
      for (let height = 1; height <= 5; height++) {
        const expected = Array.from({ length: width * height }, (_, i) => i).filter((i) => {
          const [x, y] = [i % width, Math.floor(i / width)];
          return x === 0 || y === 0 || x === width - 1 || y === height - 1;
        });
        expect(borderIndices(width, height)).toEqual(expected);
      }
    }
  });
});

describe('toGrayscale: luma and alpha', () => {
  it('weighs red, green and blue 0.299, 0.587, 0.114 (Rec. 601)', () => {
    const gray = toGrayscale(
      rgbaImage(
        3,
        1,
        (x) =>
          [
            [0, 255, 0, 255],
            [10, 200, 30, 255],
            [255, 255, 255, 255],
          ][x],
      ),
    );
    expect(gray.values[0]).toBeCloseTo(0.587, 6);
    expect(gray.values[1]).toBeCloseTo((0.299 * 10 + 0.587 * 200 + 0.114 * 30) / 255, 6);
    expect(gray.values[2]).toBeCloseTo(1, 6);
  });

  it('mixes a half-transparent pixel half and half with the background', () => {
    // Opaque white border, so the background is white; the centre is black at alpha 51/255 = 0.2.
    const image = rgbaImage(3, 3, (x, y) =>
      x === 1 && y === 1 ? [0, 0, 0, 51] : [255, 255, 255, 255],
    );
    expect(toGrayscale(image).values[4]).toBeCloseTo(0.2 * 0 + 0.8 * 1, 6);
  });
});

describe('compositingBackground', () => {
  /** A 4×4 image: its first `opaque` of 12 border pixels grey 0.8, the rest transparent white. */
  const borderWithOpaque = (opaque: number) => {
    const border = borderIndices(4, 4);
    return rgbaImage(4, 4, (x, y) => {
      const rank = border.indexOf(y * 4 + x);
      if (rank < 0) return [0, 0, 0, 255]; // the interior: an opaque black stroke
      return rank < opaque ? [204, 204, 204, 255] : [255, 255, 255, 0]; // white, but invisible
    });
  };

  it('is the alpha-weighted grey of the border when at least half of it is opaque', () => {
    expect(compositingBackground(borderWithOpaque(12))).toBeCloseTo(0.8, 6);
    expect(compositingBackground(borderWithOpaque(6))).toBeCloseTo(0.8, 6); // exactly half
    const oneBlackCorner = rgbaImage(3, 3, (x, y) =>
      x === 0 && y === 0
        ? [0, 0, 0, 255]
        : x === 1 && y === 1
          ? [9, 9, 9, 255]
          : [255, 255, 255, 255],
    );
    expect(compositingBackground(oneBlackCorner)).toBeCloseTo(7 / 8, 6);
  });

  it('on a mostly transparent border: white under dark strokes, black under light ones', () => {
    // 5 of 12 border pixels opaque: the light grey border and the black interior average below ½.
    expect(compositingBackground(borderWithOpaque(5))).toBe(1);
    const light = rgbaImage(4, 4, (x, y) =>
      x === 1 && y === 1 ? [128, 128, 128, 255] : [0, 0, 0, 0],
    );
    expect(compositingBackground(light)).toBe(0); // 128/255 ≥ ½: light strokes go on black
    const dark = rgbaImage(4, 4, (x, y) =>
      x === 1 && y === 1 ? [127, 127, 127, 255] : [0, 0, 0, 0],
    );
    expect(compositingBackground(dark)).toBe(1);
  });

  it('weighs each visible pixel by its alpha, and is white when nothing is visible', () => {
    // Two visible pixels: white at alpha 1 and black at alpha 0.2 → mean luma 1/1.2 ≥ ½: black.
    const image = rgbaImage(4, 4, (x, y) =>
      y === 1 && x === 1 ? [255, 255, 255, 255] : y === 1 && x === 2 ? [0, 0, 0, 51] : [0, 0, 0, 0],
    );
    expect(compositingBackground(image)).toBe(0);
    // White at alpha 0.2 and black at alpha 1 → mean luma 0.2/1.2 < ½: white.
    const reversed = rgbaImage(4, 4, (x, y) =>
      y === 1 && x === 1 ? [255, 255, 255, 51] : y === 1 && x === 2 ? [0, 0, 0, 255] : [0, 0, 0, 0],
    );
    expect(compositingBackground(reversed)).toBe(1);
    expect(compositingBackground(rgbaImage(3, 3, () => [255, 255, 255, 0]))).toBe(1);
  });

  it('puts strokes whose mean grey is exactly ½ on black, as light strokes', () => {
    // Opaque white and opaque black on a transparent canvas: luma (1 + 0) / 2 = ½ exactly.
    const image = rgbaImage(4, 4, (x, y) =>
      y === 1 && x === 1
        ? [255, 255, 255, 255]
        : y === 1 && x === 2
          ? [0, 0, 0, 255]
          : [0, 0, 0, 0],
    );
    expect(compositingBackground(image)).toBe(0);
  });
});

describe('toInk: background median, noise floor from the median absolute deviation', () => {
  it('takes the mean of the two middle border values as the background of an even border', () => {
    // 3×3: eight border pixels, four at 0.2 and four at 0.4 → background 0.3; centre 1.
    const gray = grayImage(3, 3, (x, y) =>
      x === 1 && y === 1 ? 1 : (x + y) % 2 === 0 ? 0.2 : 0.4,
    );
    const ink = toInk(gray);
    expect(ink.contrast).toBeCloseTo(0.7, 6);
    expect(ink.values[4]).toBe(1);
  });

  it('removes a floor of 3σ (σ = 1.4826 · border MAD) and stretches the rest to [0, 1]', () => {
    // 4×4 light paper: border 0.8 ×3, 0.9 ×6, 1.0 ×3 → median 0.9, MAD 0.05, σ = 0.07413.
    const borderValues = [0.8, 0.9, 1.0, 0.9, 0.8, 0.9, 1.0, 0.9, 0.8, 0.9, 1.0, 0.9];
    const border = borderIndices(4, 4);
    const interior: Record<number, number> = { 5: 0.1, 6: 0.5, 9: 0.7, 10: 0.9 };
    const gray = grayImage(
      4,
      4,
      (x, y) => interior[y * 4 + x] ?? borderValues[border.indexOf(y * 4 + x)],
    );
    const ink = toInk(gray);
    const contrast = 0.9 - 0.1; // dark ink: the darkest value is farther from the paper than 1.0
    const floor = (3 * 1.4826 * 0.05) / contrast;
    const expected = (value: number) =>
      Math.min(1, Math.max(0, ((0.9 - value) / contrast - floor) / (1 - floor)));
    expect(ink.contrast).toBeCloseTo(contrast, 6);
    for (const [index, value] of Object.entries(interior)) {
      expect(ink.values[Number(index)]).toBeCloseTo(expected(value), 5);
    }
    expect(ink.values[6]).toBeGreaterThan(0.2); // 0.5 is ink, if fainter than 0.1
    expect(ink.values[10]).toBe(0); // paper-coloured
    expect(ink.values[0]).toBe(0); // lighter than the paper: not ink, never negative
  });

  it('caps the noise floor at 0.9 of the contrast on very noisy paper', () => {
    // Border alternating 0.3 / 0.7 (MAD 0.2, σ ≈ 0.3): 3σ exceeds the contrast 0.5.
    const gray = grayImage(4, 4, (x, y) =>
      x === 1 && y === 1 ? 1 : x === 2 && y === 2 ? 0.975 : (x + y) % 2 === 0 ? 0.3 : 0.7,
    );
    const ink = toInk(gray);
    expect(ink.contrast).toBeCloseTo(0.5, 6);
    expect(ink.values[5]).toBe(1);
    // Background median 0.5; strength of 0.975 is 0.95, above the capped floor 0.9: (0.95 − 0.9)/0.1.
    expect(ink.values[10]).toBeCloseTo(0.5, 5);
  });
});

describe('cropToInk: blobs', () => {
  it('joins diagonal neighbours into one stroke, so a faint dot beside it is a speck', () => {
    // An 11-pixel diagonal (mass 11) and a dot of 0.5: 0.5 < 5% of 11, so the dot is dropped.
    // Were diagonals separate blobs (mass 1 each), the dot would count and widen the box.
    const ink = grayImage(30, 30, (x, y) =>
      x === y && x >= 2 && x <= 12 ? 1 : x === 25 && y === 3 ? 0.5 : 0,
    );
    const cropped = cropToInk(ink) as GrayImage;
    expect([cropped.width, cropped.height]).toEqual([11, 11]);
    expect(cropped.values[0]).toBe(1);
    expect(cropped.values[10 * 11 + 10]).toBe(1);
  });

  it('keeps a blob of exactly 5% of the biggest mass, and ink of exactly 25% of the strongest', () => {
    // A 20-pixel bar (mass 20) and, far away, a single pixel of 1 (mass 1 = 5% of 20).
    const bar = (x: number, y: number) => y === 10 && x >= 0 && x < 20;
    const withDot = cropToInk(
      grayImage(30, 30, (x, y) => (bar(x, y) ? 1 : x === 29 && y === 29 ? 1 : 0)),
    ) as GrayImage;
    expect([withDot.width, withDot.height]).toEqual([30, 20]);
    // A pixel at exactly 0.25 of the strongest ink is strong ink: it extends the box.
    const withFaint = cropToInk(
      grayImage(30, 30, (x, y) => (bar(x, y) ? 1 : x === 5 && y === 11 ? 0.25 : 0)),
    ) as GrayImage;
    expect([withFaint.width, withFaint.height]).toEqual([20, 2]);
  });

  it('finds strokes that touch every edge of the image', () => {
    const frame = grayImage(6, 5, (x, y) => (x === 0 || y === 0 || x === 5 || y === 4 ? 1 : 0));
    const cropped = cropToInk(frame) as GrayImage;
    expect([cropped.width, cropped.height]).toEqual([6, 5]);
    expect(Array.from(cropped.values)).toEqual(Array.from(frame.values));
  });

  it('crops to the union of the kept blobs: left, top, right and bottom from different ones', () => {
    const ink = grayImage(40, 40, (x, y) =>
      (x >= 5 && x < 9 && y >= 20 && y < 24) ||
      (x >= 20 && x < 24 && y >= 3 && y < 7) ||
      (x >= 30 && x < 34 && y >= 30 && y < 35)
        ? 1
        : 0,
    );
    const cropped = cropToInk(ink) as GrayImage;
    expect([cropped.width, cropped.height]).toEqual([34 - 5, 35 - 3]);
    expect(cropped.values[(20 - 3) * cropped.width + 0]).toBe(1);
  });

  it('starts a blob at an isolated pixel of exactly 25% of the strongest ink', () => {
    // A pixel of 1 at (2, 2) and, not touching it, one of 0.25 at (7, 7): mass 0.25 ≥ 5% of 1.
    const ink = grayImage(10, 10, (x, y) =>
      x === 2 && y === 2 ? 1 : x === 7 && y === 7 ? 0.25 : 0,
    );
    const cropped = cropToInk(ink) as GrayImage;
    expect([cropped.width, cropped.height]).toEqual([6, 6]);
    expect(cropped.values[5 * 6 + 5]).toBe(0.25);
  });

  it('crops a stroke in the first row and column to its own pixels', () => {
    const corner = cropToInk(grayImage(8, 8, (x, y) => (x === 0 && y === 0 ? 1 : 0))) as GrayImage;
    expect([corner.width, corner.height]).toEqual([1, 1]);
    expect(Array.from(corner.values)).toEqual([1]);
  });

  it('measures ink strength relative to the strongest ink, whatever its level', () => {
    // Strongest 0.5: a pixel of 0.2 below the bar is 40% of it, strong ink that extends the box.
    const ink = grayImage(20, 20, (x, y) =>
      y === 10 && x >= 5 && x < 15 ? 0.5 : x === 10 && y === 11 ? 0.2 : 0,
    );
    const cropped = cropToInk(ink) as GrayImage;
    expect([cropped.width, cropped.height]).toEqual([10, 2]);
  });

  it('joins only touching pixels: not pixels farther down, farther left, or across the right edge', () => {
    // A bar of mass 10 on row 5 and a speck of 0.3 (strong ink, under 5% of the bar's mass) that
    // does not touch it: the speck is dropped and the crop is the bar alone.
    const bar = (x: number, y: number, from: number) => y === 5 && x >= from && x < from + 10;
    const specks = [
      { barFrom: 10, speck: [12, 8] }, // three rows below the bar
      { barFrom: 10, speck: [3, 6] }, // on the next row, far to the left of the bar's start
      { barFrom: 20, speck: [0, 6] }, // on the next row's first pixel, after the bar's last
    ];
    for (const { barFrom, speck } of specks) {
      const ink = grayImage(30, 12, (x, y) =>
        bar(x, y, barFrom) ? 1 : x === speck[0] && y === speck[1] ? 0.3 : 0,
      );
      const cropped = cropToInk(ink) as GrayImage;
      expect([cropped.width, cropped.height]).toEqual([10, 1]);
    }
  });
});

describe('resampleArea and scaleToBox', () => {
  it('averages source pixels by the fraction of each that an output pixel covers', () => {
    // 3×3 → 2×2 (scale 2/3): output 0 covers source [0, 1.5), output 1 covers [1.5, 3), each way.
    const columns = grayImage(3, 3, (x) => [0.3, 0.6, 0.9][x]);
    const out = resampleArea(columns, 2, 2, 2 / 3);
    const left = (0.3 * 1 + 0.6 * 0.5) * (2 / 3);
    const right = (0.6 * 0.5 + 0.9 * 1) * (2 / 3);
    for (const [index, value] of [left, right, left, right].entries()) {
      expect(out.values[index]).toBeCloseTo(value, 6);
    }
    const rows = resampleArea(
      grayImage(3, 3, (_, y) => [0.3, 0.6, 0.9][y]),
      2,
      2,
      2 / 3,
    );
    for (const [index, value] of [left, left, right, right].entries()) {
      expect(rows.values[index]).toBeCloseTo(value, 6);
    }
  });

  it('enlarges small images by repeating pixels (each covers whole output pixels)', () => {
    const scaled = scaleToBox(
      grayImage(2, 1, (x) => [0.25, 0.75][x]),
      4,
    );
    expect([scaled.width, scaled.height]).toEqual([4, 2]);
    expect(Array.from(scaled.values)).toEqual([0.25, 0.25, 0.75, 0.75, 0.25, 0.25, 0.75, 0.75]);
  });

  it('makes the longer side exactly 20 even where width · (20/width) rounds above 20', () => {
    expect(147 * (20 / 147)).toBeGreaterThan(20); // 20.000000000000004 in floating point
    const scaled = scaleToBox(grayImage(147, 30, () => 1));
    expect([scaled.width, scaled.height]).toEqual([20, 5]);
    expect(scaled.values[19]).toBeCloseTo(1, 5); // the last column is fully covered, not a sliver
  });

  it('reduces only images whose longer side exceeds the working size', () => {
    const image = grayImage(5, 3, () => 1);
    expect(reduceToWorkingSize(image, 5)).toBe(image);
    const reduced = reduceToWorkingSize(image, 4);
    expect([reduced.width, reduced.height]).toEqual([4, 3]);
    const tall = grayImage(3, 5, () => 1);
    expect([reduceToWorkingSize(tall, 4).width, reduceToWorkingSize(tall, 4).height]).toEqual([
      3, 4,
    ]);
  });
});

describe('centreOfMass, centreByMass and toBytes on exact cases', () => {
  it('weighs each pixel position by its value, and is NaN without mass', () => {
    const image = grayImage(3, 2, (x, y) => (x === 0 && y === 0 ? 1 : x === 2 && y === 1 ? 3 : 0));
    expect(centreOfMass(image)).toEqual({ x: 1.5, y: 0.75 });
    const empty = centreOfMass(grayImage(2, 2, () => 0));
    expect(empty.x).toBeNaN();
    expect(empty.y).toBeNaN();
  });

  it('moves a single pixel to (14, 14) and a 2×1 pair to columns 14 and 15', () => {
    const single = centreByMass(grayImage(1, 1, () => 0.5));
    expect(single.values[14 * 28 + 14]).toBe(0.5);
    expect(single.values.reduce((sum, value) => sum + value, 0)).toBe(0.5);
    const pair = centreByMass(grayImage(2, 1, () => 1)); // centre x = 0.5: shift round(13.5) = 14
    expect(pair.values[14 * 28 + 14]).toBe(1);
    expect(pair.values[14 * 28 + 15]).toBe(1);
  });

  it('clamps the shift so that a lopsided image stays whole on the field', () => {
    // 20 wide with all mass in the last column: centring it would push 6 columns off the left.
    const image = grayImage(20, 1, (x) => (x === 19 ? 1 : x === 0 ? 0.01 : 0));
    const placed = centreByMass(image);
    expect(placed.values[14 * 28 + 0]).toBeCloseTo(0.01, 6);
    expect(placed.values[14 * 28 + 19]).toBe(1);
    // And the other way: mass in the first column of a wide image, which would fall off the right.
    const mirrored = centreByMass(grayImage(20, 1, (x) => (x === 0 ? 1 : x === 19 ? 0.01 : 0)));
    expect(mirrored.values[14 * 28 + 27]).toBeCloseTo(0.01, 6);
    expect(mirrored.values[14 * 28 + 8]).toBe(1);
  });

  it('gives all-zero bytes for an image without ink', () => {
    expect(Array.from(toBytes(grayImage(2, 1, () => 0)))).toEqual([0, 0]);
    expect(Array.from(toBytes(grayImage(3, 1, (x) => [0.5, 1, 2][x])))).toEqual([64, 128, 255]);
  });
});
