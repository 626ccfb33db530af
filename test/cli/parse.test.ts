/**
 * Option parsing, in process: the program `mnn` runs (buildProgram) parses each command line with
 * its actions replaced by a recorder, so nothing is trained, read or written. The error matrix
 * (error-matrix.test.ts) runs the built CLI for what needs a process: exit codes, files, data.
 */
import { CommanderError, type Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';

/** What a command line parsed to: the command and its options, or commander's error. */
type Parsed =
  | {
      readonly command: string;
      readonly args: readonly string[];
      readonly options: Record<string, unknown>;
    }
  | { readonly error: string; readonly code: string };

/** Parses `line` (words separated by spaces) the way `mnn` would, without running anything. */
function parse(line: string): Parsed {
  const program = buildProgram();
  let stderr = '';
  let parsed: Parsed | undefined;
  const record = (command: Command): void => {
    command.configureOutput({
      writeOut: () => undefined,
      writeErr: (text) => void (stderr += text),
    });
    command.action((...args: unknown[]) => {
      const self = args.at(-1) as Command;
      parsed = { command: self.name(), args: self.args, options: self.opts() };
    });
    command.commands.forEach(record);
  };
  program.commands.forEach(record);
  program.configureOutput({ writeOut: () => undefined, writeErr: (text) => void (stderr += text) });
  try {
    program.parse(
      line.split(' ').filter((word) => word !== ''),
      { from: 'user' },
    );
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return { error: stderr.trim(), code: error.code };
  }
  if (parsed === undefined) throw new Error(`no command ran for "${line}"`);
  return parsed;
}

/** The options a command line parsed to; fails if it was refused. */
function optionsOf(line: string): Record<string, unknown> {
  const parsed = parse(line);
  if ('error' in parsed) throw new Error(`"${line}" was refused: ${parsed.error}`);
  return parsed.options;
}

/** The error commander printed for a command line; fails if it was accepted. */
function errorOf(line: string): string {
  const parsed = parse(line);
  if (!('error' in parsed)) throw new Error(`"${line}" was accepted: ${JSON.stringify(parsed)}`);
  return parsed.error;
}

describe('defaults (what --help promises)', () => {
  it('train: the paper (784-10-10, α 0.1, 1000 full-batch iterations of plain gradient descent, seed 1, He init)', () => {
    const options = optionsOf('train');
    expect(options).toMatchObject({
      layers: [784, 10, 10],
      alpha: 0.1,
      iters: 1000,
      seed: 1,
      init: 'he',
      out: 'models/model.json',
      optimizer: 'gd',
      weightDecay: 0,
      schedule: 'constant',
      warmup: 0,
      dropout: 0,
      validation: 0,
    });
    // Unset: the whole training set per step, about 20 history points, a checkpoint a minute, no shifts.
    for (const unset of [
      'batchSize',
      'epochs',
      'lr',
      'evalEvery',
      'checkpointEvery',
      'augment',
      'limit',
      'earlyStop',
    ]) {
      expect(options[unset], unset).toBeUndefined();
    }
  });

  it("train: the optimizers' and schedules' parameters default as in PyTorch", () => {
    expect(optionsOf('train --optimizer adam')).toMatchObject({
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
    });
    expect(optionsOf('train --optimizer momentum')).toMatchObject({ momentum: 0.9 });
    expect(optionsOf('train --schedule cosine')).toMatchObject({ lrMin: 0 });
    expect(optionsOf('train --schedule step --step-every 5')).toMatchObject({
      gamma: 0.1,
      stepEvery: 5,
    });
    expect(optionsOf('train --augment shift:2 --batch-size 64 --epochs 3')).toMatchObject({
      augment: 2,
      batchSize: 64,
      epochs: 3,
    });
  });

  it('eval, predict, fetch and gradcheck', () => {
    expect(parse('eval')).toMatchObject({ args: [], options: { split: 'test' } });
    expect(optionsOf('predict a.png')).toMatchObject({ model: 'models/model.json', top: 3 });
    expect(optionsOf('fetch')).toMatchObject({ dataset: 'mnist', mirror: [], timeout: 30 });
    expect(optionsOf('gradcheck')).toMatchObject({ layers: [784, 16, 16, 10], samples: 16 });
  });
});

describe('values', () => {
  it('parses numbers, lists and choices into their types', () => {
    expect(
      optionsOf('train --layers 784,32,10 --alpha 0.05 --iters 7 --eval-every 3 --init uniform'),
    ).toMatchObject({
      layers: [784, 32, 10],
      alpha: 0.05,
      iters: 7,
      evalEvery: 3,
      init: 'uniform',
    });
    expect(optionsOf('fetch --mirror http://a/ --mirror https://b/').mirror).toEqual([
      'http://a/',
      'https://b/',
    ]);
    expect(parse('predict a.png b.jpg --top 2')).toMatchObject({ args: ['a.png', 'b.jpg'] });
  });
});

/** Command lines commander refuses, and what its one-line error must say. */
const REFUSED: readonly (readonly [line: string, message: string])[] = [
  ['train --layers 784,abc,10', '--layers entry 2 ("abc") must be a whole number'],
  ['train --layers 10', '--layers needs at least two sizes'],
  ['train --layers 784,,10', '--layers entry 2 ("")'],
  ['train --layers 784,0,10', '--layers entry 2 ("0")'],
  ['train --layers 784,100001,10', 'from 1 to 100000'],
  ['train --layers 784,-5,10', '--layers entry 2 ("-5")'],
  ['train --alpha -1', '--alpha must be a number greater than 0'],
  ['train --alpha 0', '--alpha must be a number greater than 0'],
  ['train --alpha abc', '--alpha must be a number'],
  ['train --alpha NaN', '--alpha must be a number'],
  ['train --alpha Infinity', '--alpha must be a number'],
  ['train --iters 0', '--iters must be a whole number from 1 to 10000000'],
  ['train --iters 1.5', '--iters must be a whole number'],
  ['train --iters -3', '--iters must be a whole number'],
  ['train --iters 1e99', '--iters must be a whole number'],
  ['train --iters ten', '--iters must be a whole number'],
  ['train --seed -1', '--seed must be a whole number from 0 to 4294967295'],
  ['train --seed 2.5', '--seed must be a whole number'],
  ['train --eval-every 0', '--eval-every must be a whole number from 1'],
  ['train --threads 0', '--threads must be a whole number from 1 to 256'],
  ['train --checkpoint-every -1', '--checkpoint-every must be a whole number from 0'],
  ['train --checkpoint-every 0.5', '--checkpoint-every must be a whole number'],
  ['train --init xavier', '--init must be one of he, uniform'],
  ['train --labels cats', '--labels must be one of mnist, fashion'],
  ['train --limit 0', '--limit must be a whole number from 1'],
  ['train --batch-size 1.5', '--batch-size must be a whole number'],
  ['train --epochs 0', '--epochs must be a whole number from 1'],
  ['train --lr 0', '--lr must be a number greater than 0'],
  ['train --optimizer sgd', '--optimizer must be one of gd, momentum, adam'],
  ['train --optimizer momentum --momentum 1', '--momentum must be a number from 0 to below 1'],
  ['train --optimizer adam --beta1 1', '--beta1 must be a number from 0 to below 1'],
  ['train --optimizer adam --beta2 -0.5', '--beta2 must be a number from 0 to below 1'],
  ['train --optimizer adam --epsilon 0', '--epsilon must be a number greater than 0'],
  ['train --weight-decay -1', '--weight-decay must be a number from 0 to at most 1'],
  ['train --schedule linear', '--schedule must be one of constant, cosine, step'],
  ['train --schedule step --step-every 0', '--step-every must be a whole number from 1'],
  ['train --schedule step --step-every 2 --gamma 0', '--gamma must be a number greater than 0'],
  ['train --warmup -1', '--warmup must be a whole number from 0'],
  ['train --dropout -0.1', '--dropout must be a number from 0 to below 1'],
  [
    'train --augment flip',
    '--augment must be shift:K with K a whole number of pixels from 1 to 27',
  ],
  ['train --augment shift:0', '--augment must be shift:K'],
  ['train --augment shift:28', '--augment must be shift:K'],
  ['train --validation -1', '--validation must be a whole number from 0'],
  ['train --early-stop 0', '--early-stop must be a whole number from 1'],
  ['train --iter 5', "unknown option '--iter'\n(Did you mean --iters?)"],
  ['train extra-argument', 'too many arguments'],
  ['eval m.json --split validation', '--split must be one of test, train'],
  ['eval m.json --json --colour', "unknown option '--colour'"],
  ['predict', "missing required argument 'images'"],
  ['predict d.png --top 0', '--top must be a whole number from 1'],
  ['predict d.png --top x', '--top must be a whole number'],
  ['fetch --dataset cifar', '--dataset must be one of mnist, fashion'],
  ['fetch --timeout 0', '--timeout must be a number greater than 0 and at most 3600'],
  ['fetch --timeout abc', '--timeout must be a number'],
  ['fetch --timeout Infinity', '--timeout must be a number'],
  ['fetch --timeout -5', '--timeout must be a number'],
  ['fetch --timeout 5000', 'at most 3600'],
  ['fetch --mirror ftp://example.com/', '--mirror must be an http:// or https:// URL'],
  ['fetch --mirror not-a-url', '--mirror must be an http:// or https:// URL'],
  ['gradcheck --layers 10', '--layers needs at least two sizes'],
  ['gradcheck --layers 4,abc,3', '--layers entry 2 ("abc")'],
  ['gradcheck --samples 0', '--samples must be a whole number from 1 to 1000'],
  ['gradcheck --samples 1001', '--samples must be a whole number'],
  ['gradcheck --seed -1', '--seed must be a whole number'],
  ['gradcheck --sample 4', "unknown option '--sample'\n(Did you mean --samples?)"],
  ['trian', "unknown command 'trian'\n(Did you mean train?)"],
  ['--frobnicate', "unknown option '--frobnicate'"],
];

describe('refused command lines: one error naming the flag and what it accepts', () => {
  it.each(REFUSED)('mnn %s', (line, message) => {
    const error = errorOf(line);
    expect(error).toContain(message);
    expect(error).toMatch(/^error: /);
    expect(error).not.toMatch(/^\s+at /m);
  });
});
