import { afterEach, describe, expect, it } from 'vitest';
import { watchInterrupts, type InterruptWatch } from '../../src/cli/interrupt.js';

let watch: InterruptWatch | undefined;
afterEach(() => watch?.dispose());

/** A watch that records every call, in order. */
function recordingWatch(calls: string[]): InterruptWatch {
  return watchInterrupts({
    onFirst: (signal) => void calls.push(`first ${signal}`),
    onSecond: (signal) => void calls.push(`second ${signal}`),
  });
}

describe('watchInterrupts', () => {
  it('asks for a stop on the first signal and quits on every later one, SIGINT and SIGTERM alike', () => {
    const calls: string[] = [];
    watch = recordingWatch(calls);
    expect(watch.requested).toBe(false);
    process.emit('SIGTERM', 'SIGTERM');
    expect(watch.requested).toBe(true);
    process.emit('SIGINT', 'SIGINT');
    process.emit('SIGINT', 'SIGINT');
    expect(calls).toEqual(['first SIGTERM', 'second SIGINT', 'second SIGINT']);
  });

  it('catches a real signal sent to the process, which then keeps running', async () => {
    const calls: string[] = [];
    watch = recordingWatch(calls);
    process.kill(process.pid, 'SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 50)); // signals arrive on the event loop
    expect(calls).toEqual(['first SIGTERM']);
    expect(watch.requested).toBe(true);
  });

  it('removes exactly its own listeners when disposed, and hears nothing after', () => {
    const before = ['SIGINT', 'SIGTERM'].map((signal) => process.listenerCount(signal));
    const calls: string[] = [];
    const local = recordingWatch(calls);
    expect(['SIGINT', 'SIGTERM'].map((signal) => process.listenerCount(signal))).toEqual(
      before.map((count) => count + 1),
    );
    local.dispose();
    expect(['SIGINT', 'SIGTERM'].map((signal) => process.listenerCount(signal))).toEqual(before);
    process.emit('SIGINT', 'SIGINT');
    expect(calls).toEqual([]);
    expect(local.requested).toBe(false);
  });
});
