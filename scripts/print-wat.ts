// Prints the fast engine's generated WebAssembly as text (WAT). Run: npm run wat [-- options].
import { Command } from 'commander';
import { costModule } from '../src/train/fast/cost-kernels.js';
import { denseModule } from '../src/train/fast/dense-kernels.js';
import { inputModule, pairedInputModule } from '../src/train/fast/input-kernels.js';
import { tileModule } from '../src/train/fast/tile-kernels.js';
import { layoutModule } from '../src/train/fast/layout-kernels.js';
import { updateModule } from '../src/train/fast/update-kernels.js';
import { maxGroupWidth } from '../src/train/fast/plan.js';
import { relaxedSimdAvailable } from '../src/train/fast/relaxed-simd.js';
import type { Arithmetic } from '../src/train/fast/wasm-module.js';
import { moduleText } from '../src/train/fast/wasm-text.js';

const MODULES = ['dense', 'tile', 'input', 'paired', 'cost', 'layout', 'update'] as const;

const program = new Command('wat')
  .description(
    'print the generated kernel modules as WebAssembly text (the first-layer module for one neuron-group width)',
  )
  .option('--module <name>', `one module only: ${MODULES.join(', ')}`)
  .option('--width <n>', 'first-layer group width, 1 to the largest (default: the largest)')
  .option('--precision <p>', 'f64, or f32 (fused where relaxed SIMD is available)', 'f64')
  .addHelpText(
    'after',
    '\nExamples:\n  npm run wat\n  npm run wat -- --module input --width 3\n  npm run wat -- --module paired --precision f32\n  npm run wat -- --module dense --precision f32',
  );
program.parse();
const options = program.opts<{ module?: string; width?: string; precision: string }>();
if (options.precision !== 'f64' && options.precision !== 'f32') {
  program.error(`--precision must be f64 or f32, got ${options.precision}`);
}
const arithmetic: Arithmetic =
  options.precision === 'f32'
    ? { precision: 'f32', fused: relaxedSimdAvailable() }
    : { precision: 'f64', fused: false };
const maxWidth = maxGroupWidth(arithmetic.precision);
const width = Number(options.width ?? maxWidth);
if (!Number.isInteger(width) || width < 1 || width > maxWidth) {
  program.error(`--width must be a whole number from 1 to ${maxWidth}, got ${options.width}`);
}
if (options.module !== undefined && !(MODULES as readonly string[]).includes(options.module)) {
  program.error(`--module must be one of ${MODULES.join(', ')}, got ${options.module}`);
}
/** Each module: its text header and bytes. */
const modules: Record<(typeof MODULES)[number], () => [string, Uint8Array]> = {
  dense: () => [
    `dense-layer kernels in ${arithmetic.precision} (src/train/fast/dense-kernels.ts)`,
    denseModule(arithmetic),
  ],
  tile: () => [
    `tiled products of the dense layers in ${arithmetic.precision} (src/train/fast/tile-kernels.ts)`,
    tileModule(arithmetic),
  ],
  input: () => [
    `first-layer kernels for groups of ${width} neurons in ${arithmetic.precision} (src/train/fast/input-kernels.ts)`,
    inputModule(width, arithmetic),
  ],
  paired: () => [
    `paired first-layer kernels (groups of 4 vectors, whole-set passes) in ${arithmetic.precision} (src/train/fast/input-kernels.ts)`,
    pairedInputModule(arithmetic),
  ],
  cost: () => [
    `softmax and cost of the output layer in ${arithmetic.precision} (src/train/fast/cost-kernels.ts)`,
    costModule(arithmetic.precision),
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
