import { encodePng } from '../image/encode.js';

/** An RGB colour, each channel 0–255. */
export type Rgb = readonly [number, number, number];

/** Stops of the diverging scale at −1, −½, 0, ½, 1 (ColorBrewer RdBu): blue, white, red. */
export const DIVERGING_STOPS: readonly Rgb[] = [
  [5, 113, 176],
  [146, 197, 222],
  [247, 247, 247],
  [244, 165, 130],
  [202, 0, 32],
];

/** The colour of t ∈ [−1, 1] (clamped) on the diverging scale: negative blue, 0 white, positive red. */
export function divergingColour(t: number): Rgb {
  const position = ((Math.max(-1, Math.min(1, t)) + 1) / 2) * (DIVERGING_STOPS.length - 1);
  const low = Math.min(Math.floor(position), DIVERGING_STOPS.length - 2);
  const fraction = position - low;
  const [a, b] = [DIVERGING_STOPS[low], DIVERGING_STOPS[low + 1]];
  const mix = (channel: number): number =>
    Math.round(a[channel] + (b[channel] - a[channel]) * fraction);
  return [mix(0), mix(1), mix(2)];
}

/** PNG file bytes as a data: URI, for images inside an HTML file. */
export function pngDataUri(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
}

/** Encodes an image whose pixel i has colour `colourOf(i)`. */
function encodeColours(width: number, height: number, colourOf: (i: number) => Rgb): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba.set(colourOf(i), i * 4);
    rgba[i * 4 + 3] = 255;
  }
  return encodePng(width, height, rgba);
}

/** A digit's bytes (0 background, 255 ink) as a PNG, ink dark on white like a drawing. */
export function digitPng(pixels: Uint8Array, width: number, height: number): Uint8Array {
  return encodeColours(width, height, (i) => {
    const shade = 255 - pixels[i];
    return [shade, shade, shade];
  });
}

/**
 * One unit's incoming weights (a row of W⁽¹⁾, one weight per input pixel) as a PNG image of the
 * input's shape, coloured by divergingColour(w / scale): the pattern of ink that excites the unit
 * (red) or inhibits it (blue).
 */
export function weightPng(
  weights: Float64Array,
  width: number,
  height: number,
  scale: number,
): Uint8Array {
  return encodeColours(width, height, (i) => divergingColour(weights[i] / scale));
}

/**
 * The colour scale of weight images: the 99th percentile of |w|, so that one outlier does not
 * wash every other weight out to white (the few beyond it get the full colour). Shared by all
 * units of a layer, so that their images compare.
 */
export function weightColourScale(weights: Float64Array): number {
  const magnitudes = Float64Array.from(weights, Math.abs).sort();
  // Nearest rank: the smallest |w| with at least 99% of the weights at or below it.
  const percentile = magnitudes[Math.max(0, Math.ceil(magnitudes.length * 0.99) - 1)];
  return percentile > 0 ? percentile : 1;
}
