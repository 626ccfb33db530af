import chalk from 'chalk';
import { existsSync } from 'node:fs';
import type { Dataset } from '../data/dataset.js';
import { createEngine } from '../train/create-engine.js';
import type { HistoryPoint } from '../train/history.js';
import {
  train,
  type IterationProgress,
  type TrainOptions,
  type TrainResult,
} from '../train/train.js';
import { lineChart, seriesChart } from './chart.js';
import { discardPendingWrites } from '../io/atomic-write.js';
import { watchInterrupts, type InterruptWatch } from './interrupt.js';
import { startProgressBar, type ProgressBar } from './progress.js';
import { percent } from './text.js';

/** How trainWithProgress runs the engine and saves checkpoints. */
export interface RunOptions {
  readonly threads: number;
  readonly stop: TrainingStop;
  readonly stepsPerEpoch: number;
  readonly save: (result: TrainResult) => void;
}

/** The stop signals of a training run, watched from its start (data loading included). */
export interface TrainingStop {
  readonly watch: InterruptWatch;
  /** Runs on the first signal before its message is printed (to clear a progress bar). */
  beforeMessage: () => void;
}

/**
 * Ctrl-C, kill (SIGTERM) or a closed terminal (SIGHUP): the first ends training after the
 * current step and saves; a second quits at once, leaving the last complete save of `out`.
 */
export function watchTrainingStops(out: string): TrainingStop {
  const stop: TrainingStop = {
    beforeMessage: () => undefined,
    watch: watchInterrupts({
      onFirst: () => {
        stop.beforeMessage();
        process.stderr.write(
          '\nstopping after this step to save a checkpoint (press Ctrl-C again to quit without saving)\n',
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

/** "epoch 3/20" for a step's epoch (counted from 1 for people). */
function epochLabel(progress: IterationProgress): string {
  const epochs = Math.ceil(progress.total / progress.stepsPerEpoch);
  return `epoch ${progress.epoch + 1}/${epochs}`;
}

/** ", validation accuracy 97.90%" when the latest history point has one. */
function validationText(latest: HistoryPoint | undefined): string {
  const accuracy = latest?.validationAccuracy;
  return accuracy === undefined ? '' : ` | validation accuracy ${percent(accuracy)}`;
}

/** The progress bar of a run: iterations for a full batch, epochs and steps for mini-batches. */
function startTrainingBar(options: TrainOptions, stepsPerEpoch: number): ProgressBar {
  const start = options.resume?.iteration ?? 0;
  const epochs = Math.ceil(options.iterations / stepsPerEpoch);
  const epoch = `epoch ${Math.min(Math.floor(start / stepsPerEpoch) + 1, epochs)}/${epochs}`;
  const payload = { epoch, loss: '-', accuracy: '-', validation: '', speed: '-' };
  const widest = {
    epoch: `epoch ${epochs}/${epochs}`,
    loss: '00.0000',
    accuracy: '100.00%',
    validation: options.validation ? ' | validation accuracy 100.00%' : '',
    speed: '9999.9',
  };
  const metrics = 'training loss {loss} | training accuracy {accuracy}{validation}';
  const compactMetrics = 'loss {loss} acc {accuracy}';
  const [head, unit] =
    stepsPerEpoch === 1
      ? ['training {bar} {value}/{total}', 'it/s']
      : ['{epoch} {bar} step {value}/{total}', 'steps/s'];
  return startProgressBar({
    total: options.iterations,
    start,
    format: `${head} ({percentage}%) | ${metrics} | {speed} ${unit} | ETA {eta_formatted}`,
    compactFormat: `${head} ${compactMetrics} {speed} ${unit} ETA {eta_formatted}`,
    payload,
    widest,
  });
}

/**
 * One plain line at the end of each epoch of a mini-batch run, for logs and pipes (the bar only
 * draws on a terminal): training loss and accuracy as trained, validation and test accuracy.
 */
function epochLine(progress: IterationProgress, seconds: number): string {
  const latest = progress.latest;
  const parts = [
    `${epochLabel(progress)}`,
    `training loss ${progress.loss.toFixed(4)}`,
    `training accuracy ${percent(progress.accuracy)}`,
    ...(latest?.validationAccuracy === undefined
      ? []
      : [`validation accuracy ${percent(latest.validationAccuracy)}`]),
    ...(latest === undefined ? [] : [`test accuracy ${percent(latest.testAccuracy)}`]),
  ];
  return `${parts.join(', ')} (${seconds.toFixed(1)} s)\n`;
}

/**
 * Runs training with progress on stderr — a bar on a terminal, else a plain line every few
 * seconds and one per epoch of mini-batches — saving checkpoints; `run.stop` ends it early.
 */
export async function trainWithProgress(
  data: { train: Dataset; test: Dataset },
  options: TrainOptions,
  run: RunOptions,
): Promise<TrainResult> {
  const bar = startTrainingBar(options, run.stepsPerEpoch);
  const plainLines = !process.stderr.isTTY && run.stepsPerEpoch > 1;
  run.stop.beforeMessage = () => bar.stop();
  const interrupts = run.stop.watch;
  const started = performance.now();
  const firstIteration = options.resume?.iteration ?? 0;
  const onIteration = (progress: IterationProgress): void => {
    if (interrupts.requested) return;
    const seconds = (performance.now() - started) / 1000;
    bar.update(progress.iteration, {
      epoch: epochLabel(progress),
      loss: progress.loss.toFixed(4),
      accuracy: percent(progress.accuracy),
      validation: validationText(progress.latest),
      speed: ((progress.iteration - firstIteration) / Math.max(seconds, 1e-9)).toFixed(1),
    });
    const epochEnds =
      progress.iteration % run.stepsPerEpoch === 0 || progress.iteration === progress.total;
    if (plainLines && epochEnds) process.stderr.write(epochLine(progress, seconds));
  };
  try {
    return await train(
      data,
      options,
      (dataset, layerSizes, precision, use) =>
        createEngine(dataset, layerSizes, { threads: run.threads, precision, ...use }),
      { onIteration, shouldStop: () => interrupts.requested, onCheckpoint: run.save },
    );
  } finally {
    bar.stop();
  }
}

/** Draws the history: training loss, and test accuracy (with validation accuracy, when measured). */
export function printHistoryCharts(result: TrainResult, stepsPerEpoch: number): void {
  const history = result.history;
  if (history.length < 2) return;
  const unit = stepsPerEpoch === 1 ? 'iteration' : 'step';
  const last = history[history.length - 1].iteration;
  const loss = lineChart(
    history.map((point) => point.loss),
    [`${history[0].iteration}`, `${unit} ${last}`],
    { title: chalk.bold('loss (training set)'), format: (value) => value.toFixed(3) },
  );
  const test = history.map((point) => [point.iteration, point.testAccuracy] as const);
  const validation = history.flatMap((point) =>
    point.validationAccuracy === undefined
      ? []
      : [[point.iteration, point.validationAccuracy] as const],
  );
  const accuracy =
    validation.length === 0
      ? lineChart(
          test.map(([, value]) => value),
          [`${history[0].iteration}`, `${unit} ${last}`],
          { title: chalk.bold('accuracy (test set)'), format: percent },
        )
      : seriesChart(
          [
            { name: 'validation', points: validation },
            { name: 'test', points: test },
          ],
          unit,
          { title: chalk.bold('accuracy'), format: percent, width: 48 },
        );
  process.stdout.write(`\n${loss.join('\n')}\n\n${accuracy.join('\n')}\n\n`);
}
