import chalk from 'chalk';
import type { Command } from 'commander';
import { renderShades } from './shades.js';
import { loadModel } from '../model/load.js';
import type { Model } from '../model/model.js';
import { datasetLabels, sameLabels } from '../data/labels.js';
import {
  checkDigitModel,
  LOW_CONFIDENCE,
  NO_CLASS_CONFIDENCE,
  predictImageFile,
  type ImagePrediction,
} from '../predict/predict.js';
import { action, printJson, reportError } from './output.js';
import { integerOption } from './options.js';

interface PredictCommandOptions {
  model: string;
  top: number;
  json?: boolean;
  show?: boolean;
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

/** Prints one prediction for people: the label, its probability, the top k as bars. */
function printPrediction(
  model: Model,
  result: ImagePrediction,
  options: PredictCommandOptions,
): void {
  const out = (line = ''): void => void process.stdout.write(`${line}\n`);
  const ranked = result.probabilities
    .map((probability, index) => ({ label: model.labels[index], probability }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, options.top);
  out(
    `${chalk.bold(result.file)}: ${chalk.green.bold(result.prediction)} (${(ranked[0].probability * 100).toFixed(1)}%)`,
  );
  const warning = doubtWarning(model, result);
  if (warning !== undefined) out(`  ${chalk.yellow('warning:')} ${warningText(warning, result)}`);
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

/**
 * What to say of a doubtful prediction: "low confidence", or, when no class stands out, "may not
 * be a digit" (for a digit model) or "may not be any of its classes".
 */
function doubtWarning(model: Model, result: ImagePrediction): string | undefined {
  if (result.doubt === undefined) return undefined;
  if (result.doubt === 'low confidence') return 'low confidence';
  return sameLabels(model.labels, datasetLabels('mnist'))
    ? 'may not be a digit'
    : 'may not be any of its classes';
}

/** The warning line's words: the doubt, the prediction's probability and the threshold it missed. */
function warningText(warning: string, result: ImagePrediction): string {
  const threshold = result.doubt === 'low confidence' ? LOW_CONFIDENCE : NO_CLASS_CONFIDENCE;
  return `${warning}: the most likely class has only ${(result.confidence * 100).toFixed(1)}% (under ${threshold * 100}%)`;
}

async function runPredict(files: string[], options: PredictCommandOptions): Promise<void> {
  const model = loadModel(options.model);
  checkDigitModel(model, options.model);
  const results: ImagePrediction[] = [];
  for (const file of files) {
    try {
      const result = predictImageFile(model, file);
      results.push(result);
      if (!options.json) printPrediction(model, result, options);
    } catch (error) {
      // One unreadable image gets its own error line; the others are still predicted.
      reportError(error);
    }
  }
  if (options.json) {
    printJson(
      results.map((result) => {
        const warning = doubtWarning(model, result);
        const { file, prediction, confidence, probabilities } = result;
        return { file, prediction, confidence, probabilities, ...(warning && { warning }) };
      }),
    );
  }
  if (results.length < files.length) process.exitCode = 1;
}
