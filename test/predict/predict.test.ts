import { describe, expect, it } from 'vitest';
import { datasetLabels } from '../../src/data/labels.js';
import { MnnError } from '../../src/errors.js';
import { decodeImage } from '../../src/image/decode.js';
import { preprocessDigit } from '../../src/image/preprocess.js';
import type { Model } from '../../src/model/model.js';
import {
  doubtOf,
  LOW_CONFIDENCE,
  NO_CLASS_CONFIDENCE,
  checkDigitModel,
  classifyDigit,
  digitActivations,
  predictImageBytes,
} from '../../src/predict/predict.js';
import { Random } from '../../src/nn/random.js';
import { randomModel } from '../helpers/random-data.js';
import { renderDigitStyles, testDigits } from '../helpers/digit-images.js';

describe('predict library', () => {
  const model = randomModel([784, 12, 10], datasetLabels('fashion'));
  const [digit] = testDigits(1);

  it('classifyDigit returns every class probability and names the most probable', () => {
    const result = classifyDigit(model, digit.pixels);
    expect(result.probabilities).toHaveLength(10);
    expect(result.probabilities.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 12);
    expect(result.probabilities[result.label]).toBe(Math.max(...result.probabilities));
    expect(result.prediction).toBe(datasetLabels('fashion')[result.label]);
  });

  it("classifyDigit divides the pixels by the model's input.scale", () => {
    const even = digit.pixels.map((byte) => byte & ~1);
    const halved = even.map((byte) => byte / 2);
    const doubleScale: Model = { ...model, input: { ...model.input, scale: 510 } };
    const expected = classifyDigit(model, halved).probabilities;
    expect(classifyDigit(doubleScale, even).probabilities).toEqual(expected);
    expect(classifyDigit(model, even).probabilities).not.toEqual(expected);
  });

  it('predictImageBytes is decode → preprocessDigit → classifyDigit', () => {
    const [{ bytes }] = renderDigitStyles(digit.pixels, new Random(3));
    const pixels = preprocessDigit(decodeImage(bytes, 'digit.png'));
    const result = predictImageBytes(model, bytes, 'digit.png');
    expect(result.file).toBe('digit.png');
    expect(result.pixels).toEqual(pixels);
    expect(result.probabilities).toEqual(classifyDigit(model, pixels).probabilities);
  });

  it('checkDigitModel accepts 784 inputs and refuses others, naming the model file', () => {
    expect(() => checkDigitModel(model, 'm.json')).not.toThrow();
    const wide = randomModel([100, 10], datasetLabels('mnist'));
    expect(() => checkDigitModel(wide, 'wide.json')).toThrowError(MnnError);
    expect(() => checkDigitModel(wide, 'wide.json')).toThrowError(/^wide\.json takes 100 inputs/);
  });

  it('digitActivations gives A⁽ℓ⁾ of every layer, ending with classifyDigit’s probabilities', () => {
    const layers = digitActivations(model, digit.pixels);
    expect(layers.map((A) => A.length)).toEqual([12, 10]);
    expect(Array.from(layers[1])).toEqual(classifyDigit(model, digit.pixels).probabilities);
    expect(layers[0].every((a) => a >= 0)).toBe(true); // ReLU
  });
});

describe('doubtOf (issue 9, finding 13)', () => {
  it('flags a class under 80% as low confidence, and under 50% as no class standing out', () => {
    expect([LOW_CONFIDENCE, NO_CLASS_CONFIDENCE]).toEqual([0.8, 0.5]);
    expect(doubtOf(0.999)).toBeUndefined();
    expect(doubtOf(0.8)).toBeUndefined();
    expect(doubtOf(0.79)).toBe('low confidence');
    expect(doubtOf(0.5)).toBe('low confidence');
    expect(doubtOf(0.316)).toBe('no class stands out');
  });
});
