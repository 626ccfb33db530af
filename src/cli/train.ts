import chalk from 'chalk';
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { pixelsPerSample, type Dataset } from '../data/dataset.js';
import { knownDataset } from '../data/identify.js';
import { datasetLabels, type DatasetName } from '../data/labels.js';
import { dataSourceName, loadDataSource, type DataSource } from '../data/source.js';
import { MnnError } from '../errors.js';
import { discardPendingWrites } from '../io/atomic-write.js';
import { createModel } from '../model/create.js';
import { checkHistorySize, checkParameterCount, type Model } from '../model/model.js';
import { openModelOutput, type ModelOutput } from '../model/output.js';
import { PIXEL_SCALE } from '../nn/input.js';
import { createEngine } from '../train/create-engine.js';
import { noBetterThanChance } from '../train/divergence.js';
import { checkTrainingMemory } from '../train/memory.js';
import { train, type TrainOptions, type TrainResult } from '../train/train.js';
import { lineChart } from './chart.js';
import { action, printJson } from './output.js';
import { choiceOption, integerOption, parseLayers, positiveNumberOption } from './options.js';
import { startProgressBar } from './progress.js';
import { watchInterrupts, type InterruptWatch } from './interrupt.js';
import {
  freshSettings,
  resumeSettings,
  type GivenOption,
  type ResumePoint,
  type TrainChoices,
  type TrainSettings,
} from './resume.js';
import { describeClassMismatch, describeData, percent, typed } from './text.js';

interface TrainCommandOptions extends TrainChoices {
  threads: number;
  checkpointEvery: number;
  resume?: string;
  labels?: DatasetName;
  force?: boolean;
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
    .option(
      '--out <file>',
      'where to save the model and its checkpoints (default with --resume: the resumed file)',
      'models/model.json',
    )
    .option(
      '--checkpoint-every <n>',
      'save a checkpoint to --out every n iterations (0: only at the end or on Ctrl-C)',
      integerOption('--checkpoint-every', 0, 10_000_000),
      100,
    )
    .option(
      '--resume <file>',
      'continue training a saved model or checkpoint with its own options; --iters is the new total',
    )
    .option('--force', 'replace --out even when it holds a file that is not an mnn model')
    .option('--json', 'print the summary as one JSON object on stdout')
    .action(action(runTrain));
}

/** Chooses class names: as asked, else those of the data set the source is known to hold. */
function chooseLabels(option: DatasetName | undefined, source: DataSource): DatasetName {
  return option ?? knownDataset(source) ?? 'mnist';
}

/**
 * Refuses to resume a model on data of other classes (digits onto Fashion-MNIST): it would learn
 * them under its old class names. --labels says which names to keep, and allows it.
 */
function checkResumeLabels(resume: ResumePoint, source: DataSource): void {
  const mismatch = describeClassMismatch(resume.path, resume.model.labels, source);
  if (mismatch === undefined) return;
  throw new MnnError(`${mismatch}; resuming would teach it other classes under its old names`, {
    kind: 'usage',
    hint: 'train a new model on this data, or give the class names to keep with --labels',
  });
}

/** Refuses layer sizes that cannot fit the data, before any work is done. */
function checkLayersFitData(layers: number[], dataset: Dataset): void {
  const pixels = pixelsPerSample(dataset);
  if (layers[0] !== pixels) {
    throw new MnnError(
      `--layers starts with ${layers[0]} inputs but the images have ${pixels} pixels (${dataset.rows}×${dataset.cols}); use --layers ${pixels},${layers.slice(1).join(',')}.`,
      { kind: 'usage' },
    );
  }
  const classes = layers[layers.length - 1];
  if (classes !== 10) {
    throw new MnnError(
      `--layers ends with ${classes} outputs but the data has 10 classes; end it with 10.`,
      { kind: 'usage' },
    );
  }
}

/** Everything a saved model records about the run, besides what training computed. */
interface RunRecord {
  readonly settings: TrainSettings;
  readonly labels: readonly string[];
  readonly trainSet: Dataset;
}

/** The model file for where training stands: a checkpoint while `complete` is false. */
function modelOf(result: TrainResult, run: RunRecord): Model {
  const { settings, trainSet } = run;
  return createModel(result.parameters, {
    labels: run.labels,
    input: { width: trainSet.cols, height: trainSet.rows, scale: PIXEL_SCALE },
    training: {
      dataset: dataSourceName(settings.source),
      samples: trainSet.count,
      alpha: settings.alpha,
      iterations: result.iteration,
      targetIterations: settings.iters,
      seed: settings.seed,
      init: settings.init,
      evalEvery: settings.evalEvery,
      loss: result.loss,
      trainAccuracy: result.trainAccuracy,
      testAccuracy: result.testAccuracy,
      seconds: result.seconds,
      complete: result.iteration >= settings.iters,
      history: result.history,
    },
  });
}

