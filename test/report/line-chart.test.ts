import { describe, expect, it } from 'vitest';
import { lineChartSvg, svgDocument } from '../../src/report/line-chart.js';

const curves = [
  {
    name: 'training',
    points: [
      [0, 2.4],
      [50, 1],
      [100, 0.6],
    ] as [number, number][],
  },
  {
    name: 'test',
    points: [
      [0, 2.5],
      [100, 0.7],
    ] as [number, number][],
  },
];

/** The texts of an SVG's <text> elements. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((match) => match[1]);
}

describe('lineChartSvg', () => {
  it('draws one polyline per series, labelled axes, round ticks from 0, and a legend', () => {
    const svg = lineChartSvg({
      title: 'Loss',
      xLabel: 'iteration',
      yLabel: 'mean cross-entropy',
      curves,
    });
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(texts(svg)).toEqual(
      expect.arrayContaining([
        'Loss',
        'iteration',
        'mean cross-entropy',
        'training',
        'test',
        '0',
        '0.5',
        '2.5',
        '100',
      ]),
    );
    expect(svg).not.toContain('xmlns');
  });

  it('keeps a fixed range such as 0–100% however close the values are', () => {
    const svg = lineChartSvg({
      title: 'Accuracy',
      xLabel: 'iteration',
      yLabel: 'accuracy',
      curves: [
        {
          name: 'test',
          points: [
            [0, 0.9],
            [10, 0.91],
          ],
        },
      ],
      yRange: [0, 1],
      formatY: (value) => `${value * 100}%`,
    });
    expect(texts(svg)).toEqual(expect.arrayContaining(['0%', '100%']));
  });

  it('escapes text, and svgDocument makes a standalone file with the SVG namespace', () => {
    const svg = lineChartSvg({ title: '<b>&', xLabel: 'x', yLabel: 'y', curves });
    expect(svg).toContain('&lt;b&gt;&amp;');
    const document = svgDocument([svg, svg], 460, 280);
    expect(document).toMatch(
      /^<\?xml[^>]*>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="920"/,
    );
    expect(document).toContain('translate(460 0)');
  });
});
