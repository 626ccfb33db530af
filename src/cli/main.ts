#!/usr/bin/env node
import { Command } from 'commander';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { registerFetch } from './fetch.js';
import { registerGradcheck } from './gradcheck.js';
import { applyColorChoice } from './color.js';
import { reportError } from './output.js';
import { guardStandardStreams } from './streams.js';
import { packageVersion } from './text.js';
import { registerEval } from './eval.js';
import { registerExport } from './export.js';
import { registerPlot } from './plot.js';
import { registerPredict } from './predict.js';
import { registerReport } from './report.js';
import { registerServe } from './serve.js';
import { registerTrain } from './train.js';

/** Builds the `mnn` program with every subcommand registered. */
export function buildProgram(): Command {
  const program = new Command('mnn')
    .description(
      'Train and use handwritten-digit classifiers (MNIST), backpropagation written by hand.',
    )
    .version(packageVersion(), '-V, --version')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (text, write) => write(text) })
    .option('--no-color', 'no colour, even on a terminal (as NO_COLOR=1 does)')
    .option('--color', 'colour even when the output is not a terminal (as FORCE_COLOR=1 does)')
    .hook('preAction', () => {
      const given = program.getOptionValueSource('color') === 'cli';
      applyColorChoice(given ? program.opts<{ color: boolean }>().color : undefined, process.env);
    });
  program.exitOverride();
  registerFetch(program);
  registerTrain(program);
  registerEval(program);
  registerPredict(program);
  registerGradcheck(program);
  registerServe(program);
  registerReport(program);
  registerPlot(program);
  registerExport(program);
  return program;
}

async function main(): Promise<void> {
  guardStandardStreams();
  const program = buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const exitCode = (error as { exitCode?: number }).exitCode;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      // Commander already printed the message (help, version, or a usage error).
      process.exitCode = exitCode === 0 ? 0 : 2;
      return;
    }
    reportError(error);
  }
}

/** True when node runs this file (directly or through the `mnn` link), false when it is imported. */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  return script !== undefined && realpathSync(script) === fileURLToPath(import.meta.url);
}

// Imported (by tests, for buildProgram) it does nothing; run, it is the `mnn` command.
if (isEntryPoint()) void main();
