import chalk from 'chalk';
import type { Command } from 'commander';
import { availableParallelism, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { pixelsPerSample, sliceDataset, type Dataset } from '../data/dataset.js';
import { knownDataset } from '../data/identify.js';
import { datasetLabels, type DatasetName } from '../data/labels.js';
import { dataSourceName, loadDataSource, type DataSource } from '../data/source.js';
import { MnnError } from '../errors.js';
import { checkHistorySize, checkParameterCount, savedParameterCopies } from '../model/model.js';
import { openModelOutput, type ModelOutput } from '../model/output.js';
import { BatchPlan, stepsPerEpoch } from '../train/batches.js';
import { pairsFirstLayer } from '../train/fast/plan.js';
import { noBetterThanChance } from '../train/divergence.js';
import { defaultEvalEvery } from '../train/history.js';
import { checkTrainingMemory } from '../train/memory.js';
import type { TrainOptions, TrainResult } from '../train/train.js';
import { action, printJson } from './output.js';
import {
  augmentOption,
  choiceOption,
  integerOption,
  parseLayers,
  positiveNumberOption,
  rangeOption,
} from './options.js';
import {
  freshSettings,
  resumeSettings,
  type GivenOption,
  type ResumePoint,
  type TrainChoices,
  type TrainSettings,
} from './resume.js';
import { describeClassMismatch, describeData, percent, typed } from './text.js';
import { modelOf, type ResolvedRun } from './train-record.js';
import {
  printHistoryCharts,
  trainWithProgress,
  watchTrainingStops,
  type TrainingStop,
} from './train-progress.js';

interface TrainCommandOptions extends TrainChoices {
  threads: number;
  checkpointEvery?: number;
  resume?: string;
  labels?: DatasetName;
  force?: boolean;
  json?: boolean;
}

/** A checkpoint is saved this often when --checkpoint-every is not given (saving a large model takes a while). */
const DEFAULT_CHECKPOINT_SECONDS = 60;

/** Registers the options that choose the paper's algorithm or what goes beyond it. */
function addAlgorithmOptions(command: Command): Command {
  return command
    .option('--alpha <rate>', 'learning rate α', positiveNumberOption('--alpha', 1000), 0.1)
    .option('--lr <rate>', 'another name for --alpha', positiveNumberOption('--lr', 1000))
    .option(
      '--iters <n>',
      'steps (iterations): one batch and one update each',
      integerOption('--iters', 1, 10_000_000),
      1000,
    )
    .option(
      '--epochs <n>',
      'train for n passes over the training set instead of --iters',
      integerOption('--epochs', 1, 100_000),
    )
    .option(
      '--batch-size <n>',
      'samples per step (default: the whole training set, as in the paper)',
      integerOption('--batch-size', 1),
    )
    .option(
      '--optimizer <name>',
      'update rule: gd, momentum or adam',
      choiceOption('--optimizer', ['gd', 'momentum', 'adam'] as const),
      'gd',
    )
    .option(
      '--momentum <mu>',
      'momentum μ (with --optimizer momentum)',
      rangeOption('--momentum', 0, 1),
      0.9,
    )
    .option('--beta1 <b>', 'Adam β₁', rangeOption('--beta1', 0, 1), 0.9)
    .option('--beta2 <b>', 'Adam β₂', rangeOption('--beta2', 0, 1), 0.999)
    .option('--epsilon <e>', 'Adam ε', positiveNumberOption('--epsilon', 1), 1e-8)
    .option(
      '--weight-decay <lambda>',
      'weight decay λ on the weights W (decoupled for Adam)',
      rangeOption('--weight-decay', 0, 1, true),
      0,
    )
    .option(
      '--schedule <name>',
      'learning-rate schedule: constant, cosine or step',
      choiceOption('--schedule', ['constant', 'cosine', 'step'] as const),
      'constant',
    )
    .option(
      '--lr-min <rate>',
      'final learning rate of --schedule cosine',
      rangeOption('--lr-min', 0, 1000, true),
      0,
    )
    .option(
      '--step-every <k>',
      'epochs between decays of --schedule step',
      integerOption('--step-every', 1),
    )
    .option(
      '--gamma <g>',
      'decay factor of --schedule step',
      positiveNumberOption('--gamma', 1),
      0.1,
    )
    .option(
      '--warmup <steps>',
      'raise the learning rate linearly over the first steps',
      integerOption('--warmup', 0),
      0,
    )
    .option(
      '--dropout <p>',
      'dropout rate on hidden layers while training',
      rangeOption('--dropout', 0, 1),
      0,
    )
    .option(
      '--augment <shift:K>',
      'shift each training sample up to K pixels in x and y, anew each epoch',
      augmentOption(27),
    )
    .option(
      '--validation <n>',
      'training samples held out to choose the best parameters (never trained on)',
      integerOption('--validation', 0),
      0,
    )
    .option(
      '--early-stop <p>',
      'stop after p history points without a better validation accuracy',
      integerOption('--early-stop', 1),
    );
}

/** Registers `mnn train`. */
export function registerTrain(program: Command): void {
  const command = program
    .command('train')
    .description(
      'train a network (by default as in the paper: full-batch gradient descent) and save it as JSON',
    )
    .option(
      '--data <dir>',
      'IDX directory, or packaged | mnist | fashion (default: data/mnist if fetched, else the MNIST shipped with mnn)',
    )
    .option(
      '--limit <n>',
      'train on the first n training samples only',
      integerOption('--limit', 1),
    )
    .option('--layers <sizes>', 'layer sizes, input to output', parseLayers, [784, 10, 10])
    .option(
      '--seed <n>',
      'seed of the initial weights and of every random choice',
      integerOption('--seed', 0, 2 ** 32 - 1),
      1,
    );
  addAlgorithmOptions(command)
    .option(
      '--init <scheme>',
      'initial weights: he (N(0, 2/n)) or uniform (U(-0.5, 0.5))',
      choiceOption('--init', ['he', 'uniform'] as const),
      'he',
    )
    .option(
      '--eval-every <n>',
      'record loss and accuracy every n steps (default: about 20 points per run, whole epochs once a run has 20)',
      integerOption('--eval-every', 1),
    )
    .option(
      '--threads <n>',
      'worker threads (results are the same for any number)',
      integerOption('--threads', 1, 256),
      availableParallelism(),
    )
    .option(
      '--precision <p>',
      "what forward and backward compute in: f64 (the paper's arithmetic) or f32 (about twice as fast for wide layers; weights and optimizer stay f64)",
      choiceOption('--precision', ['f64', 'f32'] as const),
      'f64',
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
      `save a checkpoint to --out every n steps (0: only at the end or on Ctrl-C; default: every ${DEFAULT_CHECKPOINT_SECONDS} s)`,
      integerOption('--checkpoint-every', 0, 10_000_000),
    )
    .option(
      '--resume <file>',
      'continue training a saved model or checkpoint with its own options; --iters or --epochs is the new total',
    )
    .option('--force', 'replace --out even when it holds a file that is not an mnn model')
    .option('--json', 'print the summary as one JSON object on stdout')
    .addHelpText(
      'after',
      `
Examples:
  mnn train                                   the paper: 784-10-10, α 0.1, 1000 full-batch iterations
  mnn train --limit 5000 --iters 200          a quick run on 5 000 training samples
  mnn train --layers 784,256,10 --batch-size 128 --optimizer adam --lr 0.003 --schedule cosine \\
            --epochs 6                        ≥ 98% on the test set, fast
  mnn train --layers 784,512,256,10 --batch-size 128 --optimizer adam --lr 0.001 \\
            --schedule cosine --epochs 20 --dropout 0.2 --augment shift:1 --validation 5000
                                              ≥ 99%, the weights chosen on 5 000 held-out samples`,
    )
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

/** The first --limit training samples; refuses a limit above what the data has. */
function limitTrainingSet(dataset: Dataset, limit: number | undefined): Dataset {
  if (limit === undefined) return dataset;
  if (limit > dataset.count) {
    throw new MnnError(
      `--limit ${limit} is more than the ${dataset.count} training samples; give at most ${dataset.count}, or leave --limit out.`,
      { kind: 'usage' },
    );
  }
  return sliceDataset(dataset, 0, limit);
}

/** The class names to store: the resumed file's, unless --labels asks otherwise. */
function labelsFor(options: TrainCommandOptions, settings: TrainSettings): readonly string[] {
  if (settings.resume && options.labels === undefined) return settings.resume.model.labels;
  return datasetLabels(chooseLabels(options.labels, settings.source));
}

/** Settings for this run: the options, merged with the checkpoint when resuming. */
function settingsFor(options: TrainCommandOptions, command: Command): TrainSettings {
  const given: GivenOption = (name) => command.getOptionValueSource(name) === 'cli';
  if (options.resume === undefined) return freshSettings(options, given);
  return resumeSettings(options.resume, options, given);
}

/** Turns the settings into steps and history spacing for this training set. */
function resolveRun(
  settings: TrainSettings,
  trainSet: Dataset,
  labels: readonly string[],
): ResolvedRun {
  const perEpoch = stepsPerEpoch(trainSet.count, settings);
  const iterations =
    'epochs' in settings.length ? settings.length.epochs * perEpoch : settings.length.iterations;
  const evalEvery = settings.evalEvery ?? defaultEvalEvery(iterations, perEpoch);
  return { settings, iterations, evalEvery, stepsPerEpoch: perEpoch, labels, trainSet };
}

/** "784-128-10, adam (β₁ 0.9, β₂ 0.999, ε 1e-8), α = 0.001 (cosine to 0), batch 128, …" for people. */
function describeRun(run: ResolvedRun): string {
  const { settings } = run;
  const { optimizer, schedule } = settings;
  const details = [
    optimizer.kind === 'momentum' ? `μ ${optimizer.momentum}` : '',
    optimizer.kind === 'adam'
      ? `β₁ ${optimizer.beta1}, β₂ ${optimizer.beta2}, ε ${optimizer.epsilon}`
      : '',
    optimizer.weightDecay > 0 ? `weight decay ${optimizer.weightDecay}` : '',
  ].filter((part) => part !== '');
  const rate = [
    schedule.kind === 'cosine' ? `cosine to ${schedule.lrMin}` : '',
    schedule.kind === 'step' ? `×${schedule.gamma} every ${schedule.stepEvery} epochs` : '',
    schedule.warmup > 0 ? `warm-up ${schedule.warmup} steps` : '',
  ].filter((part) => part !== '');
  const parts = [
    `network ${settings.layers.join('-')}`,
    ...(optimizer.kind === 'gd' && details.length === 0
      ? []
      : [`${optimizer.kind}${details.length > 0 ? ` (${details.join(', ')})` : ''}`]),
    `α = ${settings.alpha}${rate.length > 0 ? ` (${rate.join(', ')})` : ''}`,
    ...(run.stepsPerEpoch > 1
      ? [`batch ${settings.batchSize}, ${describeLength(run)}`]
      : [`${run.iterations} iterations`]),
    ...(settings.dropout > 0 ? [`dropout ${settings.dropout}`] : []),
    ...(settings.maxShift > 0 ? [`shifts up to ${settings.maxShift} px`] : []),
    ...(settings.precision === 'f32' ? ['computed in f32'] : []),
    ...(settings.validation > 0 ? [`validation ${settings.validation}`] : []),
    ...(settings.earlyStop !== undefined ? [`early stop after ${settings.earlyStop}`] : []),
  ];
  return parts.join(', ');
}

/** "20 epochs (8600 steps)" or "1000 steps (2.3 epochs)". */
function describeLength(run: ResolvedRun): string {
  if ('epochs' in run.settings.length) {
    return `${run.settings.length.epochs} epochs (${run.iterations} steps)`;
  }
  return `${run.iterations} steps (${(run.iterations / run.stepsPerEpoch).toFixed(1)} epochs)`;
}

/** The library's options for a resolved run. */
function trainOptionsOf(run: ResolvedRun, checkpointEvery: number | undefined): TrainOptions {
  const { settings } = run;
  return {
    layerSizes: settings.layers,
    alpha: settings.alpha,
    iterations: run.iterations,
    seed: settings.seed,
    init: settings.init,
    evalEvery: run.evalEvery,
    batchSize: settings.batchSize,
    optimizer: settings.optimizer,
    schedule: settings.schedule,
    dropout: settings.dropout,
    validation: settings.validation,
    earlyStop: settings.earlyStop,
    maxShift: settings.maxShift,
    precision: settings.precision,
    checkpointEvery,
    checkpointSeconds: checkpointEvery === undefined ? DEFAULT_CHECKPOINT_SECONDS : undefined,
    resume: settings.resume?.state,
  };
}

async function runTrain(options: TrainCommandOptions, command: Command): Promise<void> {
  const settings = settingsFor(options, command);
  checkParameterCount(settings.layers, parameterCopies(settings));
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

/** Parameter-sized arrays the run's model files hold (the optimizer's state, the best so far). */
function parameterCopies(settings: TrainSettings): number {
  return savedParameterCopies({
    optimizer: settings.optimizer.kind,
    validation: settings.validation > 0,
  });
}

/** The memory this process may use: the machine's, or its container's limit when lower. */
function machineMemory(): number {
  const constrained = process.constrainedMemory?.();
  return constrained !== undefined && constrained > 0
    ? Math.min(totalmem(), constrained)
    : totalmem();
}

/** Refuses, before training, a run whose model file or memory would not fit (see the checks). */
function checkRunFits(run: ResolvedRun, testCount: number, threads: number): void {
  const { settings } = run;
  const copies = parameterCopies(settings);
  checkHistorySize(settings.layers, run, copies);
  // The test set's engine keeps the paired input where the first layer pairs, and the training
  // set's in the paper's full batch (EngineUse).
  const paper = new BatchPlan(run.trainSet.count, trainOptionsOf(run, undefined)).paper;
  const wholeSets = testCount + (paper ? run.trainSet.count : 0);
  checkTrainingMemory({
    layerSizes: settings.layers,
    samples: run.trainSet.count + testCount,
    threads,
    // The optimizer's state and the best so far (the latest parameters are counted already).
    extraParameterCopies: copies - 1,
    pairedSamples: pairsFirstLayer(settings.layers, settings.precision) ? wholeSets : 0,
    availableBytes: machineMemory(),
  });
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
  const trainSet = limitTrainingSet(data.train, settings.limit);
  const testSet = data.test;
  if (settings.resume) {
    checkResumeFitsData(settings.resume, trainSet, settings.source);
    if (options.labels === undefined) checkResumeLabels(settings.resume, settings.source);
  } else checkLayersFitData(settings.layers, trainSet);
  const run = resolveRun(settings, trainSet, labelsFor(options, settings));
  checkRunFits(run, testSet.count, options.threads);
  if (stop.watch.requested) {
    process.stderr.write('interrupted before training started; nothing was saved\n');
    process.exitCode = stop.watch.exitCode;
    return;
  }
  noteReplacement(output, settings);
  const log = (line: string): void => {
    if (!options.json) process.stdout.write(`${line}\n`);
  };
  log(describeData(settings.source, trainSet.count, testSet.count));
  log(
    settings.resume
      ? `resuming ${settings.resume.path} at iteration ${settings.resume.state.iteration}: ${describeRun(run)}, ${options.threads} thread(s)`
      : `${describeRun(run)}, seed ${settings.seed}, ${options.threads} thread(s)`,
  );

  const save = (result: TrainResult): void => output.save(modelOf(result, run));
  const result = await trainWithProgress(
    { train: trainSet, test: testSet },
    trainOptionsOf(run, options.checkpointEvery),
    { threads: options.threads, stop, stepsPerEpoch: run.stepsPerEpoch, save },
  );
  save(result);
  warnIfNoBetterThanChance(result, settings.layers[settings.layers.length - 1]);
  if (result.stopped) {
    reportInterrupted(result, run, stop.watch.exitCode);
    if (options.json) printSummary(settings.out, result);
    return;
  }
  if (options.json) {
    printSummary(settings.out, result);
    return;
  }
  printHistoryCharts(result, run.stepsPerEpoch);
  for (const line of summaryLines(result, run)) log(line);
  log(`model saved to ${settings.out} (evaluate it with: ${typed(`eval ${settings.out}`)})`);
}

/** Warns on stderr when a run ends with a model that guesses no better than chance. */
function warnIfNoBetterThanChance(result: TrainResult, classes: number): void {
  const accuracy = result.summary?.trainAccuracy;
  if (accuracy === undefined || !noBetterThanChance(accuracy, classes)) return;
  process.stderr.write(
    `warning: the model is no better than chance (training accuracy ${percent(accuracy)} with ${classes} classes); train longer, or try another --alpha\n`,
  );
}

/** The end of a run for people: accuracies of the saved weights, and how they were chosen. */
function summaryLines(result: TrainResult, run: ResolvedRun): string[] {
  const point = result.summary;
  if (point === undefined) return [];
  const lines: string[] = [];
  if (result.stoppedEarly) {
    lines.push(
      `stopped early at step ${result.iteration}: ${run.settings.earlyStop} history points without a better validation accuracy`,
    );
  }
  if (point.validationAccuracy !== undefined) {
    lines.push(
      `kept the parameters of step ${point.iteration}, the best on the validation set (${percent(point.validationAccuracy)}); the test set only reports`,
    );
  }
  lines.push(
    `${chalk.bold('done')}: train accuracy ${percent(point.trainAccuracy)}, test accuracy ${chalk.bold(percent(point.testAccuracy))}, loss ${point.loss.toFixed(4)}, ${result.seconds.toFixed(1)} s`,
  );
  return lines;
}

/** The --json summary of a run; validation, early stopping and interruption add their keys. */
function printSummary(out: string, result: TrainResult): void {
  const point = result.summary;
  printJson({
    model: out,
    iterations: result.iteration,
    loss: point?.loss,
    trainAccuracy: point?.trainAccuracy,
    testAccuracy: point?.testAccuracy,
    seconds: result.seconds,
    // Only runs that use them add keys: scripts reading the documented six keys see no change.
    ...(point?.validationAccuracy !== undefined && {
      validationAccuracy: point.validationAccuracy,
      selectedIteration: point.iteration,
    }),
    ...(result.stoppedEarly && { stoppedEarly: true }),
    ...(result.stopped && { complete: false }),
  });
}

/** Says where an interrupted run stopped and how to continue it; exits 128 + the signal's number. */
function reportInterrupted(result: TrainResult, run: ResolvedRun, exitCode: number): void {
  const out = run.settings.out;
  process.stderr.write(
    `interrupted at iteration ${result.iteration} of ${run.iterations}; checkpoint saved to ${out}\n` +
      `continue with: ${typed(`train --resume ${out}`)}\n`,
  );
  process.exitCode = exitCode;
}
