import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { MnnError } from '../errors.js';
import { jpegOrientation, orientImage } from './orientation.js';

/**
 * The largest image mnn decodes, in pixels; bigger headers are refused before decoding. Decoding
 * and preprocessing cost up to about 30 bytes a pixel (a 4:4:4 JPEG or a 16-bit PNG), so 24
 * megapixels (6000×4000) stay under 1 GB in all.
 */
export const MAX_IMAGE_PIXELS = 24_000_000;
/** The longest side accepted: no camera or scanner makes more; a 1×49M-pixel strip is a bomb. */
export const MAX_IMAGE_SIDE = 16_384;
/** Image files above this size are refused before reading (a 24-megapixel photo is about 10 MB). */
export const MAX_IMAGE_FILE_BYTES = 64_000_000;

/** jpeg-js's own memory cap, a second line behind MAX_IMAGE_PIXELS. */
const JPEG_MAX_MEMORY_MB = 1024;

/**
 * A decoded image: straight (not premultiplied) RGBA samples, row-major, 4 per pixel.
 * 8-bit sources (and PNGs of 1, 2 or 4 bits, scaled exactly to 0–255) give a Uint8Array with
 * maxValue 255; 16-bit PNGs keep their precision in a Uint16Array with maxValue 65535.
 * A sample's intensity is rgba[i] / maxValue; images without alpha have alpha = maxValue.
 */
export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8Array | Uint16Array;
  readonly maxValue: 255 | 65535;
  readonly format: 'png' | 'jpeg';
  /** The file the image came from, for error messages. */
  readonly fileName: string;
}

/** What the header says, read before any pixel is decoded. */
interface ImageHeader {
  readonly width: number;
  readonly height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const SUPPORTED = 'mnn reads PNG and JPEG images';

/** Decodes a PNG or JPEG file's bytes (format chosen by magic bytes, not by name). */
export function decodeImage(bytes: Uint8Array, fileName: string): DecodedImage {
  if (bytes.length === 0) {
    throw new MnnError(`${fileName} is empty; ${SUPPORTED}, export the digit as one of them`);
  }
  if (startsWith(bytes, PNG_SIGNATURE)) {
    return decodePng(bytes, fileName);
  }
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) {
    return decodeJpeg(bytes, fileName);
  }
  const other = otherFormatName(bytes);
  const what = other === undefined ? 'is not a PNG or JPEG image' : `is a ${other} image`;
  throw new MnnError(`${fileName} ${what}; ${SUPPORTED}, convert it to PNG first`);
}

/** Whether bytes begin with the given signature. */
function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  return signature.every((value, i) => bytes[offset + i] === value);
}

/** Names a common image format we do not read, so the error can say what the file is. */
function otherFormatName(bytes: Uint8Array): string | undefined {
  const ascii = (offset: number, length: number): string =>
    String.fromCharCode(...bytes.subarray(offset, offset + length));
  if (ascii(0, 4) === 'GIF8') return 'GIF';
  if (ascii(0, 2) === 'BM') return 'BMP';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WEBP') return 'WebP';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) {
    return 'TIFF';
  }
  if (ascii(4, 4) === 'ftyp') {
    return ascii(8, 4).startsWith('avi') ? 'AVIF' : 'HEIF/HEIC';
  }
  return undefined;
}

/** Refuses images over MAX_IMAGE_SIDE or MAX_IMAGE_PIXELS (decompression bombs) and empty ones. */
function checkSize(header: ImageHeader, fileName: string, format: string): void {
  const { width, height } = header;
  if (width === 0 || height === 0) {
    throw new MnnError(`${fileName} is a corrupt ${format}: its header says ${width}×${height}`);
  }
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
    throw new MnnError(
      `${fileName} is ${width}×${height} pixels; each side may be at most ${MAX_IMAGE_SIDE}`,
      { kind: 'limit', hint: 'crop or scale it down first' },
    );
  }
  if (width * height > MAX_IMAGE_PIXELS) {
    const megapixels = ((width * height) / 1e6).toFixed(1);
    throw new MnnError(
      `${fileName} is too large: ${width}×${height} (${megapixels} megapixels) is over the ` +
        `limit of ${MAX_IMAGE_PIXELS / 1e6} megapixels`,
      { kind: 'limit', hint: 'scale it down first' },
    );
  }
}

