// Prints the fast engine's generated WebAssembly as text (WAT). Run: npm run wat [-- options].
import { Command } from 'commander';
import { denseModule } from '../src/train/fast/dense-kernels.js';
import { inputModule } from '../src/train/fast/input-kernels.js';
import { layoutModule } from '../src/train/fast/layout-kernels.js';
import { updateModule } from '../src/train/fast/update-kernels.js';
import { MAX_GROUP_WIDTH } from '../src/train/fast/plan.js';
import { moduleText } from '../src/train/fast/wasm-text.js';

const MODULES = ['dense', 'input', 'layout', 'update'] as const;

const program = new Command('wat')
  .description(
    'print the generated kernel modules as WebAssembly text (the first-layer module for one neuron-group width)',
  )
  .option('--module <name>', `one module only: ${MODULES.join(', ')}`)
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
  program.error(`--module must be one of ${MODULES.join(', ')}, got ${options.module}`);
}
/** Each module: its text header and bytes. */
const modules: Record<(typeof MODULES)[number], () => [string, Uint8Array]> = {
  dense: () => ['dense-layer kernels (src/train/fast/dense-kernels.ts)', denseModule()],
  input: () => [
    `first-layer kernels for groups of ${width} neurons (src/train/fast/input-kernels.ts)`,
    inputModule(width),
  ],
  layout: () => ['chunk sums and transposes (src/train/fast/layout-kernels.ts)', layoutModule()],
  update: () => ['optimizer updates (src/train/fast/update-kernels.ts)', updateModule()],
};
for (const name of MODULES) {
  if (options.module !== undefined && options.module !== name) continue;
  const [title, bytes] = modules[name]();
  console.log(`;; ${title}`);
  process.stdout.write(moduleText(bytes));
}
