import { describe, expect, it } from 'vitest';
import { learningRate, type ScheduleSettings } from '../../src/train/schedule.js';

// The schedules of docs/math.md written out naively here, compared step by step.

/** α_t by docs/math.md, written out. */
function naiveRate(schedule: ScheduleSettings, alpha: number, t: number, T: number, epoch: number) {
  let rate = alpha;
  if (schedule.kind === 'cosine') {
    rate =
      schedule.lrMin + (alpha - schedule.lrMin) * 0.5 * (1 + Math.cos((Math.PI * (t - 1)) / T));
  }
  if (schedule.kind === 'step') {
    rate = alpha * Math.pow(schedule.gamma, Math.floor(epoch / schedule.stepEvery));
  }
  return t <= schedule.warmup ? rate * (t / schedule.warmup) : rate;
}

const T = 40;
const STEPS_PER_EPOCH = 4;

describe('learning-rate schedules', () => {
  it.each([
    ['constant', { kind: 'constant', warmup: 0 }],
    ['constant with warm-up', { kind: 'constant', warmup: 5 }],
    ['cosine', { kind: 'cosine', lrMin: 0.001, warmup: 0 }],
    ['cosine with warm-up', { kind: 'cosine', lrMin: 0, warmup: 8 }],
    ['step', { kind: 'step', stepEvery: 3, gamma: 0.5, warmup: 0 }],
    ['step with warm-up', { kind: 'step', stepEvery: 2, gamma: 0.1, warmup: 3 }],
  ] as [string, ScheduleSettings][])('%s matches docs/math.md at every step', (_name, schedule) => {
    for (let t = 1; t <= T; t++) {
      const epoch = Math.floor((t - 1) / STEPS_PER_EPOCH);
      const actual = learningRate(schedule, 0.1, { t, total: T, epoch });
      expect(actual).toBeCloseTo(naiveRate(schedule, 0.1, t, T, epoch), 15);
    }
  });

  it('constant is exactly α (the paper), cosine starts at α and nears α_min at the end', () => {
    const constant: ScheduleSettings = { kind: 'constant', warmup: 0 };
    expect(learningRate(constant, 0.1, { t: 7, total: T, epoch: 1 })).toBe(0.1);
    const cosine: ScheduleSettings = { kind: 'cosine', lrMin: 0.01, warmup: 0 };
    expect(learningRate(cosine, 0.1, { t: 1, total: T, epoch: 0 })).toBe(0.1);
    expect(learningRate(cosine, 0.1, { t: T / 2 + 1, total: T, epoch: 5 })).toBeCloseTo(0.055, 15);
    expect(learningRate(cosine, 0.1, { t: T, total: T, epoch: 9 })).toBeLessThan(0.0102);
  });

  it('warm-up rises linearly to the schedule over the first w steps', () => {
    const schedule: ScheduleSettings = { kind: 'constant', warmup: 4 };
    const rates = [1, 2, 3, 4, 5].map((t) =>
      learningRate(schedule, 0.2, { t, total: T, epoch: 0 }),
    );
    expect(rates).toEqual([0.05, 0.1, 0.15000000000000002, 0.2, 0.2]);
  });

  it('step decays by γ at each k-th epoch boundary only', () => {
    const schedule: ScheduleSettings = { kind: 'step', stepEvery: 2, gamma: 0.5, warmup: 0 };
    const byEpoch = [0, 1, 2, 3, 4].map((epoch) =>
      learningRate(schedule, 0.8, { t: 1 + epoch * STEPS_PER_EPOCH, total: T, epoch }),
    );
    expect(byEpoch).toEqual([0.8, 0.8, 0.4, 0.4, 0.2]);
  });
});
