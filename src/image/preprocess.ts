import { MnnError } from '../errors.js';
import type { DecodedImage } from './decode.js';

/**
 * MNIST-style normalization of a user's digit image, step by step (each step is exported and
 * tested): grayscale → ink (polarity, contrast, noise floor) → crop to the ink → scale the longer
 * side to 20 px with area averaging → place in 28×28 with the centre of mass at (14, 14) → bytes.
 * MNIST digits are white ink (255) on black (0), in a 20×20 box, mass-centred in 28×28.
 */

/** One channel of floating-point samples, row-major. */
export interface GrayImage {
  readonly width: number;
  readonly height: number;
  readonly values: Float32Array;
}

/** The side of the MNIST field. */
export const FIELD_SIZE = 28;
/** The side of the box MNIST fits each digit into. */
export const BOX_SIZE = 20;
/** Pixels count towards the ink's bounding box from this fraction of the strongest ink up. */
export const INK_THRESHOLD_RATIO = 0.25;
/** Ink blobs with less mass than this fraction of the biggest blob are specks, not strokes. */
export const SPECK_MASS_RATIO = 0.05;
/** Below this ink-to-background contrast (fraction of full scale) there is no digit. */
export const MIN_CONTRAST = 0.05;
/** Larger images are first reduced to this longer side: far more detail than 20 px needs. */
const WORKING_SIZE = 1024;

/** Rec. 601 luma of gamma-encoded RGB, as paint programs and MNIST-era tools compute grey. */
function luma(r: number, g: number, b: number): number {
  return 0.299 * r + 0.587 * g + 0.114 * b;
}

/** Indices of the outermost ring of pixels. */
export function borderIndices(width: number, height: number): number[] {
  const indices: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (y === 0 || y === height - 1 || x === 0 || x === width - 1) indices.push(y * width + x);
      else x = width - 2; // skip the interior of the row
    }
  }
  return indices;
}

/**
 * The grey that transparent pixels stand for. On an opaque canvas it is the canvas itself (the
 * border's colour). On a transparent canvas the colour under alpha 0 is meaningless (often black,
 * sometimes white), so transparency becomes the grey opposite to the visible strokes: dark
 * strokes on transparency are drawn on white, light strokes on black.
 */
export function compositingBackground(image: DecodedImage): number {
  const { rgba, maxValue } = image;
  const lumaOf = (i: number): number => luma(rgba[i], rgba[i + 1], rgba[i + 2]) / maxValue;
  const border = borderIndices(image.width, image.height);
  let borderAlpha = 0;
  let borderLuma = 0;
  for (const pixel of border) {
    const alpha = rgba[pixel * 4 + 3] / maxValue;
    borderAlpha += alpha;
    borderLuma += alpha * lumaOf(pixel * 4);
  }
  if (borderAlpha >= 0.5 * border.length) return borderLuma / borderAlpha;
  let visibleAlpha = 0;
  let visibleLuma = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    const alpha = rgba[i + 3] / maxValue;
    visibleAlpha += alpha;
    visibleLuma += alpha * lumaOf(i);
  }
  return visibleAlpha > 0 && visibleLuma / visibleAlpha >= 0.5 ? 0 : 1;
}

/** Grey levels in [0, 1] (0 black), alpha composited over the image's own background. */
export function toGrayscale(image: DecodedImage): GrayImage {
  const { rgba, maxValue, width, height } = image;
  const background = compositingBackground(image);
  const values = new Float32Array(width * height);
  for (let pixel = 0, i = 0; pixel < values.length; pixel++, i += 4) {
    const alpha = rgba[i + 3] / maxValue;
    const grey = luma(rgba[i], rgba[i + 1], rgba[i + 2]) / maxValue;
    values[pixel] = alpha * grey + (1 - alpha) * background;
  }
  return { width, height, values };
}

