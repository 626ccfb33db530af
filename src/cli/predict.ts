import chalk from 'chalk';
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import type { Dataset } from '../data/dataset.js';
import { MnnError } from '../errors.js';
import { decodeImage } from '../image/decode.js';
import { FIELD_SIZE, preprocessDigit } from '../image/preprocess.js';
import { renderShades } from '../image/shades.js';
import { loadModel } from '../model/load.js';
import type { Model } from '../model/model.js';
import { outputProbabilities } from '../train/evaluate.js';
import { action, printJson, reportError } from './output.js';
import { integerOption } from './options.js';

interface PredictCommandOptions {
  model: string;
  top: number;
  json?: boolean;
  show?: boolean;
}

/** What predict says about one image. */
interface Prediction {
  readonly file: string;
  readonly prediction: string;
  readonly probabilities: number[];
  readonly pixels: Uint8Array;
}

/** Registers `mnn predict`. */
export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description(
      'predict the digit in PNG or JPEG images (drawings, photos), preprocessed like MNIST',
    )
    .argument('<images...>', 'image files (PNG or JPEG)')
    .option('--model <file>', 'model file', 'models/model.json')
    .option(
      '--top <k>',
      'how many of the most likely classes to show',
      integerOption('--top', 1, 1000),
      3,
    )
    .option('--json', 'print [{file, prediction, probabilities}] as JSON on stdout')
    .option('--show', 'also draw the 28×28 image the network saw')
    .action(action(runPredict));
}

/** Refuses a model that cannot read 28×28 digits. */
function checkModelInput(model: Model, modelPath: string): void {
  const inputs = model.parameters.layerSizes[0];
  if (inputs !== FIELD_SIZE * FIELD_SIZE) {
    throw new MnnError(
      `${modelPath} takes ${inputs} inputs, but predict feeds 28×28 = 784-pixel digits; use a model trained on MNIST-sized images.`,
    );
  }
}

/** Reads, decodes and preprocesses one image, then runs the network on it. */
function predictImage(model: Model, file: string): Prediction {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new MnnError(
      `${file}: ${code === 'ENOENT' ? 'file not found' : `cannot read it (${code})`}.`,
    );
  }
  const pixels = preprocessDigit(decodeImage(bytes, file));
  const sample: Dataset = {
    images: pixels,
    labels: new Uint8Array(1),
    count: 1,
    rows: FIELD_SIZE,
    cols: FIELD_SIZE,
  };
  const probabilities = Array.from(outputProbabilities(model.parameters, sample));
  const best = probabilities.indexOf(Math.max(...probabilities));
  return { file, prediction: model.labels[best], probabilities, pixels };
}

/** Prints one prediction for people: the label, its probability, the top k as bars. */
function printPrediction(model: Model, result: Prediction, options: PredictCommandOptions): void {
  const out = (line = ''): void => void process.stdout.write(`${line}\n`);
  const ranked = result.probabilities
    .map((probability, index) => ({ label: model.labels[index], probability }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, options.top);
  out(
    `${chalk.bold(result.file)}: ${chalk.green.bold(result.prediction)} (${(ranked[0].probability * 100).toFixed(1)}%)`,
  );
  const width = Math.max(...ranked.map((entry) => entry.label.length));
  for (const entry of ranked) {
    const bar = '█'.repeat(Math.round(entry.probability * 30));
    out(
      `  ${entry.label.padStart(width)} ${(entry.probability * 100).toFixed(1).padStart(5)}% ${chalk.cyan(bar)}`,
    );
  }
  if (options.show) {
    out('  what the network saw (28×28):');
    for (const line of renderShades(result.pixels)) out(`  │${line}│`);
  }
}

async function runPredict(files: string[], options: PredictCommandOptions): Promise<void> {
  const model = loadModel(options.model);
  checkModelInput(model, options.model);
  const results: Prediction[] = [];
  for (const file of files) {
    try {
      const result = predictImage(model, file);
      results.push(result);
      if (!options.json) printPrediction(model, result, options);
    } catch (error) {
      // One unreadable image gets its own error line; the others are still predicted.
      reportError(error);
    }
  }
  if (options.json) {
    printJson(
      results.map(({ file, prediction, probabilities }) => ({ file, prediction, probabilities })),
    );
  }
  if (results.length < files.length) process.exitCode = 1;
}
