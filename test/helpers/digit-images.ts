/**
 * Renders 28×28 digits the way users produce them (paint-program exports, transparent canvases,
 * photos of paper, JPEGs, odd PNG formats), to check that `mnn predict`'s preprocessing recovers
 * an MNIST-like digit from each. The digits come from the MNIST TEST split. Shared by the
 * tests and scripts/make-digit-images.ts (which writes a corpus to look at).
 */
import jpeg from 'jpeg-js';
import { pixelsPerSample } from '../../src/data/dataset.js';
import { loadPackagedMnist } from '../../src/data/packaged.js';
import type { DecodedImage } from '../../src/image/decode.js';
import { Random } from '../../src/nn/random.js';
import { encodePng } from './png-encoder.js';

/** One rendering of a digit: a style name (a row of the results table) and the file bytes. */
export interface RenderedDigit {
  readonly style: string;
  readonly extension: 'png' | 'jpg';
  readonly bytes: Uint8Array;
}

/** Ink in [0, 1] on a width × height canvas, row-major. */
interface InkCanvas {
  readonly width: number;
  readonly height: number;
  readonly ink: Float64Array;
}

/** Bilinear upscale of a 28×28 digit by an integer factor (pixel centres at i + 0.5), as ink. */
function upscale(pixels: Uint8Array, factor: number): InkCanvas {
  const size = 28 * factor;
  const sample = (x: number, y: number): number =>
    x < 0 || y < 0 || x > 27 || y > 27 ? 0 : pixels[y * 28 + x] / 255;
  const ink = new Float64Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const sx = (x + 0.5) / factor - 0.5;
      const sy = (y + 0.5) / factor - 0.5;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      ink[y * size + x] =
        (1 - fy) * ((1 - fx) * sample(x0, y0) + fx * sample(x0 + 1, y0)) +
        fy * ((1 - fx) * sample(x0, y0 + 1) + fx * sample(x0 + 1, y0 + 1));
    }
  }
  return { width: size, height: size, ink };
}

/** Pastes ink onto a larger blank canvas at (left, top). */
function placeOnCanvas(ink: InkCanvas, width: number, height: number, left: number, top: number) {
  const canvas = new Float64Array(width * height);
  for (let y = 0; y < ink.height; y++) {
    for (let x = 0; x < ink.width; x++) {
      canvas[(y + top) * width + (x + left)] = ink.ink[y * ink.width + x];
    }
  }
  return { width, height, ink: canvas };
}

/** Grey-level dilation (maximum over a disk of the radius): a thicker pen. */
function dilate(canvas: InkCanvas, radius: number): InkCanvas {
  const { width, height, ink } = canvas;
  const out = new Float64Array(ink.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let strongest = 0;
      for (let dy = -radius; dy <= radius; dy++) {
        for (let dx = -radius; dx <= radius; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (dx * dx + dy * dy > radius * radius || nx < 0 || ny < 0) continue;
          if (nx >= width || ny >= height) continue;
          strongest = Math.max(strongest, ink[ny * width + nx]);
        }
      }
      out[y * width + x] = strongest;
    }
  }
  return { width, height, ink: out };
}

/** RGB samples of `color` ink over `paper`, plus per-channel Gaussian noise of sigma levels. */
function inkOnPaper(
  canvas: InkCanvas,
  color: readonly number[],
  paper: readonly number[],
  random?: Random,
  sigma = 0,
): Uint8Array {
  const rgb = new Uint8Array(canvas.ink.length * 3);
  canvas.ink.forEach((ink, pixel) => {
    for (let c = 0; c < 3; c++) {
      const noise = random === undefined ? 0 : sigma * random.normal();
      const value = paper[c] * (1 - ink) + color[c] * ink + noise;
      rgb[pixel * 3 + c] = Math.min(255, Math.max(0, Math.round(value)));
    }
  });
  return rgb;
}

/** RGB → RGBA with full alpha (jpeg-js encodes from RGBA). */
function withAlpha(rgb: Uint8Array): Uint8Array {
  const rgba = new Uint8Array((rgb.length / 3) * 4);
  for (let pixel = 0; pixel < rgb.length / 3; pixel++) {
    rgba.set(rgb.subarray(pixel * 3, pixel * 3 + 3), pixel * 4);
    rgba[pixel * 4 + 3] = 255;
  }
  return rgba;
}

const BLACK = [0, 0, 0];
const WHITE = [255, 255, 255];
const BLUE_INK = [25, 45, 140];
const OFF_WHITE = [238, 230, 214];

/** An RGB black-on-white PNG of an ink canvas. */
function blackOnWhitePng(canvas: InkCanvas): Uint8Array {
  const samples = inkOnPaper(canvas, BLACK, WHITE);
  return encodePng({
    width: canvas.width,
    height: canvas.height,
    colorType: 2,
    bitDepth: 8,
    samples,
  });
}