/** Refuses data of another shape than the resumed model was trained on. */
function checkResumeFitsData(resume: ResumePoint, dataset: Dataset, source: DataSource): void {
  const { width, height } = resume.model.input;
  const inputs = resume.model.parameters.layerSizes[0];
  if (dataset.cols !== width || dataset.rows !== height || pixelsPerSample(dataset) !== inputs) {
    throw new MnnError(
      `${resume.path} was trained on ${width}×${height} images but ${dataSourceName(source)} has ${dataset.cols}×${dataset.rows} images; resume it with data of the same shape (--data).`,
      { kind: 'usage' },
    );
  }
}

/** The class names to store: the resumed file's, unless --labels asks otherwise. */
function labelsFor(options: TrainCommandOptions, settings: TrainSettings): readonly string[] {
  if (settings.resume && options.labels === undefined) return settings.resume.model.labels;
  return datasetLabels(chooseLabels(options.labels, settings.source));
}

/** Settings for this run: the options, merged with the checkpoint when resuming. */
function settingsFor(options: TrainCommandOptions, command: Command): TrainSettings {
  if (options.resume === undefined) return freshSettings(options);
  const given: GivenOption = (name) => command.getOptionValueSource(name) === 'cli';
  return resumeSettings(options.resume, options, given);
}

async function runTrain(options: TrainCommandOptions, command: Command): Promise<void> {
  const settings = settingsFor(options, command);
  checkParameterCount(settings.layers);
  checkHistorySize(settings.layers, { iterations: settings.iters, evalEvery: settings.evalEvery });
  // Watched before --out is claimed, so that no signal can leave the claim behind.
  const stop = watchTrainingStops(settings.out);
  try {
    const output = openModelOutput(settings.out, { overwrite: options.force });
    // A second Ctrl-C exits at once: the claim on --out must not outlive the process.
    const release = (): void => output.release();
    process.once('exit', release);
    try {
      await trainInto(output, settings, options, stop);
    } finally {
      process.off('exit', release);
      output.release();
    }
  } finally {
    stop.watch.dispose();
  }
}

/** The stop signals of a training run, watched from its start (data loading included). */
interface TrainingStop {
  readonly watch: InterruptWatch;
  /** Runs on the first signal before its message is printed (to clear a progress bar). */
  beforeMessage: () => void;
}

/**
 * Ctrl-C, kill (SIGTERM) or a closed terminal (SIGHUP): the first ends training after the
 * current iteration and saves; a second quits at once, leaving the last complete save.
 */
function watchTrainingStops(out: string): TrainingStop {
  const stop: TrainingStop = {
    beforeMessage: () => undefined,
    watch: watchInterrupts({
      onFirst: () => {
        stop.beforeMessage();
        process.stderr.write(
          '\nstopping after this iteration to save a checkpoint (press Ctrl-C again to quit without saving)\n',
        );
      },
      onSecond: () => {
        discardPendingWrites();
        const kept = existsSync(out) ? `; ${out} keeps its last complete save` : '';
        process.stderr.write(`quitting at once without saving${kept}\n`);
        process.exit(stop.watch.exitCode);
      },
    }),
  };
  return stop;
}

/** The memory this process may use: the machine's, or its container's limit when lower. */
function machineMemory(): number {
  const constrained = process.constrainedMemory?.();
  return constrained !== undefined && constrained > 0
    ? Math.min(totalmem(), constrained)
    : totalmem();
}

/** Says on stderr that a fresh run will replace the model at --out (a resumed run continues it). */
function noteReplacement(output: ModelOutput, settings: TrainSettings): void {
  const continuing =
    settings.resume !== undefined && resolve(settings.resume.path) === resolve(settings.out);
  if (output.previous === 'model' && !continuing) {
    process.stderr.write(
      `note: ${settings.out} holds a model; this run replaces it (give another --out to keep it)\n`,
    );
  }
}

