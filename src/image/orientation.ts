import type { DecodedImage } from './decode.js';

/**
 * EXIF orientation (TIFF tag 0x0112): how the stored rows must be turned to be seen upright.
 * Cameras and phones store the sensor's rows as they come and record the turn here:
 * 1 upright, 2 mirrored, 3 turned 180°, 4 flipped, 5 transposed, 6 turned 90° clockwise to view,
 * 7 transversed, 8 turned 90° counter-clockwise to view.
 */
export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

const ORIENTATION_TAG = 0x0112;
const SHORT = 3;

/** Reads a TIFF block's byte order and returns readers of 16- and 32-bit numbers in it. */
function tiffReader(
  tiff: Uint8Array,
): { u16(at: number): number; u32(at: number): number } | undefined {
  if (tiff.length < 8) return undefined;
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const order = String.fromCharCode(tiff[0], tiff[1]);
  if (order !== 'II' && order !== 'MM') return undefined;
  const little = order === 'II';
  const inside = (at: number, size: number): boolean => at >= 0 && at + size <= tiff.length;
  return {
    u16: (at) => (inside(at, 2) ? view.getUint16(at, little) : -1),
    u32: (at) => (inside(at, 4) ? view.getUint32(at, little) : -1),
  };
}

/** The Orientation entry of a TIFF block's first IFD, or 1 when absent or malformed. */
function tiffOrientation(tiff: Uint8Array): Orientation {
  const read = tiffReader(tiff);
  if (read === undefined || read.u16(2) !== 42) return 1;
  const ifd = read.u32(4);
  const entries = read.u16(ifd);
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + 12 * i;
    if (read.u16(entry) !== ORIENTATION_TAG) continue;
    const value = read.u16(entry + 8);
    const valid = read.u16(entry + 2) === SHORT && value >= 1 && value <= 8;
    return valid ? (value as Orientation) : 1;
  }
  return 1;
}

/**
 * The EXIF orientation of a JPEG: found in an APP1 "Exif" segment before the first scan; 1 when
 * the file has none (or a damaged one, read as stored).
 */
export function jpegOrientation(bytes: Uint8Array): Orientation {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let offset = 2; offset + 4 <= bytes.length && bytes[offset] === 0xff;) {
    const marker = bytes[offset + 1];
    if (marker === 0xda || marker === 0xd9) break; // start of scan, end of image
    const length = view.getUint16(offset + 2);
    const body = bytes.subarray(offset + 4, Math.min(offset + 2 + length, bytes.length));
    const isExif = marker === 0xe1 && String.fromCharCode(...body.subarray(0, 6)) === 'Exif\0\0';
    if (isExif) return tiffOrientation(body.subarray(6));
    offset += 2 + length;
  }
  return 1;
}

/**
 * Where output pixel (x, y) of the upright image comes from in the stored one (w × h), for
 * each orientation: the inverse of the turn the tag describes.
 */
const SOURCE: Readonly<
  Record<Orientation, (x: number, y: number, w: number, h: number) => number>
> = {
  1: (x, y, w) => y * w + x,
  2: (x, y, w) => y * w + (w - 1 - x),
  3: (x, y, w, h) => (h - 1 - y) * w + (w - 1 - x),
  4: (x, y, w, h) => (h - 1 - y) * w + x,
  5: (x, y, w) => x * w + y,
  6: (x, y, w, h) => (h - 1 - x) * w + y,
  7: (x, y, w, h) => (h - 1 - x) * w + (w - 1 - y),
  8: (x, y, w) => x * w + (w - 1 - y),
};

/** The image turned upright as `orientation` says (a copy; the same image for 1). */
export function orientImage(image: DecodedImage, orientation: Orientation): DecodedImage {
  if (orientation === 1) return image;
  const { width, height, rgba } = image;
  const swapped = orientation >= 5;
  const outWidth = swapped ? height : width;
  const outHeight = swapped ? width : height;
  const out = new (rgba.constructor as Uint8ArrayConstructor | Uint16ArrayConstructor)(rgba.length);
  const source = SOURCE[orientation];
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      const from = source(x, y, width, height) * 4;
      const to = (y * outWidth + x) * 4;
      out[to] = rgba[from];
      out[to + 1] = rgba[from + 1];
      out[to + 2] = rgba[from + 2];
      out[to + 3] = rgba[from + 3];
    }
  }
  return { ...image, width: outWidth, height: outHeight, rgba: out };
}
