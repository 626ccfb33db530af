import chalk from 'chalk';
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { pixelsPerSample, type Dataset } from '../data/dataset.js';
import { datasetLabels, type DatasetName } from '../data/labels.js';
import {
  dataSourceName,
  loadDataSource,
  resolveDataSource,
  type DataSource,
} from '../data/source.js';
import { MnnError } from '../errors.js';
import { assertWritable } from '../io/atomic-write.js';
import type { Model } from '../model/model.js';
import { saveModel } from '../model/save.js';
import { createEngine } from '../train/create-engine.js';
import { train, type TrainOptions, type TrainResult } from '../train/train.js';
import { lineChart } from './chart.js';
import { action, printJson } from './output.js';
import { choiceOption, integerOption, parseLayers, positiveNumberOption } from './options.js';
import { startProgressBar } from './progress.js';
import { describeData, packageVersion, percent } from './text.js';

interface TrainCommandOptions {
  data?: string;
  layers: number[];
  alpha: number;
  iters: number;
  seed: number;
  init: 'he' | 'uniform';
  evalEvery: number;
  threads: number;
  labels?: DatasetName;
  out: string;
  json?: boolean;
}

/** Registers `mnn train`. */
export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a network by full-batch gradient descent and save it as JSON')
    .option(
      '--data <dir>',
      'IDX directory, or embedded | mnist | fashion (default: data/mnist if fetched, else embedded)',
    )
    .option('--layers <sizes>', 'layer sizes, input to output', parseLayers, [784, 10, 10])
    .option('--alpha <rate>', 'learning rate α', positiveNumberOption('--alpha', 1000), 0.1)
    .option(
      '--iters <n>',
      'gradient-descent iterations (full passes over the training set)',
      integerOption('--iters', 1, 10_000_000),
      1000,
    )
    .option('--seed <n>', 'seed of the initial weights', integerOption('--seed', 0, 2 ** 32 - 1), 1)
    .option(
      '--init <scheme>',
      'initial weights: he (N(0, 2/n)) or uniform (U(-0.5, 0.5))',
      choiceOption('--init', ['he', 'uniform'] as const),
      'he',
    )
    .option(
      '--eval-every <n>',
      'record loss and accuracy every n iterations',
      integerOption('--eval-every', 1),
      100,
    )
    .option(
      '--threads <n>',
      'worker threads (results are the same for any number)',
      integerOption('--threads', 1, 256),
      availableParallelism(),
    )
    .option(
      '--labels <set>',
      'class names to store: mnist (0-9) or fashion (default: fashion when the data path says so)',
      choiceOption('--labels', ['mnist', 'fashion'] as const),
    )
    .option('--out <file>', 'where to save the model', 'models/model.json')
    .option('--json', 'print the summary as one JSON object on stdout')
    .action(action(runTrain));
}

/** Chooses class names: as asked, else Fashion's when the data path names Fashion-MNIST. */
function chooseLabels(option: DatasetName | undefined, source: DataSource): DatasetName {
  if (option) return option;
  return source.kind === 'directory' && /fashion/i.test(source.directory) ? 'fashion' : 'mnist';
}

/** Refuses layer sizes that cannot fit the data, before any work is done. */
function checkLayersFitData(layers: number[], dataset: Dataset): void {
  const pixels = pixelsPerSample(dataset);
  if (layers[0] !== pixels) {
    throw new MnnError(
      `--layers starts with ${layers[0]} inputs but the images have ${pixels} pixels (${dataset.rows}×${dataset.cols}); use --layers ${pixels},${layers.slice(1).join(',')}.`,
      2,
    );
  }
  const classes = layers[layers.length - 1];
  if (classes !== 10) {
    throw new MnnError(
      `--layers ends with ${classes} outputs but the data has 10 classes; end it with 10.`,
      2,
    );
  }
}