/** A corrupt-or-truncated error for a file, keeping the decoder's reason. */
function corrupt(fileName: string, format: string, reason: unknown): MnnError {
  const message = reason instanceof Error ? reason.message : String(reason);
  // pngjs says "read requests waitng on finished stream" when the data stops mid-image.
  const detail = /finished stream|ran out of data/i.test(message) ? 'the file ends early' : message;
  return new MnnError(
    `${fileName} is a truncated or corrupt ${format} (${detail}); export or copy it again`,
  );
}

/** Reads width and height from the IHDR chunk, which the PNG standard puts first. */
function readPngHeader(
  bytes: Uint8Array,
  fileName: string,
): ImageHeader & { bitDepth: number; colorType: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // signature (8) + chunk length (4) + "IHDR" (4) + width (4) + height (4) + bit depth (1)
  if (bytes.length < 25 || !startsWith(bytes, [0x49, 0x48, 0x44, 0x52], 12)) {
    throw corrupt(fileName, 'PNG', 'no IHDR header');
  }
  return {
    width: view.getUint32(16),
    height: view.getUint32(20),
    bitDepth: bytes[24],
    colorType: bytes[25],
  };
}

/** Deflate's best ratio: one 258-byte match per (at least) two bits, about 1032 to 1. */
const DEFLATE_MAX_RATIO = 1032;
/** Samples per pixel of each PNG colour type (grey, RGB, palette, grey+alpha, RGBA). */
const PNG_CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Total length of the IDAT chunks, walking the chunk list as far as the file goes. */
function pngImageDataLength(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let total = 0;
  for (let offset = 8; offset + 8 <= bytes.length;) {
    const length = view.getUint32(offset);
    if (startsWith(bytes, [0x49, 0x44, 0x41, 0x54], offset + 4)) total += length;
    offset += 12 + length;
  }
  return total;
}

/**
 * Refuses a PNG whose compressed image data could not hold the pixels its header announces even
 * at deflate's best ratio: pngjs would allocate the whole image and leave the missing rows blank.
 */
function checkPngDataCanFill(
  bytes: Uint8Array,
  header: ImageHeader & { bitDepth: number; colorType: number },
  fileName: string,
): void {
  const channels = PNG_CHANNELS[header.colorType] ?? 1;
  const rawBytes = Math.ceil((header.width * header.height * channels * header.bitDepth) / 8);
  const compressed = pngImageDataLength(bytes);
  if (rawBytes > compressed * DEFLATE_MAX_RATIO + 1024) {
    throw corrupt(
      fileName,
      'PNG',
      `${compressed} bytes of image data cannot hold ${header.width}×${header.height} pixels`,
    );
  }
}

/** Decodes a PNG of any colour type, bit depth and interlacing with pngjs. */
function decodePng(bytes: Uint8Array, fileName: string): DecodedImage {
  const header = readPngHeader(bytes, fileName);
  checkSize(header, fileName, 'PNG');
  checkPngDataCanFill(bytes, header, fileName);
  const sixteenBit = header.bitDepth === 16;
  let png: PNG;
  try {
    // pngjs rounds 16-bit samples to 8 bits unless told not to; 1/2/4-bit samples it scales to
    // 0–255 exactly (255 is a multiple of 1, 3 and 15), so only 16-bit skips the rescale.
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      skipRescale: sixteenBit,
    });
  } catch (error) {
    throw corrupt(fileName, 'PNG', error);
  }
  // With skipRescale, pngjs hands back 16-bit samples in a Uint16Array (its types say Buffer).
  const data: unknown = png.data;
  const rgba =
    data instanceof Uint16Array
      ? data
      : new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength);
  return {
    width: png.width,
    height: png.height,
    rgba,
    maxValue: rgba instanceof Uint16Array ? 65535 : 255,
    format: 'png',
    fileName,
  };
}

