import chalk from 'chalk';
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { MnnError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { loadModel } from '../model/load.js';
import { describeError } from './hints.js';
import { action, printJson } from './output.js';
import { packageVersion } from './text.js';

interface ReportCommandOptions {
  output: string;
  data?: string;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  mnn report                             models/model.json → report.html
  mnn report models/big.json -o big.html
  mnn report models/fashion.json --data fashion`;

/** Registers `mnn report`; the report's code is loaded only when the command runs. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'write one self-contained HTML file: model, training curves, confusion matrix, mistakes, weights',
    )
    .argument('[model]', 'model file', 'models/model.json')
    .option('-o, --output <file>', 'the HTML file to write', 'report.html')
    .option(
      '--data <dir>',
      'test images: IDX directory, or packaged | mnist | fashion (default: the data the model was trained on)',
    )
    .option('--json', 'print {report, model, bytes, testResults} as JSON on stdout')
    .addHelpText('after', EXAMPLES)
    .action(action(runReport));
}

/** Refuses to write an output file over the model it is made from. */
export function refuseOverwritingModel(output: string, modelPath: string): void {
  if (resolve(output) === resolve(modelPath)) {
    throw new MnnError(
      `the output ${output} is the model file itself; give another file name with -o.`,
      { kind: 'usage' },
    );
  }
}

async function runReport(modelPath: string, options: ReportCommandOptions): Promise<void> {
  refuseOverwritingModel(options.output, modelPath);
  const model = loadModel(modelPath);
  const [{ renderReport }, { testModelsOn }] = await Promise.all([
    import('../report/report.js'),
    import('./test-set.js'),
  ]);
  let results: Parameters<typeof renderReport>[0]['results'];
  try {
    results = testModelsOn(modelPath, options.data)(model);
  } catch (error) {
    if (!(error instanceof MnnError)) throw error;
    results = { unavailable: `No test results: ${error.message}` };
    process.stderr.write(
      `${chalk.yellow('warning:')} the report has no test results: ${describeError(error)}\n`,
    );
  }
  const html = renderReport({
    model,
    modelName: modelPath,
    results,
    generatedBy: `mnn ${packageVersion()}`,
    generatedAt: new Date().toISOString(),
  });
  writeFileAtomic(options.output, html);
  const bytes = Buffer.byteLength(html);
  if (options.json) {
    printJson({
      report: options.output,
      model: modelPath,
      bytes,
      testResults: !('unavailable' in results),
    });
    return;
  }
  process.stdout.write(
    `report written to ${chalk.bold(options.output)} (${Math.ceil(bytes / 1024)} KB, self-contained: open it in any browser, no network needed)\n`,
  );
}
