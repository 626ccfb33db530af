import { Random } from '../../src/nn/random.js';
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
