import { parentPort, workerData } from 'node:worker_threads';
import type { SharedPass } from './chunk.js';
import { ChunkRunner } from './chunk.js';

// A fast-engine worker: on every 'run' message it claims chunks until none are left, then says
// 'done'. All data arrives once, as shared memory, in workerData.
const port = parentPort;
if (port === null) throw new Error('the fast-engine worker must run in a worker thread');
const { pass, slot } = workerData as { pass: SharedPass; slot: number };
const runner = new ChunkRunner(pass, slot);
port.on('message', () => {
  runner.runClaimedChunks();
  port.postMessage('done');
});
port.postMessage('ready');
