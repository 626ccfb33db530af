import { deflateSync } from 'node:zlib';

/**
 * A small PNG encoder for test images and fixtures, covering what pngjs cannot write:
 * palette images, 1/2/4-bit depths and Adam7 interlacing (pngjs writes 8/16-bit types 0/2/4/6).
 */
export interface PngSpec {
  readonly width: number;
  readonly height: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  readonly colorType: 0 | 2 | 3 | 4 | 6;
  readonly bitDepth: 1 | 2 | 4 | 8 | 16;
  /** width·height·channels samples at the bit depth (palette: one index per pixel), row-major. */
  readonly samples: ArrayLike<number>;
  /** Palette entries as [r, g, b] or [r, g, b, alpha] (alpha goes into tRNS). */
  readonly palette?: ReadonlyArray<readonly number[]>;
  readonly interlaced?: boolean;
}

const CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as const;

/** Adam7 passes: [x start, y start, x step, y step]. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 as the PNG standard defines it (over chunk type and data). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One PNG chunk: length, type, data, CRC. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const chunk = new Uint8Array(12 + data.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, data.length);
  chunk.set(Buffer.from(type, 'latin1'), 4);
  chunk.set(data, 8);
  view.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
  return chunk;
}

/** Packs one row of samples at the bit depth, MSB first, prefixed by filter type 0 (none). */
function packRow(samples: number[], bitDepth: number): number[] {
  const bytes = [0];
  if (bitDepth === 16) {
    for (const sample of samples) bytes.push(sample >> 8, sample & 0xff);
    return bytes;
  }
  let current = 0;
  let used = 0;
  for (const sample of samples) {
    current = (current << bitDepth) | sample;
    used += bitDepth;
    if (used === 8) {
      bytes.push(current);
      current = 0;
      used = 0;
    }
  }
  if (used > 0) bytes.push(current << (8 - used));
  return bytes;
}

/** The rows of one (sub)image, as serialized scanlines. */
function scanlines(spec: PngSpec, xs: number[], ys: number[]): number[] {
  const channels = CHANNELS[spec.colorType];
  const out: number[] = [];
  if (xs.length === 0) return out;
  for (const y of ys) {
    const row: number[] = [];
    for (const x of xs) {
      for (let c = 0; c < channels; c++)
        row.push(spec.samples[(y * spec.width + x) * channels + c]);
    }
    for (const byte of packRow(row, spec.bitDepth)) out.push(byte);
  }
  return out;
}

/** Positions start, start+step, … below the limit. */
function positions(start: number, step: number, limit: number): number[] {
  const result: number[] = [];
  for (let i = start; i < limit; i += step) result.push(i);
  return result;
}

/** The raw (filtered, uncompressed) image data, Adam7-ordered when interlaced. */
function rawImageData(spec: PngSpec): Uint8Array {
  if (!spec.interlaced) {
    return Uint8Array.from(
      scanlines(spec, positions(0, 1, spec.width), positions(0, 1, spec.height)),
    );
  }
  const data: number[] = [];
  for (const [x0, y0, dx, dy] of ADAM7) {
    const pass = scanlines(spec, positions(x0, dx, spec.width), positions(y0, dy, spec.height));
    for (const byte of pass) data.push(byte);
  }
  return Uint8Array.from(data);
}

/** Encodes a PNG file. */
export function encodePng(spec: PngSpec): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, spec.width);
  view.setUint32(4, spec.height);
  ihdr.set([spec.bitDepth, spec.colorType, 0, 0, spec.interlaced ? 1 : 0], 8);
  const chunks = [pngChunk('IHDR', ihdr)];
  if (spec.palette !== undefined) {
    chunks.push(pngChunk('PLTE', Uint8Array.from(spec.palette.flatMap((e) => e.slice(0, 3)))));
    if (spec.palette.some((entry) => entry.length === 4)) {
      chunks.push(pngChunk('tRNS', Uint8Array.from(spec.palette.map((e) => e[3] ?? 255))));
    }
  }
  chunks.push(pngChunk('IDAT', deflateSync(rawImageData(spec))));
  chunks.push(pngChunk('IEND', new Uint8Array(0)));
  const signature = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, ...chunks]);
}
