import { describe, expect, it } from 'vitest';
import { BatchPlan, stepsPerEpoch } from '../../src/train/batches.js';
import { epochOrder, sampleShifts, splitValidation } from '../../src/train/sampling.js';

describe('keyed random choices of mini-batch training', () => {
  it('an epoch order is a permutation, the same for the same (seed, epoch), another for another', () => {
    const train = Uint32Array.from({ length: 500 }, (_, i) => 3 * i);
    const order = epochOrder(train, 7, 2);
    expect([...order].sort((a, b) => a - b)).toEqual([...train]);
    expect(epochOrder(train, 7, 2)).toEqual(order);
    expect(epochOrder(train, 7, 3)).not.toEqual(order);
    expect(epochOrder(train, 8, 2)).not.toEqual(order);
    expect(order).not.toEqual(train);
  });

  it('the validation split holds out exactly V samples, disjoint from the rest, chosen by the seed', () => {
    const { train, validation } = splitValidation(1000, 150, 4);
    expect(validation.length).toBe(150);
    expect(train.length).toBe(850);
    expect(new Set([...train, ...validation]).size).toBe(1000);
    expect([...validation]).toEqual([...validation].sort((a, b) => a - b));
    expect(splitValidation(1000, 150, 5).validation).not.toEqual(validation);
    // Spread over the whole set, not a block at one end.
    expect(validation[0]).toBeLessThan(100);
    expect(validation[149]).toBeGreaterThan(900);
    expect(splitValidation(10, 0, 4)).toEqual({
      train: Uint32Array.from({ length: 10 }, (_, i) => i),
      validation: new Uint32Array(0),
    });
  });

  it('shifts lie in −K..K, reach every value, and change with the epoch and the sample', () => {
    const samples = Uint32Array.from({ length: 2000 }, (_, i) => i);
    const shifts = sampleShifts(samples, 2, 1, 0);
    expect(shifts.length).toBe(4000);
    expect(new Set(shifts)).toEqual(new Set([-2, -1, 0, 1, 2]));
    expect(sampleShifts(samples, 2, 1, 1)).not.toEqual(shifts);
    // A sample's shift depends on its index, not on its place in the batch.
    const reversed = sampleShifts(samples.slice().reverse(), 2, 1, 0);
    expect([reversed[2 * 1999], reversed[2 * 1999 + 1]]).toEqual([shifts[0], shifts[1]]);
  });
});

describe('BatchPlan', () => {
  it('an epoch visits every training sample once, in slices of B, the last one smaller', () => {
    const plan = new BatchPlan(108, { seed: 1, batchSize: 10, validation: 13 });
    expect(plan.stepsPerEpoch).toBe(10);
    expect(stepsPerEpoch(108, { seed: 1, batchSize: 10, validation: 13 })).toBe(10);
    const epoch = Array.from({ length: 10 }, (_, step) => plan.batchAt(10 + step)?.samples ?? []);
    expect(epoch.map((samples) => samples.length)).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 5]);
    const visited = epoch.flatMap((samples) => [...samples]).sort((a, b) => a - b);
    expect(visited).toEqual([...plan.split.train]);
    expect(visited.some((sample) => plan.split.validation.includes(sample))).toBe(false);
    expect(plan.batchAt(0)?.samples).not.toEqual(plan.batchAt(10)?.samples);
  });

  it('the paper’s full batch needs no Batch; with validation or dropout it is every training sample in order', () => {
    expect(new BatchPlan(50, { seed: 1 }).batchAt(0)).toBeUndefined();
    expect(new BatchPlan(50, { seed: 1, batchSize: 80 }).batchAt(3)).toBeUndefined();
    const held = new BatchPlan(50, { seed: 1, validation: 5 });
    expect(held.batchAt(4)?.samples).toEqual(held.split.train);
    const dropped = new BatchPlan(50, { seed: 1, dropout: 0.5 }).batchAt(4);
    expect(dropped?.dropout).toEqual({ rate: 0.5, seed: 1, step: 5 });
    expect(dropped?.shifts).toBeUndefined();
  });

  it('gives shifts keyed by the epoch and dropout keyed by the step', () => {
    const plan = new BatchPlan(40, { seed: 3, batchSize: 8, maxShift: 2, dropout: 0.1 });
    const batch = plan.batchAt(12);
    expect(batch?.dropout?.step).toBe(13);
    expect(batch?.shifts).toEqual(sampleShifts(batch?.samples ?? new Uint32Array(), 2, 3, 2));
  });
});
