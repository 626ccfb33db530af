/**
 * `npm run soak` (issue 9; not in CI, a few minutes): abuses the built CLI as the real world does.
 *  1. Training (on a small data set) killed with SIGKILL at random moments, `--checkpoint-every 1`,
 *     full-batch and mini-batch (Adam) runs in turn, all on one --out: after every kill the model
 *     there must load; after a last complete run nothing but the model may be left beside it.
 *  2. `mnn fetch` against a local misbehaving mirror (endless, oversized, trickling, stalled,
 *     hanging, reset, truncated, wrong or HTML bodies, server errors), some runs stopped by a
 *     random signal: each must end within its --deadline, never leave a file under a final name
 *     that is not the verified file, and leave no temporary file once a later run has passed.
 * Usage: tsx scripts/soak.ts [kills] [fetches] [seed] (default 50, 20, 1). Exit 1 on any loss,
 * stray file or hang.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../src/model/load.js';
import { Random } from '../src/nn/random.js';
import { startCli, type CliProcess } from '../test/helpers/cli-process.js';
import { writeTinyDataset } from '../test/helpers/tiny-data.js';
import {
  makeFixtures,
  startMirrorServer,
  type Behavior,
  type MirrorServer,
} from '../test/helpers/mirror-server.js';

const kills = Number(process.argv[2] ?? 50);
const fetches = Number(process.argv[3] ?? 20);
const random = new Random(Number(process.argv[4] ?? 1));

/** The two kinds of training run, alternated: the paper's full batch and mini-batch Adam. */
const TRAIN_RUNS: readonly (readonly string[])[] = [
  ['--layers', '784,32,10', '--iters', '40'],
  ['--layers', '784,32,10', '--batch-size', '50', '--optimizer', 'adam', '--epochs', '4'],
];

/** Arguments of training run `index` into `out` (even: full batch, odd: mini-batch Adam). */
function trainArgs(index: number, out: string): string[] {
  const kind = TRAIN_RUNS[index % TRAIN_RUNS.length];
  const steps = ['--checkpoint-every', '1', '--threads', '1'];
  return ['train', '--data', 'data', ...kind, ...steps, '--out', out];
}

/** Milliseconds to wait, uniformly in [0, max). */
function randomDelay(max: number): number {
  return random.integer(Math.max(1, Math.floor(max)));
}

/** Resolves after `ms` milliseconds. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits for a run to end, killing it (and counting a hang) when it outlives `limitMs`. */
async function endWithin(run: CliProcess, limitMs: number): Promise<{ hung: boolean }> {
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    run.child.kill('SIGKILL');
  }, limitMs);
  await run.done;
  clearTimeout(timer);
  return { hung };
}

/** Whether the model at `path` loads (a lost model does not). */
function loads(path: string): boolean {
  try {
    loadModel(path);
    return true;
  } catch {
    return false;
  }
}

/** What is beside the model in the workspace, other than the data set. */
function leftovers(workspace: string): string[] {
  return readdirSync(workspace).filter((name) => name !== 'model.json' && name !== 'data');
}

/** Part 1: SIGKILL training at random moments; every kill must leave a loadable model. */
async function soakTraining(): Promise<{ lost: number; stray: number; hangs: number }> {
  const workspace = mkdtempSync(join(tmpdir(), 'mnn-soak-train-'));
  // A small data set in the workspace: each run is then a few seconds, mostly saving.
  writeTinyDataset(join(workspace, 'data'), { train: 500, test: 200 });
  const out = join(workspace, 'model.json');
  let lost = 0;
  let hangs = 0;
  let mostLeftovers = 0;
  try {
    const durations: number[] = [];
    for (const index of [0, 1]) {
      const started = performance.now();
      const first = startCli(trainArgs(index, out), workspace);
      const result = await first.done;
      if (result.code !== 0) throw new Error(`a complete run failed:\n${result.stderr}`);
      durations.push(performance.now() - started);
    }
    console.log(
      `training: complete runs take ${durations.map((ms) => (ms / 1000).toFixed(1)).join(' s and ')} s; killing ${kills} runs at random moments`,
    );
    for (let index = 0; index < kills; index++) {
      const run = startCli(trainArgs(index, out), workspace);
      await sleep(randomDelay(durations[index % 2] * 1.1));
      run.child.kill('SIGKILL');
      if ((await endWithin(run, 60_000)).hung) hangs++;
      if (!loads(out)) {
        lost++;
        console.log(`  run ${index + 1}: ${out} does not load after SIGKILL`);
      }
      mostLeftovers = Math.max(mostLeftovers, leftovers(workspace).length);
    }
    const last = startCli(trainArgs(0, out), workspace);
    if ((await endWithin(last, 10 * durations[0])).hung) hangs++;
    if (!loads(out)) lost++;
    const stray = leftovers(workspace);
    console.log(
      `training: ${kills} runs killed, ${lost} lost models, at most ${mostLeftovers} leftover file(s) right after a kill, ${stray.length} stray file(s) after a last complete run${stray.length > 0 ? ` (${stray.join(', ')})` : ''}, ${hangs} hangs`,
    );
    return { lost, stray: stray.length, hangs };
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

/** How the soak's mirror misbehaves, one name per behaviour. */
const BAD_MIRRORS: readonly Behavior[] = [
  'endless',
  'oversize',
  'trickle',
  'stall',
  'hang',
  'reset',
  'truncate',
  'wrong',
  'html',
  500,
];
const STOPS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGKILL'] as const;
/** The fetch limits the soak gives: each run must end by DEADLINE_S (plus start-up). */
const TIMEOUT_S = 1;
const DEADLINE_S = 6;

/** The files under their final names in `dir` whose contents are not the verified file. */
function corruptFiles(dir: string, sha256: Readonly<Record<string, string>>): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => {
    const expected = sha256[name];
    if (expected === undefined) return false;
    const digest = createHash('sha256')
      .update(readFileSync(join(dir, name)))
      .digest('hex');
    return digest !== expected;
  });
}

