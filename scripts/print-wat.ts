// Prints the fast engine's generated WebAssembly as text (WAT). Run: npm run wat [-- options].
import { Command } from 'commander';
import { denseModule } from '../src/train/fast/dense-kernels.js';
import { inputModule } from '../src/train/fast/input-kernels.js';
import { MAX_GROUP_WIDTH } from '../src/train/fast/plan.js';
import { moduleText } from '../src/train/fast/wasm-text.js';

const MODULES = ['dense', 'input'] as const;

const program = new Command('wat')
  .description(
    'print the generated kernel modules as WebAssembly text: the dense-layer module and the first-layer module of one neuron-group width',
  )
  .option('--module <name>', `one module only: ${MODULES.join(' or ')}`)
  .option(
    '--width <n>',
    `first-layer group width, 1 to ${MAX_GROUP_WIDTH}`,
    String(MAX_GROUP_WIDTH),
  )
  .addHelpText('after', '\nExamples:\n  npm run wat\n  npm run wat -- --module input --width 3');
program.parse();
const options = program.opts<{ module?: string; width: string }>();
const width = Number(options.width);
if (!Number.isInteger(width) || width < 1 || width > MAX_GROUP_WIDTH) {
  program.error(
    `--width must be a whole number from 1 to ${MAX_GROUP_WIDTH}, got ${options.width}`,
  );
}
if (options.module !== undefined && !(MODULES as readonly string[]).includes(options.module)) {
  program.error(`--module must be ${MODULES.join(' or ')}, got ${options.module}`);
}
if (options.module !== 'input') {
  console.log(';; dense-layer kernels (src/train/fast/dense-kernels.ts)');
  process.stdout.write(moduleText(denseModule()));
}
if (options.module !== 'dense') {
  console.log(
    `;; first-layer kernels for groups of ${width} neurons (src/train/fast/input-kernels.ts)`,
  );
  process.stdout.write(moduleText(inputModule(width)));
}