async function runTrain(options: TrainCommandOptions): Promise<void> {
  assertWritable(options.out);
  const source = resolveDataSource(options.data);
  const data = loadDataSource(source, 'both');
  if (!data.train || !data.test) throw new MnnError('the data set has no training or test split.');
  const { train: trainSet, test: testSet } = data;
  checkLayersFitData(options.layers, trainSet);
  const labelSet = chooseLabels(options.labels, source);
  const log = (line: string): void => {
    if (!options.json) process.stdout.write(`${line}\n`);
  };
  log(describeData(source, trainSet.count, testSet.count));
  log(
    `network ${options.layers.join('-')}, α = ${options.alpha}, ${options.iters} iterations, seed ${options.seed}, ${options.threads} thread(s)`,
  );

  const trainOptions: TrainOptions = {
    layerSizes: options.layers,
    alpha: options.alpha,
    iterations: options.iters,
    seed: options.seed,
    init: options.init,
    evalEvery: options.evalEvery,
  };
  const result = await trainWithProgress(
    { train: trainSet, test: testSet },
    trainOptions,
    options.threads,
  );
  const model: Model = {
    parameters: result.parameters,
    labels: datasetLabels(labelSet),
    input: { width: trainSet.cols, height: trainSet.rows, scale: 255 },
    training: {
      dataset: dataSourceName(source),
      samples: trainSet.count,
      alpha: options.alpha,
      iterations: result.iteration,
      targetIterations: options.iters,
      seed: options.seed,
      init: options.init,
      evalEvery: options.evalEvery,
      loss: result.loss,
      trainAccuracy: result.trainAccuracy,
      testAccuracy: result.testAccuracy,
      seconds: result.seconds,
      complete: result.iteration >= options.iters,
      history: result.history,
    },
    createdBy: `mnn ${packageVersion()}`,
    createdAt: new Date().toISOString(),
  };
  saveModel(options.out, model);
  if (options.json) {
    printJson({
      model: options.out,
      iterations: result.iteration,
      loss: result.loss,
      trainAccuracy: result.trainAccuracy,
      testAccuracy: result.testAccuracy,
      seconds: result.seconds,
    });
    return;
  }
  printHistoryCharts(result);
  log(
    `${chalk.bold('done')}: train accuracy ${percent(result.trainAccuracy)}, test accuracy ${chalk.bold(percent(result.testAccuracy))}, loss ${result.loss.toFixed(4)}, ${result.seconds.toFixed(1)} s`,
  );
  log(`model saved to ${options.out} (evaluate it with: mnn eval ${options.out})`);
}

/** Runs training with a progress bar on stderr: iteration/total, loss, accuracy, it/s, ETA. */
async function trainWithProgress(
  data: { train: Dataset; test: Dataset },
  options: TrainOptions,
  threads: number,
): Promise<TrainResult> {
  const bar = startProgressBar(
    options.iterations,
    'training {bar} {value}/{total} | loss {loss} | accuracy {accuracy} | {speed} it/s | ETA {eta_formatted}',
    { loss: '-', accuracy: '-', speed: '-' },
  );
  const started = performance.now();
  try {
    return await train(
      data,
      options,
      (dataset, layerSizes) => createEngine(dataset, layerSizes, { threads }),
      {
        onIteration: ({ iteration, loss, accuracy }) => {
          const seconds = (performance.now() - started) / 1000;
          bar.update(iteration, {
            loss: loss.toFixed(4),
            accuracy: percent(accuracy),
            speed: (iteration / Math.max(seconds, 1e-9)).toFixed(1),
          });
        },
      },
    );
  } finally {
    bar.stop();
  }
}

/** Draws the loss and test-accuracy history as two small charts. */
function printHistoryCharts(result: TrainResult): void {
  if (result.history.length < 2) return;
  const first = `${result.history[0].iteration}`;
  const last = `iteration ${result.history[result.history.length - 1].iteration}`;
  const charts = [
    lineChart(
      result.history.map((point) => point.loss),
      [first, last],
      { title: chalk.bold('loss (training set)'), format: (value) => value.toFixed(3) },
    ),
    lineChart(
      result.history.map((point) => point.testAccuracy),
      [first, last],
      { title: chalk.bold('accuracy (test set)'), format: percent },
    ),
  ];
  process.stdout.write(`\n${charts.map((lines) => lines.join('\n')).join('\n\n')}\n\n`);
}
