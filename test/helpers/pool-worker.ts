import { parentPort, workerData } from 'node:worker_threads';
import { serveWorker } from '../../src/train/fast/pool.js';

// A worker for the pool's tests: item k adds k + 1 to results[k], item `failAt` throws, item
// `exitAt` ends the thread.
const port = parentPort;
if (port === null) throw new Error('run me in a worker thread');
const { control, results, failAt, exitAt } = workerData as {
  control: Int32Array;
  results: Int32Array;
  failAt: number;
  exitAt: number;
};
serveWorker(
  control,
  (item) => {
    if (item === failAt) throw new Error(`item ${item} failed`);
    if (item === exitAt) process.exit(3);
    Atomics.add(results, item, item + 1);
  },
  () => port.postMessage('ready'),
  (error) => port.postMessage(error),
);
