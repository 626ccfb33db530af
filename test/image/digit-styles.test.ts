import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/image/decode.js';
import { preprocessDigit } from '../../src/image/preprocess.js';
import { Random } from '../../src/nn/random.js';
import {
  digitAsImage,
  meanAbsoluteDifference,
  renderDigitStyles,
} from '../../scripts/make-digit-images.js';
import { drawSyntheticDigit } from '../../scripts/synthetic-digits.js';

/** Largest mean difference (grey levels) allowed per style; thick strokes stay thicker. */
const TOLERANCE = 12;
const THICK_TOLERANCE = 25;

describe('renderDigitStyles → decodeImage → preprocessDigit', () => {
  it('recovers each synthetic digit in every style close to the digit itself', () => {
    const random = new Random(42);
    for (const label of [0, 4, 7]) {
      const digit = drawSyntheticDigit(label, random);
      const expected = preprocessDigit(digitAsImage(digit));
      const renders = renderDigitStyles(digit, random);
      expect(renders.length).toBeGreaterThanOrEqual(9);
      for (const { style, extension, bytes } of renders) {
        const image = decodeImage(bytes, `${style}.${extension}`);
        expect(image.format).toBe(extension === 'jpg' ? 'jpeg' : 'png');
        const difference = meanAbsoluteDifference(preprocessDigit(image), expected);
        const tolerance = style.startsWith('thick') ? THICK_TOLERANCE : TOLERANCE;
        expect(difference, `${style}, digit ${label}`).toBeLessThan(tolerance);
      }
    }
  });
});
