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
  savedParameterCopies,
  MAX_MODEL_FILE_BYTES,
  MAX_MODEL_PARAMETERS,
  parameterCount,
} from '../../src/model/model.js';
import { checkTrainingMemory, MEMORY_SHARE, trainingMemoryBytes } from '../../src/train/memory.js';

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
    expect(() => checkParameterCount([784, 2500, 10], 4)).not.toThrow();
    // The longest shortest-round-trip form of a float64, with its comma, times the limit.
    const longest = `${JSON.stringify(-2.2250738585072014e-308)},`.length;
    expect(MAX_MODEL_PARAMETERS * longest).toBeLessThanOrEqual(MAX_MODEL_FILE_BYTES);
  });
});

describe('parameter copies in a model file', () => {
  it('counts the optimizer state and the best-so-far beside the parameters', () => {
    expect(savedParameterCopies({ optimizer: 'gd', validation: false })).toBe(1);
    expect(savedParameterCopies({ optimizer: 'momentum', validation: false })).toBe(2);
    expect(savedParameterCopies({ optimizer: 'adam', validation: true })).toBe(4);
  });

  it('refuses an Adam network whose checkpoints would hold too many numbers to load back', () => {
    const error = thrown(() => checkParameterCount([784, 5000, 10], 4));
    expect(error.kind).toBe('limit');
    expect(error.message).toBe(
      "a 784-5000-10 network has 4.0 million parameters (its checkpoints hold 4 arrays of that size: the parameters, the optimizer's state and, with validation, the best so far), over the limit of 8 million: its model file (up to 400 MB) could not be loaded back, as model files are limited to 200 MB to fit in memory",
    );
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
    const shape = { layerSizes: [784, 10, 10], samples: 8000, threads: 1 };
    const small = trainingMemoryBytes(shape);
    expect(trainingMemoryBytes({ ...shape, layerSizes: [784, 1000, 10] })).toBeGreaterThan(small);
    expect(trainingMemoryBytes({ ...shape, samples: 60000 })).toBeGreaterThan(small);
    expect(trainingMemoryBytes({ ...shape, threads: 16 })).toBeGreaterThan(small);
  });

  it('is 8 bytes per parameter in MAX_CHUNKS + 6 copies, 4 per pixel, and Z, A, Δ of 128 samples per thread', () => {
    // [4, 3, 2]: 3·5 + 2·4 = 23 parameters, 5 neurons; 10 samples of 4 pixels; 2 threads.
    const bytes = trainingMemoryBytes({ layerSizes: [4, 3, 2], samples: 10, threads: 2 });
    expect(bytes).toBe(8 * 23 * (24 + 6) + 10 * 4 * 4 + 8 * 128 * 5 * 3 * 2);
  });

  it('counts 12 bytes per pixel of the samples whose engine keeps the paired input', () => {
    const shape = { layerSizes: [784, 128, 10], samples: 70000, threads: 2 };
    const plain = trainingMemoryBytes(shape);
    expect(trainingMemoryBytes({ ...shape, pairedSamples: 10000 }) - plain).toBe(10000 * 784 * 12);
  });

  it('counts the optimizer state and the best so far of the new architectures', () => {
    const shape = { layerSizes: [784, 1000, 10], samples: 60000, threads: 1 };
    const paper = trainingMemoryBytes(shape);
    const adam = trainingMemoryBytes({ ...shape, extraParameterCopies: 3 });
    expect(adam - paper).toBe(8 * 3 * (1000 * 785 + 10 * 1001));
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
    expect(error.option).toBe('layerSizes');
    expect(error.hint).toBe('use smaller layers or fewer threads');
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
    // Exactly at the limit is still allowed.
    const shape = { layerSizes: [4, 3, 2], samples: 10, threads: 2 };
    const needed = trainingMemoryBytes(shape);
    expect(() =>
      checkTrainingMemory({ ...shape, availableBytes: needed / MEMORY_SHARE }),
    ).not.toThrow();
  });
});
