import type { MnnError } from '../errors.js';
import { typed } from './text.js';

/**
 * How the command line says each library option an MnnError may name (`option`). Library hints
 * are plain words; the CLI adds the flag or command that does what they say.
 */
export const OPTION_FLAGS: Readonly<Record<string, string>> = {
  alpha: '--alpha',
  layerSizes: '--layers',
  iterations: '--iters',
  seed: '--seed',
  init: '--init',
  evalEvery: '--eval-every',
  checkpointEvery: '--checkpoint-every',
  threads: '--threads',
  data: '--data',
  out: '--out',
  resume: '--resume',
  limit: '--limit',
  batchSize: '--batch-size',
  epochs: '--epochs',
  momentum: '--momentum',
  beta1: '--beta1',
  beta2: '--beta2',
  epsilon: '--epsilon',
  weightDecay: '--weight-decay',
  lrMin: '--lr-min',
  stepEvery: '--step-every',
  gamma: '--gamma',
  warmup: '--warmup',
  dropout: '--dropout',
  validation: '--validation',
  precision: '--precision',
  earlyStop: '--early-stop',
  augment: '--augment shift:K',
  mirrors: '--mirror URL',
  timeoutMs: '--timeout',
  deadlineMs: '--deadline',
  directory: 'mnn fetch --dir DIR',
  force: 'mnn fetch --force',
  overwrite: '--force',
  port: '--port',
  host: '--host',
};

/** An error's hint as the CLI prints it: the plain words, then the flag of its option. */
export function cliHint(error: MnnError): string | undefined {
  if (error.hint === undefined) return undefined;
  const flag = error.option === undefined ? undefined : OPTION_FLAGS[error.option];
  if (flag === undefined) return error.hint;
  // A command is written the way the user runs mnn (npx mnn … through npx).
  return `${error.hint} (${flag.startsWith('mnn ') ? typed(flag.slice(4)) : flag})`;
}

/** The one line that tells a user what went wrong and what to do: "message; hint (--flag)". */
export function describeError(error: MnnError): string {
  const hint = cliHint(error);
  return hint === undefined ? error.message : `${error.message}; ${hint}`;
}
