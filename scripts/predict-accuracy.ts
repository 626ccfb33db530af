/**
 * Acceptance check of `mnn predict` (issue 4): renders MNIST TEST digits in every user style
 * (scripts/make-digit-images.ts), predicts each rendering through the same code path as the CLI
 * (decode → preprocessDigit → network, src/model/predict.ts), and compares each style's accuracy
 * with the model's accuracy on the same digits given as plain 28×28 images. Exit code 1 when a
 * style misses its target (3 points; thick strokes 8).
 * Run: tsx scripts/predict-accuracy.ts [--model models/model.json] [--count N] [--seed S]
 */
import { pathToFileURL } from 'node:url';
import { MnnError } from '../src/errors.js';
import { loadModel } from '../src/model/load.js';
import type { Model } from '../src/model/model.js';
import { checkDigitModel, classifyDigit, predictImageBytes } from '../src/predict/predict.js';
import { Random } from '../src/nn/random.js';
import { renderDigitStyles, testDigits, type LabelledDigit } from '../test/helpers/digit-images.js';

/** Largest allowed drop below the plain accuracy, in percentage points. */
const TARGET_POINTS = 3;
const THICK_TARGET_POINTS = 8;

/** One row of the table: how predict does on one rendering style. */
export interface StyleAccuracy {
  readonly style: string;
  readonly samples: number;
  /** Fractions in [0, 1]. */
  readonly accuracy: number;
  readonly plainAccuracy: number;
  /** Renderings that predict refused (e.g. "no digit found"); they count as wrong. */
  readonly failures: number;
  /** Allowed drop below plainAccuracy, in percentage points. */
  readonly targetPoints: number;
}

/** Predicts every digit in every style and tallies each style's accuracy against the plain one. */
export function measureStyleAccuracy(
  model: Model,
  digits: readonly LabelledDigit[],
  random: Random,
): StyleAccuracy[] {
  let plainCorrect = 0;
  const tallies = new Map<string, { correct: number; failures: number }>();
  digits.forEach(({ label, pixels }, index) => {
    if (classifyDigit(model, pixels).label === label) plainCorrect++;
    for (const { style, extension, bytes } of renderDigitStyles(pixels, random)) {
      const tally = tallies.get(style) ?? { correct: 0, failures: 0 };
      tallies.set(style, tally);
      try {
        if (predictImageBytes(model, bytes, `${index}.${extension}`).label === label) {
          tally.correct++;
        }
      } catch (error) {
        if (!(error instanceof MnnError)) throw error;
        tally.failures++;
      }
    }
  });
  const plainAccuracy = plainCorrect / digits.length;
  return Array.from(tallies, ([style, { correct, failures }]) => ({
    style,
    samples: digits.length,
    accuracy: correct / digits.length,
    plainAccuracy,
    failures,
    targetPoints: style.startsWith('thick') ? THICK_TARGET_POINTS : TARGET_POINTS,
  }));
}

/** Whether a style's accuracy is within its target of the plain accuracy. */
export function meetsTarget(row: StyleAccuracy): boolean {
  return (row.plainAccuracy - row.accuracy) * 100 <= row.targetPoints + 1e-9;
}

/** The table for people: one line per style, percentages with one decimal. */
function formatTable(rows: readonly StyleAccuracy[]): string[] {
  const percent = (fraction: number) => `${(fraction * 100).toFixed(1)}%`.padStart(7);
  const width = Math.max(...rows.map((row) => row.style.length));
  const header = `${'style'.padEnd(width)}  ${'n'.padStart(5)}  accuracy    plain  difference  target  ok`;
  return [
    header,
    ...rows.map((row) => {
      const difference = ((row.accuracy - row.plainAccuracy) * 100).toFixed(1);
      return [
        row.style.padEnd(width),
        String(row.samples).padStart(5),
        percent(row.accuracy).padStart(8),
        percent(row.plainAccuracy),
        `${difference} pt`.padStart(10),
        `−${row.targetPoints} pt`.padStart(6),
        meetsTarget(row) ? 'yes' : 'NO',
        row.failures > 0 ? `(${row.failures} refused)` : '',
      ]
        .join('  ')
        .trimEnd();
    }),
  ];
}

/** The value after a flag, or the fallback. */
function flagValue(argv: readonly string[], flag: string, fallback: string): string {
  const index = argv.indexOf(flag);
  return index >= 0 && index + 1 < argv.length ? argv[index + 1] : fallback;
}

function main(argv: string[]): void {
  const modelPath = flagValue(argv, '--model', 'models/model.json');
  const count = Number(flagValue(argv, '--count', '200'));
  const seed = Number(flagValue(argv, '--seed', '7'));
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(seed)) {
    console.error(
      'usage: tsx scripts/predict-accuracy.ts [--model models/model.json] [--count N] [--seed S]',
    );
    process.exitCode = 2;
    return;
  }
  const model = loadModel(modelPath);
  checkDigitModel(model, modelPath);
  const started = performance.now();
  const rows = measureStyleAccuracy(model, testDigits(count), new Random(seed));
  console.log(`model ${modelPath} (layers ${model.parameters.layerSizes.join(',')}),`);
  console.log(
    `first ${count} digits of the MNIST TEST split (labels cycling 0…9), render seed ${seed}`,
  );
  for (const line of formatTable(rows)) console.log(line);
  console.log(`${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (!rows.every(meetsTarget)) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(process.argv.slice(2));