/** The median of some numbers (sorted copy). */
function median(numbers: ArrayLike<number>): number {
  const sorted = Float64Array.from(numbers).sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** An ink image (1 = full ink, 0 = background) and how far the ink stood from the background. */
export interface InkImage extends GrayImage {
  /** |ink extreme − background| in grey levels of [0, 1]; 0 when the image is uniform. */
  readonly contrast: number;
}

/**
 * Turns grey levels into ink, light on dark. The background level is the border's median (robust
 * to strokes that touch the edge); the ink is whichever extreme lies farther from it, so black on
 * white and white on black both work without a fixed threshold. The contrast is stretched so the
 * strongest ink is 1, and a noise floor of 3σ of the border (σ from its median absolute
 * deviation) is removed so that paper grain and JPEG noise become exactly 0, as in MNIST.
 */
export function toInk(gray: GrayImage): InkImage {
  const { width, height, values } = gray;
  const borderValues = borderIndices(width, height).map((i) => values[i]);
  const background = median(borderValues);
  let darkest = background;
  let lightest = background;
  for (const value of values) {
    darkest = Math.min(darkest, value);
    lightest = Math.max(lightest, value);
  }
  const darkInk = background - darkest > lightest - background;
  const contrast = darkInk ? background - darkest : lightest - background;
  const ink = new Float32Array(values.length);
  if (contrast <= 0) return { width, height, values: ink, contrast: 0 };
  const sigma = 1.4826 * median(borderValues.map((v) => Math.abs(v - background)));
  const floor = Math.min((3 * sigma) / contrast, 0.9);
  for (let i = 0; i < values.length; i++) {
    const strength = (darkInk ? background - values[i] : values[i] - background) / contrast;
    ink[i] = Math.min(1, Math.max(0, (strength - floor) / (1 - floor)));
  }
  return { width, height, values: ink, contrast };
}

/** A connected blob of strong ink: its mass and bounding box (inclusive). */
interface Blob {
  mass: number;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Labels 8-connected blobs of pixels at or above the threshold (labels[i] = blob index + 1). */
function labelBlobs(ink: GrayImage, threshold: number): { labels: Int32Array; blobs: Blob[] } {
  const { width, height, values } = ink;
  const labels = new Int32Array(values.length);
  const blobs: Blob[] = [];
  const stack: number[] = [];
  for (let start = 0; start < values.length; start++) {
    if (labels[start] !== 0 || values[start] < threshold) continue;
    const blob: Blob = { mass: 0, left: width, top: height, right: -1, bottom: -1 };
    blobs.push(blob);
    labels[start] = blobs.length;
    stack.push(start);
    while (stack.length > 0) {
      const pixel = stack.pop() as number;
      const x = pixel % width;
      const y = (pixel - x) / width;
      blob.mass += values[pixel];
      blob.left = Math.min(blob.left, x);
      blob.right = Math.max(blob.right, x);
      blob.top = Math.min(blob.top, y);
      blob.bottom = Math.max(blob.bottom, y);
      for (let ny = Math.max(0, y - 1); ny <= Math.min(height - 1, y + 1); ny++) {
        for (let nx = Math.max(0, x - 1); nx <= Math.min(width - 1, x + 1); nx++) {
          const neighbour = ny * width + nx;
          if (labels[neighbour] === 0 && values[neighbour] >= threshold) {
            labels[neighbour] = blobs.length;
            stack.push(neighbour);
          }
        }
      }
    }
  }
  return { labels, blobs };
}

/**
 * Crops to the bounding box of the digit's strokes: pixels of at least INK_THRESHOLD_RATIO of the
 * strongest ink, in blobs of at least SPECK_MASS_RATIO of the biggest blob's mass. Faint pixels
 * (anti-aliasing) inside the box are kept; the strong pixels of dropped specks are cleared.
 * Returns undefined when there is no ink at all.
 */
export function cropToInk(ink: GrayImage): GrayImage | undefined {
  const { width, values } = ink;
  const strongest = values.reduce((max, value) => Math.max(max, value), 0);
  if (strongest <= 0) return undefined;
  const { labels, blobs } = labelBlobs(ink, INK_THRESHOLD_RATIO * strongest);
  const biggest = blobs.reduce((max, blob) => Math.max(max, blob.mass), 0);
  const kept = blobs.map((blob) => blob.mass >= SPECK_MASS_RATIO * biggest);
  const box = { left: Infinity, top: Infinity, right: -1, bottom: -1 };
  blobs.forEach((blob, index) => {
    if (!kept[index]) return;
    box.left = Math.min(box.left, blob.left);
    box.top = Math.min(box.top, blob.top);
    box.right = Math.max(box.right, blob.right);
    box.bottom = Math.max(box.bottom, blob.bottom);
  });
  const cropWidth = box.right - box.left + 1;
  const cropHeight = box.bottom - box.top + 1;
  const cropped = new Float32Array(cropWidth * cropHeight);
  for (let y = 0; y < cropHeight; y++) {
    for (let x = 0; x < cropWidth; x++) {
      const source = (y + box.top) * width + (x + box.left);
      const label = labels[source];
      cropped[y * cropWidth + x] = label !== 0 && !kept[label - 1] ? 0 : values[source];
    }
  }
  return { width: cropWidth, height: cropHeight, values: cropped };
}

/**
 * For each output pixel along one axis, the source pixels it covers and their weights: output
 * pixel j covers source interval [j/scale, (j+1)/scale); each source pixel weighs its overlap
 * times scale, so a fully covered output pixel's weights sum to 1 (area averaging).
 */
function areaWeights(sourceLength: number, outputLength: number, scale: number) {
  const weights: Array<Array<{ source: number; weight: number }>> = [];
  for (let j = 0; j < outputLength; j++) {
    const start = j / scale;
    const end = Math.min((j + 1) / scale, sourceLength);
    const row: Array<{ source: number; weight: number }> = [];
    // Each source pixel visited overlaps [start, end) by a positive length: ⌊start⌋ ≤ start < end.
    for (let source = Math.floor(start); source < end; source++) {
      const overlap = Math.min(end, source + 1) - Math.max(start, source);
      row.push({ source, weight: overlap * scale });
    }
    weights.push(row);
  }
  return weights;
}

/** Resamples by area averaging to outWidth × outHeight with the given scale (output px per source px). */
export function resampleArea(
  image: GrayImage,
  outWidth: number,
  outHeight: number,
  scale: number,
): GrayImage {
  const { width, height, values } = image;
  const columns = areaWeights(width, outWidth, scale);
  const rows = areaWeights(height, outHeight, scale);
  // Horizontal pass: height × outWidth, then vertical pass: outHeight × outWidth.
  const horizontal = new Float32Array(height * outWidth);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < outWidth; x++) {
      let sum = 0;
      for (const { source, weight } of columns[x]) sum += weight * values[y * width + source];
      horizontal[y * outWidth + x] = sum;
    }
  }
  const output = new Float32Array(outHeight * outWidth);
  for (let y = 0; y < outHeight; y++) {
    for (const { source, weight } of rows[y]) {
      for (let x = 0; x < outWidth; x++) {
        output[y * outWidth + x] += weight * horizontal[source * outWidth + x];
      }
    }
  }
  return { width: outWidth, height: outHeight, values: output };
}

