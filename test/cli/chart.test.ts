import { describe, expect, it } from 'vitest';
import { lineChart } from '../../src/cli/chart.js';

describe('lineChart', () => {
  it('puts the highest value on the top row and the lowest on the bottom row', () => {
    const lines = lineChart([3, 2, 1, 0], ['0', '3'], {
      title: 'loss',
      height: 4,
      width: 4,
      format: String,
    });
    expect(lines[0]).toBe('loss');
    expect(lines[1]).toBe('3 ┤•   ');
    expect(lines[4]).toBe('0 ┤   •');
    expect(lines[5]).toBe('  └────');
  });

  it('resamples any series to the width and survives a constant series', () => {
    const lines = lineChart(Array<number>(500).fill(1), ['0', '500'], {
      title: 't',
      width: 40,
      height: 3,
    });
    const plotRows = lines.slice(1, 4).map((line) => line.split('┤')[1]);
    expect(plotRows.every((row) => row.length === 40)).toBe(true);
    expect(plotRows.join('').split('•').length - 1).toBe(40);
  });
});
