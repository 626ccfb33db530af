/**
 * Issue 9, findings 9 and 10 under fuzzing: every reader facing special files, every parser facing
 * size amplification; `npm run fuzz` runs the same targets for many more cases.
 */
import fc from 'fast-check';
import { afterAll, describe, it } from 'vitest';
import type { FuzzTarget } from '../helpers/fuzz-targets.js';
import {
  amplificationTarget,
  removeSpecialFiles,
  specialFileTarget,
} from '../helpers/fuzz-edges.js';
import { expectDevicesIntact } from '../helpers/devices.js';

/**
 * Cases per target in `npm test`: every kind of file for every reader several times over, and
 * each claim about twice (the largest claims take a second each: they are scanned, not parsed).
 */
const CASES: readonly [FuzzTarget<unknown>, number][] = [
  [specialFileTarget, 300],
  [amplificationTarget, 60],
];

afterAll(() => {
  removeSpecialFiles();
  expectDevicesIntact();
});

describe('issue 9 edges under fuzzing: special files and size amplification', () => {
  for (const [target, cases] of CASES) {
    it(`${target.name}: ${cases} cases (seed 1)`, { timeout: 180_000 }, () => {
      fc.assert(
        fc.property(target.inputs, (input) => target.check(input)),
        { numRuns: cases, seed: 1 },
      );
    });
  }
});
