import chalk from 'chalk';
import type { Command } from 'commander';
import { sliceDataset } from '../data/dataset.js';
import { loadPackagedMnist } from '../data/packaged.js';
import { Matrix } from '../matrix/matrix.js';
import { gradientCheck, type ArrayCheck } from '../nn/gradcheck.js';
import { initParameters } from '../nn/init.js';
import { inputMatrix } from '../train/inputs.js';
import { Random } from '../nn/random.js';
import { action, printJson } from './output.js';
import { integerOption, parseLayers } from './options.js';

interface GradcheckCommandOptions {
  layers: number[];
  samples: number;
  seed: number;
  json?: boolean;
}

/** Registers `mnn gradcheck`. */
export function registerGradcheck(program: Command): void {
  program
    .command('gradcheck')
    .description(
      'prove backpropagation right: compare analytic gradients with central finite differences',
    )
    .option(
      '--layers <sizes>',
      'layer sizes of the network to check',
      parseLayers,
      [784, 16, 16, 10],
    )
    .option('--samples <n>', 'samples in the batch', integerOption('--samples', 1, 1000), 16)
    .option(
      '--seed <n>',
      'seed of the weights (and of the inputs when not 784 pixels)',
      integerOption('--seed', 0, 2 ** 32 - 1),
      1,
    )
    .option('--json', 'print the per-layer errors as JSON on stdout')
    .action(action(runGradcheck));
}

/**
 * The batch to check on: the first MNIST training digits when the input layer has 784 neurons, else seeded
 * random inputs in [0, 1]. Labels are wrapped into the output layer's range.
 */
function checkBatch(
  layers: readonly number[],
  samples: number,
  seed: number,
): { inputs: Matrix; labels: Uint8Array; source: string } {
  const classes = layers[layers.length - 1];
  if (layers[0] === 784) {
    const { train } = loadPackagedMnist({ splits: 'train' });
    const batch = sliceDataset(train, 0, Math.min(samples, train.count));
    const labels = batch.labels.map((label) => label % classes);
    return {
      inputs: inputMatrix(batch),
      labels,
      source: `${batch.count} MNIST training digits`,
    };
  }
  const random = new Random(seed + 1);
  const inputs = Matrix.zeros(layers[0], samples);
  for (let i = 0; i < inputs.data.length; i++) inputs.data[i] = random.next();
  const labels = Uint8Array.from({ length: samples }, () => random.integer(classes));
  return { inputs, labels, source: `${samples} random inputs` };
}

/** "2.1e-9 (200 checked, 3 at ReLU kinks)" for a table cell. */
function describeCheck(check: ArrayCheck): string {
  const skipped = check.skipped > 0 ? `, ${check.skipped} at ReLU kinks skipped` : '';
  return `${check.maxRelativeError.toExponential(2)} (${check.checked} checked${skipped})`;
}

async function runGradcheck(options: GradcheckCommandOptions): Promise<void> {
  const { inputs, labels, source } = checkBatch(options.layers, options.samples, options.seed);
  const parameters = initParameters(options.layers, { init: 'he', seed: options.seed });
  const result = gradientCheck({ parameters, inputs, labels, seed: options.seed });
  process.exitCode = result.passed ? 0 : 1;
  if (options.json) {
    printJson({
      layers: options.layers,
      passed: result.passed,
      tolerance: result.tolerance,
      h: result.h,
      checks: result.layers,
    });
    return;
  }
  const out = (line = ''): void => void process.stdout.write(`${line}\n`);
  out(
    `gradient check of ${options.layers.join('-')} on ${source}, central differences with h = ${result.h.toExponential(0)}`,
  );
  out(`maximum relative error |analytic − numeric| / max(|analytic|, |numeric|, floor) per layer:`);
  out();
  out(`layer  ${'∂C/∂W'.padEnd(44)}∂C/∂b`);
  for (const layer of result.layers) {
    out(
      `${String(layer.layer).padStart(5)}  ${describeCheck(layer.W).padEnd(44)}${describeCheck(layer.b)}`,
    );
  }
  out();
  out(
    result.passed
      ? chalk.green(`passed: every error is below ${result.tolerance.toExponential(0)}`)
      : chalk.red(
          `FAILED: some error is at or above ${result.tolerance.toExponential(0)}; backpropagation disagrees with the finite differences`,
        ),
  );
}
