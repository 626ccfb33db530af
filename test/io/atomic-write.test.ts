import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MnnError } from '../../src/errors.js';
import { writeFileAtomic } from '../../src/io/atomic-write.js';

const dir = mkdtempSync(join(tmpdir(), 'mnn-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('reports a path under a regular file as an MnnError, not a raw ENOTDIR from cleanup', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const target = join(file, 'sub', 'out.bin');
    expect(() => writeFileAtomic(target, 'data')).toThrow(MnnError);
    expect(() => writeFileAtomic(target, 'data')).toThrow(`cannot write ${target}`);
  });
});