/** Loads the data, trains, and saves into `output`, printing progress and a summary. */
async function trainInto(
  output: ModelOutput,
  settings: TrainSettings,
  options: TrainCommandOptions,
  stop: TrainingStop,
): Promise<void> {
  const data = loadDataSource(settings.source, 'both');
  if (!data.train || !data.test) throw new MnnError('the data set has no training or test split.');
  const { train: trainSet, test: testSet } = data;
  if (settings.resume) {
    checkResumeFitsData(settings.resume, trainSet, settings.source);
    if (options.labels === undefined) checkResumeLabels(settings.resume, settings.source);
  } else checkLayersFitData(settings.layers, trainSet);
  checkTrainingMemory({
    layerSizes: settings.layers,
    samples: trainSet.count,
    threads: options.threads,
    availableBytes: machineMemory(),
  });
  if (stop.watch.requested) {
    process.stderr.write('interrupted before training started; nothing was saved\n');
    process.exitCode = stop.watch.exitCode;
    return;
  }
  noteReplacement(output, settings);
  const run: RunRecord = { settings, labels: labelsFor(options, settings), trainSet };
  const log = (line: string): void => {
    if (!options.json) process.stdout.write(`${line}\n`);
  };
  log(describeData(settings.source, trainSet.count, testSet.count));
  const network = `network ${settings.layers.join('-')}, α = ${settings.alpha}`;
  log(
    settings.resume
      ? `resuming ${settings.resume.path} at iteration ${settings.resume.state.iteration}: ${network}, up to ${settings.iters} iterations, ${options.threads} thread(s)`
      : `${network}, ${settings.iters} iterations, seed ${settings.seed}, ${options.threads} thread(s)`,
  );

  const trainOptions: TrainOptions = {
    layerSizes: settings.layers,
    alpha: settings.alpha,
    iterations: settings.iters,
    seed: settings.seed,
    init: settings.init,
    evalEvery: settings.evalEvery,
    checkpointEvery: options.checkpointEvery,
    resume: settings.resume?.state,
  };
  const save = (result: TrainResult): void => output.save(modelOf(result, run));
  const result = await trainWithProgress({ train: trainSet, test: testSet }, trainOptions, {
    threads: options.threads,
    stop,
    save,
  });
  save(result);
  warnIfNoBetterThanChance(result, settings.layers[settings.layers.length - 1]);
  if (result.stopped) {
    reportInterrupted(result, settings, stop.watch.exitCode);
    if (options.json) printSummary(settings.out, result);
    return;
  }
  if (options.json) {
    printSummary(settings.out, result);
    return;
  }
  printHistoryCharts(result);
  log(
    `${chalk.bold('done')}: train accuracy ${percent(result.trainAccuracy)}, test accuracy ${chalk.bold(percent(result.testAccuracy))}, loss ${result.loss.toFixed(4)}, ${result.seconds.toFixed(1)} s`,
  );
  log(`model saved to ${settings.out} (evaluate it with: ${typed(`eval ${settings.out}`)})`);
}

/** Warns on stderr when a run ends with a model that guesses no better than chance. */
function warnIfNoBetterThanChance(result: TrainResult, classes: number): void {
  if (!noBetterThanChance(result.trainAccuracy, classes)) return;
  process.stderr.write(
    `warning: the model is no better than chance (training accuracy ${percent(result.trainAccuracy)} with ${classes} classes); train longer, or try another --alpha\n`,
  );
}

/** The --json summary of a run; an interrupted one adds "complete": false. */
function printSummary(out: string, result: TrainResult): void {
  printJson({
    model: out,
    iterations: result.iteration,
    loss: result.loss,
    trainAccuracy: result.trainAccuracy,
    testAccuracy: result.testAccuracy,
    seconds: result.seconds,
    // Only an interrupted run says so: scripts reading the documented six keys see no change.
    ...(result.stopped && { complete: false }),
  });
}

/** Says where an interrupted run stopped and how to continue it; exits 128 + the signal's number. */
function reportInterrupted(result: TrainResult, settings: TrainSettings, exitCode: number): void {
  process.stderr.write(
    `interrupted at iteration ${result.iteration} of ${settings.iters}; checkpoint saved to ${settings.out}\n` +
      `continue with: ${typed(`train --resume ${settings.out}`)}\n`,
  );
  process.exitCode = exitCode;
}

/** How trainWithProgress runs the engine and saves checkpoints. */
interface RunOptions {
  readonly threads: number;
  readonly stop: TrainingStop;
  readonly save: (result: TrainResult) => void;
}

/**
 * Runs training with a progress bar on stderr (iteration/total, loss, accuracy, it/s, ETA),
 * saving a checkpoint every --checkpoint-every iterations; `run.stop` ends it early.
 */
async function trainWithProgress(
  data: { train: Dataset; test: Dataset },
  options: TrainOptions,
  run: RunOptions,
): Promise<TrainResult> {
  const bar = startProgressBar({
    total: options.iterations,
    start: options.resume?.iteration ?? 0,
    format:
      'training {bar} {value}/{total} ({percentage}%) | loss {loss} | accuracy {accuracy} | {speed} it/s | ETA {eta_formatted}',
    compactFormat:
      '{bar} {value}/{total} loss {loss} acc {accuracy} {speed} it/s ETA {eta_formatted}',
    payload: { loss: '-', accuracy: '-', speed: '-' },
    widest: { loss: '00.0000', accuracy: '100.00%', speed: '9999.9' },
  });
  run.stop.beforeMessage = () => bar.stop();
  const interrupts = run.stop.watch;
  const started = performance.now();
  const firstIteration = options.resume?.iteration ?? 0;
  try {
    return await train(
      data,
      options,
      (dataset, layerSizes) => createEngine(dataset, layerSizes, { threads: run.threads }),
      {
        onIteration: ({ iteration, loss, accuracy }) => {
          if (interrupts.requested) return;
          const seconds = (performance.now() - started) / 1000;
          bar.update(iteration, {
            loss: loss.toFixed(4),
            accuracy: percent(accuracy),
            speed: ((iteration - firstIteration) / Math.max(seconds, 1e-9)).toFixed(1),
          });
        },
        shouldStop: () => interrupts.requested,
        onCheckpoint: run.save,
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
