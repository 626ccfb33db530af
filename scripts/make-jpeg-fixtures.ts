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
import { Random } from '../src/nn/random.js';
import { drawSyntheticDigit } from './synthetic-digits.js';

/** The fixture image: digit 7 scaled 2× (nearest), black ink on white, as a binary PGM. */
export function fixturePgm(): Uint8Array {
  const digit = drawSyntheticDigit(7, new Random(7));
  const pixels = new Uint8Array(56 * 56);
  for (let y = 0; y < 56; y++) {
    for (let x = 0; x < 56; x++) pixels[y * 56 + x] = 255 - digit[(y >> 1) * 28 + (x >> 1)];
  }
  return Buffer.concat([Buffer.from('P5\n56 56\n255\n', 'latin1'), pixels]);
}

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
