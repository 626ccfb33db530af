import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  expectValueOrMnnError,
  FUZZ_TARGETS,
  idxTarget,
  imageTarget,
  modelTarget,
} from '../helpers/fuzz-targets.js';
import { MnnError } from '../../src/errors.js';

/** Cases per parser in `npm test`; `npm run fuzz` runs 100 000 (scripts/fuzz.ts). */
const CASES = 3000;

describe('parsers under fuzzing: a valid value or an MnnError, nothing else', () => {
  for (const target of FUZZ_TARGETS) {
    it(`${target.name}: ${CASES} random and mutated inputs (seed 1)`, () => {
      fc.assert(
        fc.property(target.inputs, (input) => target.check(input)),
        {
          numRuns: CASES,
          seed: 1,
        },
      );
    });
  }

  it('a check passes MnnErrors and valid values, and fails on anything else', () => {
    const valid = () => undefined;
    expect(() => idxTarget.check(new Uint8Array(0))).not.toThrow();
    expect(() => modelTarget.check('{')).not.toThrow();
    expect(() => imageTarget.check(Uint8Array.of(1, 2, 3))).not.toThrow();
    const rangeError = () => {
      throw new RangeError('offset out of bounds');
    };
    expect(() => expectValueOrMnnError(rangeError, valid)).toThrow(RangeError);
    const twoLines = () => {
      throw new MnnError('first\nsecond');
    };
    expect(() => expectValueOrMnnError(twoLines, valid)).toThrow('not one line');
    expect(() =>
      expectValueOrMnnError(
        () => 1,
        () => {
          throw new Error('invalid value');
        },
      ),
    ).toThrow('invalid value');
  });
});
