import type { Command } from 'commander';
import { basename, dirname, join, resolve } from 'node:path';
import { MnnError } from '../errors.js';
import type { ModelExport } from '../export/export.js';
import { EXPORT_FORMATS, type ExportFormat } from '../export/formats.js';
import { loadModel } from '../model/load.js';
import type { Model } from '../model/model.js';
import { action } from './output.js';
import { choiceOption } from './options.js';
import { packageVersion } from './text.js';

interface ExportCommandOptions {
  format: ExportFormat;
  out?: string;
  force?: boolean;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ mnn export                                     # models/model.json → models/model.onnx
  $ mnn export --format tfjs -o web/model.json     # → web/model.json + web/model.weights.bin
  $ mnn export fashion.json -o fashion.onnx --json

Both formats take float32 input [N, 784]: N images, each pixel divided by 255 (0 = background,
1 = ink, light on dark as in MNIST), and return class probabilities [N, 10]. The class names are
in the file (ONNX metadata_props "labels", TF.js userDefinedMetadata.labels).`;

/** Registers `mnn export`; the exporters (and protobufjs) are loaded only when it runs. */
export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write a model in a format other runtimes load: ONNX or TensorFlow.js layers')
    .argument('[model]', 'model file', 'models/model.json')
    .option(
      '--format <format>',
      `${EXPORT_FORMATS.join(' or ')}`,
      choiceOption('--format', EXPORT_FORMATS),
      'onnx',
    )
    .option(
      '-o, --out <path>',
      'the .onnx file, or the TF.js model.json (weights go beside it as NAME.weights.bin) ' +
        '(default: MODEL with .onnx, or MODEL-tfjs/model.json)',
    )
    .option('--force', 'replace existing files even if mnn export did not write them')
    .option('--json', 'print {format, model, layers, files: [{path, bytes}]} as one JSON line')
    .addHelpText('after', EXAMPLES)
    .action(action(runExport));
}

/** models/model.json → models/model.onnx, or models/model-tfjs/model.json for TF.js. */
function defaultOutputPath(modelPath: string, format: ExportFormat): string {
  const stem = basename(modelPath).replace(/\.json$/, '');
  return format === 'onnx'
    ? join(dirname(modelPath), `${stem}.onnx`)
    : join(dirname(modelPath), `${stem}-tfjs`, 'model.json');
}

/** Refuses to replace the model itself, or files an earlier export did not write (unless --force). */
function checkOverwrite(
  modelExport: ModelExport,
  foreign: readonly string[],
  modelPath: string,
  force: boolean,
): void {
  for (const path of modelExport.files.keys()) {
    if (resolve(path) === resolve(modelPath)) {
      throw new MnnError(`${path} is the model being exported`, {
        kind: 'usage',
        hint: 'give another path with -o',
      });
    }
  }
  if (foreign.length > 0 && !force) {
    const [verb, wrote] = foreign.length === 1 ? ['exists', 'was'] : ['exist', 'were'];
    throw new MnnError(
      `${foreign.join(' and ')} already ${verb} and ${wrote} not written by mnn export`,
      { hint: 'give another path with -o, or add --force to replace it' },
    );
  }
}

/** What was written, for people: one line per file, then the input the exported network expects. */
function printSummary(modelPath: string, model: Model, modelExport: ModelExport): void {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const sizes = model.parameters.layerSizes;
  const name = modelExport.format === 'onnx' ? 'ONNX' : 'TensorFlow.js layers model';
  out(`exported ${modelPath} (${sizes.join('-')}) as ${name}:`);
  const width = Math.max(...[...modelExport.files.keys()].map((path) => path.length));
  for (const [path, bytes] of modelExport.files) {
    out(`  ${path.padEnd(width)}  ${(bytes.length / 1000).toFixed(1)} kB`);
  }
  out(
    `input: float32 [N, ${sizes[0]}], pixels divided by ${model.input.scale}; output: probabilities [N, ${sizes[sizes.length - 1]}]`,
  );
}

async function runExport(modelPath: string, options: ExportCommandOptions): Promise<void> {
  const model = loadModel(modelPath);
  const outputPath = options.out ?? defaultOutputPath(modelPath, options.format);
  const { exportModel, foreignFiles, writeExport } = await import('../export/export.js');
  const modelExport = exportModel(model, options.format, outputPath, {
    version: packageVersion(),
  });
  checkOverwrite(modelExport, foreignFiles(modelExport), modelPath, options.force ?? false);
  writeExport(modelExport);
  if (options.json) {
    // One compact line (not printJson's indented form): scripts read it line by line.
    const files = [...modelExport.files].map(([path, bytes]) => ({ path, bytes: bytes.length }));
    process.stdout.write(
      `${JSON.stringify({ format: options.format, model: modelPath, layers: model.parameters.layerSizes, files })}\n`,
    );
    return;
  }
  printSummary(modelPath, model, modelExport);
}
