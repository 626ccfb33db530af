import chalk, { chalkStderr } from 'chalk';
import type { Command } from 'commander';
import { RETIRED_EMBEDDED_NAME } from '../data/source.js';
import { loadModel } from '../model/load.js';
import { classMetrics, evaluate, type Evaluation } from '../train/evaluate.js';
import { action, printJson } from './output.js';
import { choiceOption } from './options.js';
import { checkImagesFit, evaluationSource, loadSplit } from './test-set.js';
import { describeClassMismatch, describeData, percent } from './text.js';

interface EvalCommandOptions {
  data?: string;
  split: 'test' | 'train';
  json?: boolean;
}

/** Registers `mnn eval`. */
export function registerEval(program: Command): void {
  program
    .command('eval')
    .description(
      'measure a model: accuracy, loss, per-class precision and recall, confusion matrix',
    )
    .argument('[model]', 'model file', 'models/model.json')
    .option(
      '--data <dir>',
      'IDX directory, or packaged | mnist | fashion (default: the data the model was trained on)',
    )
    .option(
      '--split <split>',
      'which split to evaluate: test or train',
      choiceOption('--split', ['test', 'train'] as const),
      'test',
    )
    .option('--json', 'print {accuracy, loss, samples, confusion, …} as JSON on stdout')
    .action(action(runEval));
}

async function runEval(modelPath: string, options: EvalCommandOptions): Promise<void> {
  const model = loadModel(modelPath);
  if (options.data === undefined && model.training?.dataset === RETIRED_EMBEDDED_NAME) {
    process.stderr.write(
      `note: ${modelPath} was trained on the embedded digits mnn no longer ships; evaluating it on the MNIST shipped with mnn (its full test set)\n`,
    );
  }
  const source = evaluationSource(model, options.data);
  const split = loadSplit(source, options.split);
  checkImagesFit(model, modelPath, split);
  const { dataset } = split;
  const result = evaluate(model.parameters, dataset, model.input.scale);
  const metrics = classMetrics(result.confusion);
  const mismatch = describeClassMismatch(modelPath, model.labels, source);
  const warning =
    mismatch === undefined ? undefined : `${mismatch}: the accuracy compares unrelated classes`;
  if (warning !== undefined) process.stderr.write(`${chalkStderr.yellow('warning:')} ${warning}\n`);
  if (options.json) {
    printJson({
      model: modelPath,
      data: split.name,
      split: options.split,
      samples: result.samples,
      accuracy: result.accuracy,
      loss: result.loss,
      confusion: result.confusion,
      labels: model.labels,
      classes: metrics.map((metric, index) => ({ label: model.labels[index], ...metric })),
      ...(warning !== undefined && { warning }),
    });
    return;
  }
  const out = (line = ''): void => void process.stdout.write(`${line}\n`);
  out(`model: ${modelPath} (${model.parameters.layerSizes.join('-')})`);
  out(
    describeData(
      source,
      options.split === 'train' ? dataset.count : undefined,
      options.split === 'test' ? dataset.count : undefined,
    ),
  );
  out(
    `accuracy ${chalk.bold(percent(result.accuracy))} (${Math.round(result.accuracy * result.samples)}/${result.samples}), mean cross-entropy ${result.loss.toFixed(4)}`,
  );
  out();
  printClassTable(model.labels, metrics, out);
  out();
  printConfusion(model.labels, result, out);
}

/** Prints precision and recall per class. */
function printClassTable(
  labels: readonly string[],
  metrics: ReturnType<typeof classMetrics>,
  out: (line?: string) => void,
): void {
  const width = Math.max(5, ...labels.map((label) => label.length));
  out(`${'class'.padEnd(width)}  precision  recall  samples`);
  metrics.forEach((metric, index) => {
    out(
      `${labels[index].padEnd(width)}  ${percent(metric.precision).padStart(9)}  ${percent(metric.recall).padStart(6)}  ${String(metric.support).padStart(7)}`,
    );
  });
}

/** Prints the confusion matrix (rows: true class, columns: predicted), the diagonal highlighted. */
function printConfusion(
  labels: readonly string[],
  result: Evaluation,
  out: (line?: string) => void,
): void {
  const cell = Math.max(5, ...result.confusion.flat().map((count) => String(count).length + 1));
  const shortLabels = labels.map((label) => label.slice(0, cell - 1));
  const rowLabelWidth = Math.max(...labels.map((label) => label.length));
  out('confusion matrix (rows: true class, columns: predicted)');
  out(`${' '.repeat(rowLabelWidth)} ${shortLabels.map((label) => label.padStart(cell)).join('')}`);
  result.confusion.forEach((row, trueClass) => {
    const cells = row.map((count, predicted) => {
      const text = String(count).padStart(cell);
      if (predicted === trueClass) return chalk.green.bold(text);
      return count === 0 ? chalk.dim(text) : chalk.red(text);
    });
    out(`${labels[trueClass].padStart(rowLabelWidth)} ${cells.join('')}`);
  });
}
