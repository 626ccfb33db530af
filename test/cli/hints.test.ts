import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPTION_FLAGS, cliHint, describeError } from '../../src/cli/hints.js';
import { MnnError } from '../../src/errors.js';

const SRC = new URL('../../src/', import.meta.url).pathname;

/** Every .ts file of the library (src/ but src/cli), as [path, text]. */
function librarySources(): [string, string][] {
  return readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.ts') && !path.startsWith('cli'))
    .map((path) => [path, readFileSync(join(SRC, path), 'utf8')]);
}

/** The lines of a source that are code, not comments. */
function codeLines(text: string): string[] {
  return text.split('\n').filter((line) => !/^\s*(\/\/|\/\*|\*)/.test(line));
}

describe('error hints: plain words in the library, flags in the CLI', () => {
  it('adds the flag of the option a hint concerns', () => {
    const error = new MnnError('training diverged at iteration 3', {
      kind: 'diverged',
      hint: 'try a smaller learning rate',
      option: 'alpha',
    });
    expect(describeError(error)).toBe(
      'training diverged at iteration 3; try a smaller learning rate (--alpha)',
    );
  });

  it('prints a hint without an option as it is, and a message without a hint alone', () => {
    expect(cliHint(new MnnError('x', { hint: 'give another file' }))).toBe('give another file');
    expect(describeError(new MnnError('x is empty', { option: 'alpha' }))).toBe('x is empty');
  });

  it('knows the flag of every option a library error names', () => {
    const named = librarySources().flatMap(([, text]) =>
      [...text.matchAll(/\boption: '([A-Za-z]+)'/g)].map((match) => match[1]),
    );
    expect(named.length).toBeGreaterThan(0);
    for (const option of named) expect(OPTION_FLAGS, option).toHaveProperty(option);
  });

  it('finds no flag or mnn command in the code of the library', () => {
    const offending = librarySources().flatMap(([path, text]) =>
      codeLines(text)
        .filter((line) => /(^|[\s'"`(])--[a-z]|`mnn [a-z]/.test(line))
        .map((line) => `${path}: ${line.trim()}`),
    );
    expect(offending).toEqual([]);
  });
});
