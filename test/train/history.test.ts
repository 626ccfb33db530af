import { describe, expect, it } from 'vitest';
import { defaultEvalEvery } from '../../src/train/history.js';

describe('defaultEvalEvery: about 20 history points a run', () => {
  it('is ⌈T / 20⌉ steps for a full batch, at least 1', () => {
    expect(defaultEvalEvery(100, 1)).toBe(5);
    expect(defaultEvalEvery(41, 1)).toBe(3);
    expect(defaultEvalEvery(10, 1)).toBe(1);
    expect(defaultEvalEvery(0, 1)).toBe(1);
  });

  it('is a whole number of epochs once a run has that many steps between points', () => {
    expect(defaultEvalEvery(1000, 7)).toBe(49); // ⌈1000 / 20⌉ = 50 → 7 epochs of 7 steps
    expect(defaultEvalEvery(1000, 3)).toBe(48);
    expect(defaultEvalEvery(1000, 50)).toBe(50);
  });

  it('stays ⌈T / 20⌉ when that is less than an epoch', () => {
    expect(defaultEvalEvery(1000, 51)).toBe(50);
    expect(defaultEvalEvery(60, 4)).toBe(3);
  });
});
