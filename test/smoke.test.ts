import { describe, expect, it } from 'vitest';
import { MnnError } from '../src/errors.js';

describe('MnnError', () => {
  it('defaults to exit code 1 and keeps its message', () => {
    const error = new MnnError('bad file');
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe('bad file');
  });
});
