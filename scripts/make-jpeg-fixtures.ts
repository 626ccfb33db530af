/**
 * Writes the JPEG fixtures that jpeg-js cannot encode (it writes baseline only): a progressive
 * and an arithmetic-coded rendering of synthetic digit 7 (seed 7), black on white, 56×56.
 * Needs libjpeg-turbo's cjpeg (apt-get install libjpeg-turbo-progs).
 * Run: tsx scripts/make-jpeg-fixtures.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fixturePgm } from '../test/helpers/jpeg-fixtures.js';

/** Encodes the fixture with cjpeg in each mode the tests need. */
function main(): void {
  const directory = mkdtempSync(join(tmpdir(), 'mnn-jpeg-'));
  const pgm = join(directory, 'seven.pgm');
  writeFileSync(pgm, fixturePgm());
  const out = 'test/fixtures/image';
  mkdirSync(out, { recursive: true });
  for (const [name, flag] of [
    ['progressive-7.jpg', '-progressive'],
    ['arithmetic-7.jpg', '-arithmetic'],
  ]) {
    execFileSync('cjpeg', ['-quality', '90', flag, '-outfile', join(out, name), pgm]);
    console.log(`wrote ${join(out, name)}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
