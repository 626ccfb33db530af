import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../src/cli/output.js';
import { MnnError } from '../src/errors.js';

describe('MnnError', () => {
  it('defaults to the input kind, exit code 1, and keeps its message', () => {
    const error = new MnnError('bad file');
    expect(error.kind).toBe('input');
    expect(exitCodeFor(error.kind)).toBe(1);
    expect(error.message).toBe('bad file');
    expect(error.hint).toBeUndefined();
  });

  it('maps usage errors to exit code 2 and carries a hint', () => {
    const error = new MnnError('no mirror', { kind: 'usage', hint: 'give a mirror' });
    expect(exitCodeFor(error.kind)).toBe(2);
    expect(error.hint).toBe('give a mirror');
  });
});