/** SOFn markers that jpeg-js decodes: baseline, extended sequential and progressive DCT. */
const DECODABLE_SOF = new Set([0xc0, 0xc1, 0xc2]);

/** Walks the JPEG marker segments up to the first frame header (SOFn) and reads its size. */
function readJpegHeader(
  bytes: Uint8Array,
  fileName: string,
): ImageHeader & { frameOffset: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) throw corrupt(fileName, 'JPEG', 'bad marker');
    const marker = bytes[offset + 1];
    if (marker === 0xff) {
      offset += 1; // fill byte before a marker
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break; // end of image or start of scan: no frame
    const length = view.getUint16(offset + 2);
    // SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (offset + 9 > bytes.length) break;
      if (!DECODABLE_SOF.has(marker)) {
        throw new MnnError(
          `${fileName} is a lossless, hierarchical or arithmetic-coded JPEG, which mnn cannot ` +
            `read; re-save it as an ordinary (baseline) JPEG or as PNG`,
        );
      }
      return {
        height: view.getUint16(offset + 5),
        width: view.getUint16(offset + 7),
        frameOffset: offset,
      };
    }
    offset += 2 + length;
  }
  throw corrupt(fileName, 'JPEG', 'no frame header');
}

/**
 * Whether an end-of-image marker follows the frame header. Searching from the frame header skips
 * the EXIF thumbnail (an embedded JPEG with its own FF D9) that phones put before it; entropy-coded
 * data never holds FF D9.
 */
function hasEndOfImage(bytes: Uint8Array, frameOffset: number): boolean {
  for (let i = bytes.length - 2; i > frameOffset; i--) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  }
  return false;
}

/** Where the first scan (SOS) starts, walking the marker segments from the frame header. */
function jpegScanStart(bytes: Uint8Array, frameOffset: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = frameOffset;
  while (offset + 4 <= bytes.length && bytes[offset] === 0xff) {
    if (bytes[offset + 1] === 0xda) return offset;
    offset += 2 + view.getUint16(offset + 2);
  }
  return bytes.length;
}

/**
 * Refuses a JPEG whose coded data is too short for the frame its header announces: every 8×8
 * block of every component takes at least one bit (its DC code), so with up to 2×2 chroma
 * subsampling an image needs at least width·height / 2048 bytes. jpeg-js would otherwise
 * allocate the whole frame (hundreds of MB) before finding the data missing.
 */
function checkJpegDataCanFill(
  bytes: Uint8Array,
  header: ImageHeader & { frameOffset: number },
  fileName: string,
): void {
  const coded = bytes.length - jpegScanStart(bytes, header.frameOffset);
  if (coded < (header.width * header.height) / 2048) {
    throw corrupt(
      fileName,
      'JPEG',
      `${coded} bytes of image data cannot hold ${header.width}×${header.height} pixels`,
    );
  }
}

/** Decodes a baseline or progressive JPEG with jpeg-js, under size and memory limits, upright. */
function decodeJpeg(bytes: Uint8Array, fileName: string): DecodedImage {
  const header = readJpegHeader(bytes, fileName);
  checkSize(header, fileName, 'JPEG');
  checkJpegDataCanFill(bytes, header, fileName);
  // jpeg-js fills missing data with grey instead of failing, so look for the end marker.
  if (!hasEndOfImage(bytes, header.frameOffset))
    throw corrupt(fileName, 'JPEG', 'no end-of-image marker');
  try {
    const image = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6,
      maxMemoryUsageInMB: JPEG_MAX_MEMORY_MB,
    });
    const stored: DecodedImage = {
      width: image.width,
      height: image.height,
      rgba: image.data,
      maxValue: 255,
      format: 'jpeg',
      fileName,
    };
    // Phones store the sensor's rows and say in EXIF how to turn them: turn them upright.
    return orientImage(stored, jpegOrientation(bytes));
  } catch (error) {
    throw corrupt(fileName, 'JPEG', error);
  }
}