/** Scales so the longer side is `box` pixels, keeping the aspect ratio, with area averaging. */
export function scaleToBox(image: GrayImage, box = BOX_SIZE): GrayImage {
  const scale = box / Math.max(image.width, image.height);
  // A tiny epsilon keeps 20.000000001 from becoming a 21st, empty column.
  const outWidth = Math.max(1, Math.ceil(image.width * scale - 1e-9));
  const outHeight = Math.max(1, Math.ceil(image.height * scale - 1e-9));
  return resampleArea(image, outWidth, outHeight, scale);
}

/** Reduces an image whose longer side exceeds `limit` (area averaging); smaller ones pass. */
export function reduceToWorkingSize(image: GrayImage, limit = WORKING_SIZE): GrayImage {
  return Math.max(image.width, image.height) > limit ? scaleToBox(image, limit) : image;
}

/** The intensity-weighted centre of mass in pixel-index coordinates (pixel (x, y) sits at x, y). */
export function centreOfMass(image: GrayImage): { x: number; y: number } {
  let mass = 0;
  let sumX = 0;
  let sumY = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const value = image.values[y * image.width + x];
      mass += value;
      sumX += value * x;
      sumY += value * y;
    }
  }
  return mass > 0 ? { x: sumX / mass, y: sumY / mass } : { x: NaN, y: NaN };
}

/**
 * Places the image in a size × size field, translated by whole pixels (as MNIST did) so that its
 * centre of mass lands within half a pixel of (size/2, size/2) = (14, 14), where MNIST's is.
 * The translation is clamped so that no ink falls off the field.
 */
export function centreByMass(image: GrayImage, size = FIELD_SIZE): GrayImage {
  const centre = centreOfMass(image);
  const clamp = (shift: number, length: number) => Math.min(Math.max(shift, 0), size - length);
  const dx = clamp(Math.round(size / 2 - centre.x), image.width);
  const dy = clamp(Math.round(size / 2 - centre.y), image.height);
  const values = new Float32Array(size * size);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      values[(y + dy) * size + (x + dx)] = image.values[y * image.width + x];
    }
  }
  return { width: size, height: size, values };
}

/** Bytes 0–255 with the strongest ink at 255, as in every MNIST digit. */
export function toBytes(image: GrayImage): Uint8Array {
  const strongest = image.values.reduce((max, value) => Math.max(max, value), 0);
  const scale = strongest > 0 ? 255 / strongest : 0;
  return Uint8Array.from(image.values, (value) => Math.round(value * scale));
}

/**
 * Normalizes a decoded digit image the way MNIST digits were made and returns the 28×28 bytes
 * (row-major, 0 background, 255 ink): the same form as a Dataset's images, so the network sees
 * them exactly as it saw its training digits.
 */
export function preprocessDigit(image: DecodedImage): Uint8Array {
  const ink = toInk(reduceToWorkingSize(toGrayscale(image)));
  const cropped = ink.contrast >= MIN_CONTRAST ? cropToInk(ink) : undefined;
  if (cropped === undefined) {
    throw new MnnError(
      `no digit found in ${image.fileName}: nothing stands out from the background; ` +
        `give an image with one dark digit on a light background or a light one on dark`,
    );
  }
  return toBytes(centreByMass(scaleToBox(cropped)));
}
