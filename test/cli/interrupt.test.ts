import { afterEach, describe, expect, it } from 'vitest';
import { watchInterrupts, type InterruptWatch } from '../../src/cli/interrupt.js';

let watch: InterruptWatch | undefined;
afterEach(() => watch?.dispose());

describe('watchInterrupts', () => {
  it('asks for a stop on the first signal and quits on the second, SIGINT or SIGTERM', () => {
    const calls: string[] = [];
    watch = watchInterrupts({
      onFirst: (signal) => void calls.push(`first ${signal}`),
      onSecond: (signal) => void calls.push(`second ${signal}`),
    });
    expect(watch.requested).toBe(false);
    process.emit('SIGTERM', 'SIGTERM');
    expect(watch.requested).toBe(true);
    process.emit('SIGINT', 'SIGINT');
    process.emit('SIGINT', 'SIGINT');
    expect(calls).toEqual(['first SIGTERM', 'second SIGINT', 'second SIGINT']);
  });

  it('removes its listeners when disposed', () => {
    const before = process.listenerCount('SIGINT');
    const local = watchInterrupts({ onFirst: () => undefined, onSecond: () => undefined });
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    expect(process.listenerCount('SIGTERM')).toBeGreaterThan(0);
    local.dispose();
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});
