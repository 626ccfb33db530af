import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/image/decode.js';
import {
  digitPng,
  divergingColour,
  weightColourScale,
  weightPng,
} from '../../src/report/images.js';

describe('report images', () => {
  it('colours −1 blue, 0 white, +1 red, and clamps beyond', () => {
    const [blue, white, red] = [divergingColour(-1), divergingColour(0), divergingColour(1)];
    expect(blue[2]).toBeGreaterThan(blue[0]);
    expect(white).toEqual([247, 247, 247]);
    expect(red[0]).toBeGreaterThan(red[2]);
    expect(divergingColour(-5)).toEqual(blue);
    expect(divergingColour(5)).toEqual(red);
  });

  it('draws a digit as a PNG with ink dark on white', () => {
    const pixels = new Uint8Array(28 * 28);
    pixels[0] = 255;
    const image = decodeImage(digitPng(pixels, 28, 28), 'digit.png');
    expect([image.width, image.height]).toEqual([28, 28]);
    expect(Array.from(image.rgba.subarray(0, 8))).toEqual([0, 0, 0, 255, 255, 255, 255, 255]);
  });

  it('draws weights on the diverging scale and scales colours by the 99th percentile of |w|', () => {
    const weights = Float64Array.from({ length: 100 }, (_, i) => (i === 0 ? -50 : (i % 10) / 10));
    expect(weightColourScale(weights)).toBeCloseTo(0.9, 12);
    const image = decodeImage(weightPng(weights, 10, 10, 0.9), 'w.png');
    expect(Array.from(image.rgba.subarray(0, 3))).toEqual([...divergingColour(-1)]);
    expect(Array.from(image.rgba.subarray(4, 7))).toEqual([...divergingColour(0.1 / 0.9)]);
  });
});
