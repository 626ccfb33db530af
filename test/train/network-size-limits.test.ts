/**
 * Issue 9, finding 3: a network is checked before training — its parameter count against what a
 * model file can hold and load back, its memory against what the machine has — with a message
 * that gives the limit and why.
 */
import { describe, expect, it } from 'vitest';
import { MnnError } from '../../src/errors.js';
import {
  checkHistorySize,
  checkParameterCount,
  MAX_MODEL_FILE_BYTES,
  MAX_MODEL_PARAMETERS,
  parameterCount,
} from '../../src/model/model.js';
import { checkTrainingMemory, trainingMemoryBytes } from '../../src/train/memory.js';

/** The error a function throws (fails the test when it throws none). */
function thrown(run: () => void): MnnError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MnnError);
    return error as MnnError;
  }
  throw new Error('expected an MnnError');
}

describe('parameter count', () => {
  it('counts W and b of every layer', () => {
    expect(parameterCount([784, 10, 10])).toBe(784 * 10 + 10 + 10 * 10 + 10);
  });

  it('refuses 784-40000-10 (it died at save) and 784-100000-100000-10 (it died at start)', () => {
    const error = thrown(() => checkParameterCount([784, 40000, 10]));
    expect(error.kind).toBe('limit');
    expect(error.option).toBe('layerSizes');
    expect(error.message).toBe(
      'a 784-40000-10 network has 31.8 million parameters, over the limit of 8 million: its model file (up to 800 MB) could not be loaded back, as model files are limited to 200 MB to fit in memory',
    );
    expect(thrown(() => checkParameterCount([784, 100000, 100000, 10])).kind).toBe('limit');
  });

  it('accepts the largest networks whose file fits the model-file limit, even written longest', () => {
    expect(() => checkParameterCount([784, 10000, 10])).not.toThrow();
    // The longest shortest-round-trip form of a float64, with its comma, times the limit.
    const longest = `${JSON.stringify(-2.2250738585072014e-308)},`.length;
    expect(MAX_MODEL_PARAMETERS * longest).toBeLessThanOrEqual(MAX_MODEL_FILE_BYTES);
  });
});

describe('history size', () => {
  it('refuses a history that would make the model file too large to load back', () => {
    const error = thrown(() =>
      checkHistorySize([784, 10, 10], { iterations: 10_000_000, evalEvery: 1 }),
    );
    expect(error.kind).toBe('limit');
    expect(error.option).toBe('evalEvery');
    expect(error.message).toBe(
      'recording the history every 1 iteration(s) for 10000000 iterations (10000002 points) would make the model file up to 1280 MB, over the 200 MB model files are limited to so that they load back in memory',
    );
    expect(() =>
      checkHistorySize([784, 10, 10], { iterations: 10_000_000, evalEvery: 100 }),
    ).not.toThrow();
  });
});

describe('training memory', () => {
  it('grows with parameters, samples and threads', () => {
    const small = trainingMemoryBytes([784, 10, 10], 8000, 1);
    expect(trainingMemoryBytes([784, 1000, 10], 8000, 1)).toBeGreaterThan(small);
    expect(trainingMemoryBytes([784, 10, 10], 60000, 1)).toBeGreaterThan(small);
    expect(trainingMemoryBytes([784, 10, 10], 8000, 16)).toBeGreaterThan(small);
  });

  it('refuses a run that needs more than the memory available, saying how much and why', () => {
    const error = thrown(() =>
      checkTrainingMemory({
        layerSizes: [784, 10000, 10],
        samples: 60000,
        threads: 2,
        availableBytes: 1e9,
      }),
    );
    expect(error.kind).toBe('limit');
    expect(error.message).toMatch(
      /^training a 784-10000-10 network on 60000 samples with 2 threads needs about [\d.]+ GB of memory, over the limit of 800 MB \(80% of the 1 GB this machine has\)$/,
    );
    expect(() =>
      checkTrainingMemory({
        layerSizes: [784, 10, 10],
        samples: 60000,
        threads: 2,
        availableBytes: 1e9,
      }),
    ).not.toThrow();
  });
});
