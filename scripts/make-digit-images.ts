/**
 * Writes renderings of MNIST test digits in every style users produce (see
 * test/helpers/digit-images.ts) and prints how far preprocessing each lands from the original.
 * Run: tsx scripts/make-digit-images.ts OUTDIR [--count N]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeImage } from '../src/image/decode.js';
import { preprocessDigit } from '../src/image/preprocess.js';
import { Random } from '../src/nn/random.js';
import {
  digitAsImage,
  meanAbsoluteDifference,
  renderDigitStyles,
  testDigits,
} from '../test/helpers/digit-images.js';

/** Writes the renderings to OUTDIR and prints each style's mean difference after preprocessing. */
function main(argv: string[]): void {
  const outDir = argv[0];
  const countIndex = argv.indexOf('--count');
  const count = countIndex >= 0 ? Number(argv[countIndex + 1]) : 10;
  if (outDir === undefined || outDir.startsWith('--') || !Number.isInteger(count) || count < 1) {
    console.error('usage: tsx scripts/make-digit-images.ts OUTDIR [--count N]');
    process.exitCode = 2;
    return;
  }
  mkdirSync(outDir, { recursive: true });
  const random = new Random(7);
  const differences = new Map<string, number[]>();
  testDigits(count).forEach(({ label, pixels }, index) => {
    const expected = preprocessDigit(digitAsImage(pixels));
    renderDigitStyles(pixels, random).forEach(({ style, extension, bytes }, styleIndex) => {
      const fileName = join(outDir, `${index}-label${label}-style${styleIndex}.${extension}`);
      writeFileSync(fileName, bytes);
      const actual = preprocessDigit(decodeImage(bytes, fileName));
      differences.set(style, [
        ...(differences.get(style) ?? []),
        meanAbsoluteDifference(actual, expected),
      ]);
    });
  });
  console.log(
    `mean |preprocess(decode(render(d))) − preprocess(d)| over ${count} digits, grey levels 0–255`,
  );
  for (const [style, values] of differences) {
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    console.log(`${mean.toFixed(2).padStart(7)}  ${style}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(process.argv.slice(2));
