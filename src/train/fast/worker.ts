import { parentPort, workerData } from 'node:worker_threads';
import type { SharedPass } from './chunk.js';
import { PhaseRunner } from './phases.js';
import { serveWorker } from './pool.js';

// A fast-engine worker: all data arrives once, as shared memory, in workerData; then it runs its
// share of every phase the calling thread starts (pool.ts) until the engine closes.
const port = parentPort;
if (port === null) throw new Error('the fast-engine worker must run in a worker thread');
const { pass, slot } = workerData as { pass: SharedPass; slot: number };
const runner = new PhaseRunner(pass, slot);
serveWorker(
  pass.control,
  (item) => runner.runItem(item),
  () => port.postMessage('ready'),
  (error) => port.postMessage(error),
);
