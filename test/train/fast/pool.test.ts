import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTROL_WORDS, ThreadPool } from '../../../src/train/fast/pool.js';

const pools: ThreadPool[] = [];

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

/** A pool of the calling thread and `workers` test workers (helpers/pool-worker.ts) over shared arrays. */
async function testPool(workers: number, failAt = -1, exitAt = -1) {
  const control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_WORDS));
  const results = new Int32Array(new SharedArrayBuffer(4 * 64));
  const source = new URL('../../helpers/pool-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); });`;
  const pool = await ThreadPool.start(control, workers, () => {
    return new Worker(bootstrap, { eval: true, workerData: { control, results, failAt, exitAt } });
  });
  pools.push(pool);
  return { pool, results };
}

/**
 * Blocks the calling thread until the worker has done `item` (its result is set), then 50 ms
 * more so that the worker claims the next one; bounded, so a loaded machine only slows it.
 */
function waitUntilDone(results: Int32Array, item: number): void {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; Atomics.load(results, item) === 0 && waited < 10_000; waited += 5) {
    Atomics.wait(sleeper, 0, 0, 5);
  }
  Atomics.wait(sleeper, 0, 0, 50);
}

describe('ThreadPool', () => {
  it('runs every item of every phase exactly once, whichever thread claims it', async () => {
    const { pool, results } = await testPool(2);
    const own = (item: number) => Atomics.add(results, item, item + 1);
    for (const items of [0, 1, 5, 64, 3]) {
      results.fill(0);
      await pool.run(items, own);
      expect([...results.subarray(0, items)]).toEqual(
        Array.from({ length: items }, (_, k) => k + 1),
      );
      expect(results.subarray(items).every((value) => value === 0)).toBe(true);
    }
  });

  it('runs everything on the calling thread without workers', async () => {
    const { pool, results } = await testPool(0);
    await pool.run(10, (item) => (results[item] = 7));
    expect([...results.subarray(0, 10)]).toEqual(new Array(10).fill(7));
  });

  it('throws the error of an item that failed in a worker, and still runs later phases', async () => {
    const { pool, results } = await testPool(1, 40);
    // The calling thread holds its first item until the worker is past item 39, so that the
    // worker claims item 40.
    const slowOwn = (item: number) => {
      if (item === 0) waitUntilDone(results, 39);
      else Atomics.add(results, item, item + 1);
    };
    await expect(pool.run(64, slowOwn)).rejects.toThrow(/item 40 failed/);
    await expect(pool.run(3, (item) => (results[item] = 9))).resolves.toBeUndefined();
  });

  it('throws when a worker dies in the middle of a phase', async () => {
    const { pool, results } = await testPool(1, -1, 50);
    const slowOwn = (item: number) => {
      if (item === 0) waitUntilDone(results, 49);
    };
    await expect(pool.run(64, slowOwn)).rejects.toThrow(/exited with code 3/);
  });
});
