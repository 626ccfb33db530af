#!/usr/bin/env node
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { registerFetch } from './fetch.js';
import { reportError } from './output.js';

/** The package version, read from package.json next to dist/. */
function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/** Builds the `mnn` program with every subcommand registered. */
export function buildProgram(): Command {
  const program = new Command('mnn')
    .description(
      'Train and use handwritten-digit classifiers (MNIST), backpropagation written by hand.',
    )
    .version(packageVersion(), '-V, --version')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (text, write) => write(text) });
  program.exitOverride();
  registerFetch(program);
  return program;
}

async function main(): Promise<void> {
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

void main();