/** Temporary files in `dir`. */
function temporaries(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.tmp')) : [];
}

/** Part 2: fetch from misbehaving mirrors, some runs stopped by signals. */
async function soakFetch(): Promise<{ corrupt: number; stray: number; hangs: number }> {
  const workspace = mkdtempSync(join(tmpdir(), 'mnn-soak-fetch-'));
  const fixtures = makeFixtures();
  const checksums = join(workspace, 'checksums.json');
  writeFileSync(checksums, JSON.stringify(fixtures.sha256));
  const env = {
    MNN_FETCH_MIRRORS_ONLY: '1',
    MNN_FETCH_CHECKSUMS: checksums,
    HTTP_PROXY: '',
    HTTPS_PROXY: '',
    http_proxy: '',
    https_proxy: '',
  };
  const scripts = Object.fromEntries([
    ['ok', () => 'ok' as const],
    ...BAD_MIRRORS.map((behavior) => [String(behavior), () => behavior]),
  ]);
  const server: MirrorServer = await startMirrorServer(fixtures, scripts);
  const dir = join(workspace, 'mnist');
  let corrupt = 0;
  let hangs = 0;
  let strayAfterCleanRun = 0;
  try {
    for (let index = 0; index < fetches; index++) {
      const bad = BAD_MIRRORS[index % BAD_MIRRORS.length];
      // Every other run has a good mirror after the bad one, so some files do arrive.
      const mirrors = index % 4 < 2 ? [String(bad)] : [String(bad), 'ok'];
      const args = ['fetch', '--dir', dir, '--force', '--timeout', String(TIMEOUT_S)];
      args.push('--deadline', String(DEADLINE_S));
      for (const mirror of mirrors) args.push('--mirror', server.url(mirror));
      const stop = index % 3 === 2 ? STOPS[Math.floor(index / 3) % STOPS.length] : undefined;
      const run = startCli(args, workspace, env);
      if (stop !== undefined) {
        await sleep(randomDelay(2000));
        run.child.kill(stop);
      }
      if ((await endWithin(run, (DEADLINE_S + 10) * 1000)).hung) {
        hangs++;
        console.log(`  fetch ${index + 1} (${mirrors.join(', ')}) outlived its deadline`);
      }
      const broken = corruptFiles(dir, fixtures.sha256);
      corrupt += broken.length;
      if (stop !== 'SIGKILL') strayAfterCleanRun += temporaries(dir).length;
      console.log(
        `  fetch ${index + 1}: mirrors ${mirrors.join(', ')}${stop ? `, ${stop}` : ''}: exit ${run.child.exitCode ?? run.child.signalCode}, ${broken.length} corrupt, ${temporaries(dir).length} temporary`,
      );
    }
    const last = startCli(['fetch', '--dir', dir, '--mirror', server.url('ok')], workspace, env);
    if ((await endWithin(last, (DEADLINE_S + 10) * 1000)).hung) hangs++;
    const stray = strayAfterCleanRun + temporaries(dir).length;
    corrupt += corruptFiles(dir, fixtures.sha256).length;
    console.log(
      `fetch: ${fetches} runs, ${corrupt} files under a final name not verified, ${stray} stray temporary file(s), ${hangs} hangs`,
    );
    return { corrupt, stray, hangs };
  } finally {
    await server.close();
    rmSync(workspace, { recursive: true, force: true });
  }
}

const training = await soakTraining();
const fetching = await soakFetch();
const failures =
  training.lost +
  training.stray +
  training.hangs +
  fetching.corrupt +
  fetching.stray +
  fetching.hangs;
console.log(
  `soak: ${training.lost} lost models, ${training.stray + fetching.stray} stray temporary files, ${training.hangs + fetching.hangs} hangs, ${fetching.corrupt} corrupt downloads`,
);
process.exitCode = failures === 0 ? 0 : 1;
