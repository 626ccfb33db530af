import { describe, expect, it } from 'vitest';
import { lineChart, seriesChart } from '../../src/cli/chart.js';

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

describe('honest scales', () => {
  it('starts the y axis at 0, so that a change from 0.90 to 0.91 stays a flat line', () => {
    const lines = lineChart([0.9, 0.905, 0.91], ['0', '2'], {
      title: 'accuracy',
      height: 5,
      width: 3,
      format: (value) => value.toFixed(2),
    });
    expect(lines.slice(1, 6)).toEqual([
      '0.91 ┤•••',
      '     ┤   ',
      '0.46 ┤   ',
      '     ┤   ',
      '0.00 ┤   ',
    ]);
  });

  it('uses a given range, and labels the middle row when it lies exactly halfway', () => {
    const lines = lineChart([0.5], ['0', '1'], {
      title: 't',
      height: 3,
      width: 1,
      range: [0, 1],
      format: String,
    });
    expect(lines.slice(1, 4)).toEqual(['1 ┤ ', '  ┤•', '0 ┤ ']);
    const five = lineChart([0, 1], ['0', '1'], {
      title: 't',
      height: 5,
      width: 2,
      range: [0, 1],
      format: String,
    });
    expect(five[3]).toBe('0.5 ┤  ');
  });
});

describe('seriesChart', () => {
  it('draws each series with its own marker over a shared x axis, named in the legend', () => {
    const lines = seriesChart(
      [
        {
          name: 'training',
          points: [
            [0, 1],
            [10, 0],
          ],
        },
        {
          name: 'validation',
          points: [
            [0, 1],
            [10, 1],
          ],
        },
      ],
      'step',
      { title: 'loss', height: 3, width: 3, format: String },
    );
    expect(lines).toEqual([
      'loss   • training  ◦ validation  * both',
      '1 ┤*◦◦',
      '  ┤ • ',
      '0 ┤  •',
      '  └───',
      '   0 step 10',
    ]);
  });
});