/** Renders one 28×28 digit (bytes, 255 ink) in every style users are likely to produce. */
export function renderDigitStyles(pixels: Uint8Array, random: Random): RenderedDigit[] {
  const large = upscale(pixels, 10);
  const { width, height } = large;
  const small = upscale(pixels, 3);
  const offCentre = placeOnCanvas(
    small,
    360,
    220,
    40 + random.integer(40),
    20 + random.integer(40),
  );
  const photo = inkOnPaper(large, BLUE_INK, OFF_WHITE, random, 6);
  const rgbaSamples = (grey: number, alphaScale: number, transparentGrey: number) =>
    Array.from(large.ink).flatMap((ink) => {
      const alpha = Math.round(ink * alphaScale);
      return alpha === 0
        ? [transparentGrey, transparentGrey, transparentGrey, 0]
        : [grey, grey, grey, alpha];
    });
  const paletteIndices = Array.from(large.ink, (ink) => Math.round(ink * 15));
  const greyRamp = Array.from({ length: 16 }, (_, i) => {
    const level = Math.round(255 - i * 17);
    return [level, level, level];
  });
  return [
    { style: 'black on white, 280×280 RGB PNG', extension: 'png', bytes: blackOnWhitePng(large) },
    {
      style: 'small, off-centre on a 360×220 canvas',
      extension: 'png',
      bytes: blackOnWhitePng(offCentre),
    },
    {
      style: 'black strokes on a transparent (black, alpha 0) RGBA canvas',
      extension: 'png',
      bytes: encodePng({
        width,
        height,
        colorType: 6,
        bitDepth: 8,
        samples: rgbaSamples(0, 255, 0),
      }),
    },
    {
      style: 'blue ink on off-white paper with noise, PNG',
      extension: 'png',
      bytes: encodePng({ width, height, colorType: 2, bitDepth: 8, samples: photo }),
    },
    {
      style: 'blue ink on off-white paper with noise, JPEG quality 75',
      extension: 'jpg',
      bytes: jpeg.encode({ width, height, data: withAlpha(photo) }, 75).data,
    },
    {
      style: 'thick strokes (dilated 8 px at 280×280)',
      extension: 'png',
      bytes: blackOnWhitePng(dilate(large, 8)),
    },
    {
      style: '16-bit grey PNG',
      extension: 'png',
      bytes: encodePng({
        width,
        height,
        colorType: 0,
        bitDepth: 16,
        samples: Array.from(large.ink, (ink) => Math.round(65535 * (1 - ink))),
      }),
    },
    {
      style: '4-bit palette PNG, interlaced',
      extension: 'png',
      bytes: encodePng({
        width,
        height,
        colorType: 3,
        bitDepth: 4,
        samples: paletteIndices,
        palette: greyRamp,
        interlaced: true,
      }),
    },
    {
      style: 'grey+alpha PNG, dark strokes on transparent white',
      extension: 'png',
      bytes: encodePng({
        width,
        height,
        colorType: 4,
        bitDepth: 8,
        samples: rgbaSamples(40, 255, 255).filter((_, i) => i % 4 === 0 || i % 4 === 3),
      }),
    },
  ];
}

/** A 28×28 digit (bytes, 255 ink) as a decoded image: white ink on black, opaque. */
export function digitAsImage(pixels: Uint8Array, fileName = 'digit'): DecodedImage {
  const rgba = new Uint8Array(pixels.length * 4);
  pixels.forEach((value, i) => rgba.set([value, value, value, 255], i * 4));
  return { width: 28, height: 28, rgba, maxValue: 255, format: 'png', fileName };
}

/** Mean absolute difference of two byte images, in grey levels (0–255). */
export function meanAbsoluteDifference(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/** A labelled 28×28 digit (bytes, 0 background, 255 ink). */
export interface LabelledDigit {
  readonly label: number;
  readonly pixels: Uint8Array;
}

/**
 * `count` digits of the MNIST TEST split (never the training split, so a model trained by mnn
 * has not seen them), labels cycling 0, 1, …, 9: digit k is the next test sample labelled
 * k mod 10, so any count has (nearly) equal numbers of each digit.
 */
export function testDigits(count: number): LabelledDigit[] {
  const { test } = loadPackagedMnist({ splits: 'test' });
  const pixels = pixelsPerSample(test);
  const searchFrom = new Array<number>(10).fill(0);
  return Array.from({ length: count }, (_, k) => {
    const label = k % 10;
    let sample = searchFrom[label];
    while (sample < test.count && test.labels[sample] !== label) sample++;
    if (sample === test.count) {
      throw new RangeError(`the MNIST test split has fewer than ${count} digits cycling 0…9`);
    }
    searchFrom[label] = sample + 1;
    return { label, pixels: test.images.slice(sample * pixels, (sample + 1) * pixels) };
  });
}
