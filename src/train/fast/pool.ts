/**
 * The fast engine's threads: the calling thread plus workers that sleep on a shared counter
 * between phases. A phase is a number of items (chunks or slices) that every thread claims one
 * at a time from a shared counter; an item's result depends only on the item, never on the
 * thread. Waking workers and waiting for them uses Atomics on shared memory, not messages: a
 * mini-batch step runs a few phases of well under a millisecond each, and a message round trip
 * costs about as much (measured on the 2-core development machine: ~170 µs against ~20–50 µs).
 */
import { Worker } from 'node:worker_threads';

// Words of the control array.
const GENERATION = 0; // bumped to start a phase
const STOP = 1; // set before the last bump: workers return
const NEXT_ITEM = 2;
const ITEM_COUNT = 3;
const DONE = 4; // workers finished with the phase
const FAILED = 5; // a worker's item threw

/** Words the control array needs. */
export const CONTROL_WORDS = 6;

/** Runs items of the current phase, claimed from the shared counter, until none are left. */
function runClaimedItems(control: Int32Array, runItem: (item: number) => void): void {
  const count = control[ITEM_COUNT];
  for (;;) {
    const item = Atomics.add(control, NEXT_ITEM, 1);
    if (item >= count) return;
    runItem(item);
  }
}

/**
 * A worker's life: say it is ready, then wait for a phase, run items of it, say so; until the
 * pool stops. `report` sends the error of an item that threw (the main thread then throws it).
 */
export function serveWorker(
  control: Int32Array,
  runItem: (item: number) => void,
  ready: () => void,
  report: (error: unknown) => void,
): void {
  // Read before saying ready: the first phase may start the moment the main thread hears it.
  let seen = Atomics.load(control, GENERATION);
  ready();
  for (;;) {
    if (!spinUntilChanged(control, GENERATION, seen)) Atomics.wait(control, GENERATION, seen);
    seen = Atomics.load(control, GENERATION);
    if (Atomics.load(control, STOP) !== 0) return;
    try {
      runClaimedItems(control, runItem);
    } catch (error) {
      Atomics.store(control, FAILED, 1);
      report(error);
    }
    Atomics.add(control, DONE, 1);
    Atomics.notify(control, DONE);
  }
}

/**
 * How long a thread spins, at most, on a word it waits to see change before it sleeps on it: the
 * phases of a mini-batch step follow each other within microseconds, and waking a sleeping
 * thread costs tens of them (measured on the 2-core development machine: 50–130 µs a phase).
 */
const SPIN_MS = 0.2;

/** Spins until control[index] is no longer `value` (true) or SPIN_MS pass (false). */
function spinUntilChanged(control: Int32Array, index: number, value: number): boolean {
  const deadline = performance.now() + SPIN_MS;
  do {
    for (let k = 0; k < 64; k++) if (Atomics.load(control, index) !== value) return true;
  } while (performance.now() < deadline);
  return false;
}

/** How long the calling thread blocks waiting for workers before it lets the event loop run. */
const BLOCKING_WAIT_MS = 20;

/** One worker thread: its readiness, its reported errors, and whether it died. */
class PoolWorker {
  private readonly errors: unknown[] = [];
  private failure: Error | undefined;
  private ready: Promise<void>;

  constructor(readonly thread: Worker) {
    this.ready = new Promise((resolve, reject) => {
      thread.once('message', () => resolve());
      thread.once('error', reject);
      thread.once('exit', (code) =>
        reject(new Error(`fast-engine worker exited with code ${code}`)),
      );
    });
    thread.on('message', (message: unknown) => {
      if (message !== 'ready') this.errors.push(message);
    });
    thread.on('error', (error) => (this.failure = error));
    thread.on(
      'exit',
      (code) => (this.failure ??= new Error(`fast-engine worker exited with code ${code}`)),
    );
  }

  /** Resolves once the worker has set up and waits for phases. */
  started(): Promise<void> {
    return this.ready;
  }

  /** The error the worker reported or died of, if any. */
  get error(): unknown {
    return this.errors[0] ?? this.failure;
  }
}

/** Lets the event loop run (worker messages and exits arrive) for about a millisecond. */
function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1));
}

/** The calling thread and its workers, running phases together. */
export class ThreadPool {
  private constructor(
    private readonly control: Int32Array,
    private readonly workers: PoolWorker[],
  ) {}

  /**
   * Starts `count` workers with `start` (each must call serveWorker, which posts 'ready') and waits
   * until all are ready; stops those that started if one fails.
   */
  static async start(
    control: Int32Array,
    count: number,
    start: (slot: number) => Worker,
  ): Promise<ThreadPool> {
    const workers = Array.from({ length: count }, (_, w) => new PoolWorker(start(w + 1)));
    const pool = new ThreadPool(control, workers);
    const started = await Promise.allSettled(workers.map((worker) => worker.started()));
    const failure = started.find((result) => result.status === 'rejected');
    if (failure !== undefined) {
      await pool.close();
      throw failure.reason;
    }
    return pool;
  }

  /** Runs a phase of `itemCount` items on every thread; `runItem` is this thread's runner. */
  async run(itemCount: number, runItem: (item: number) => void): Promise<void> {
    const control = this.control;
    control[ITEM_COUNT] = itemCount;
    control[NEXT_ITEM] = 0;
    control[DONE] = 0;
    control[FAILED] = 0;
    if (this.workers.length > 0) {
      Atomics.add(control, GENERATION, 1);
      Atomics.notify(control, GENERATION);
    }
    let ownError: unknown;
    try {
      runClaimedItems(control, runItem);
    } catch (error) {
      ownError = error;
    }
    await this.waitForWorkers();
    if (ownError !== undefined) throw ownError;
    if (Atomics.load(control, FAILED) !== 0) throw await this.workerError();
  }

  /** Stops the workers and waits until their threads have ended. */
  async close(): Promise<void> {
    Atomics.store(this.control, STOP, 1);
    Atomics.add(this.control, GENERATION, 1);
    Atomics.notify(this.control, GENERATION);
    await Promise.all(this.workers.map((worker) => worker.thread.terminate()));
    this.workers.length = 0;
  }

  /**
   * Waits until every worker is done with the phase: blocking at first (a mini-batch phase ends
   * within a millisecond), then letting the event loop run so that a dead worker is noticed.
   */
  private async waitForWorkers(): Promise<void> {
    const control = this.control;
    const target = this.workers.length;
    const deadline = performance.now() + BLOCKING_WAIT_MS;
    let done = Atomics.load(control, DONE);
    if (done < target && spinUntilChanged(control, DONE, done)) done = Atomics.load(control, DONE);
    while (done < target && performance.now() < deadline) {
      Atomics.wait(control, DONE, done, 1);
      done = Atomics.load(control, DONE);
    }
    while (done < target) {
      const dead = this.workers.find((worker) => worker.error !== undefined);
      if (dead !== undefined) throw dead.error;
      await pause();
      done = Atomics.load(control, DONE);
    }
  }

  /** The error a worker reported for this phase (its message may still be on its way). */
  private async workerError(): Promise<unknown> {
    for (;;) {
      const reported = this.workers.find((worker) => worker.error !== undefined);
      if (reported !== undefined) return reported.error;
      await pause();
    }
  }
}
