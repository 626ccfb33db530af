import { escapeHtml } from './markup.js';
import { niceScale } from './ticks.js';
import type { Curve } from './training.js';

/** What a line chart shows and how its y values read. */
export interface LineChartSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly curves: readonly Curve[];
  /** A fixed y range, e.g. [0, 1] for accuracy; by default from 0 (or below) to the largest value. */
  readonly yRange?: readonly [number, number];
  readonly formatY?: (value: number) => string;
  readonly width?: number;
  readonly height?: number;
}

/** Line colours by series name; other names get the last one. */
const COLOURS: Readonly<Record<string, string>> = {
  training: '#2b6cb0',
  validation: '#c05621',
  test: '#2f855a',
};
const OTHER_COLOUR = '#6b46c1';
/** Series with at most this many points also get a dot per point. */
const MAX_DOTTED_POINTS = 40;
const MARGIN = { top: 40, right: 16, bottom: 46, left: 62 };

/** The colour a series is drawn in (also used by legends elsewhere). */
export function seriesColour(name: string): string {
  return COLOURS[name] ?? OTHER_COLOUR;
}

/**
 * Draws curves as an SVG line chart with a title, a legend, and both axes ticked at round values
 * and labelled. The y axis starts at 0 unless told otherwise, so that small changes look small.
 * The markup has no xmlns, for embedding in HTML; `svgDocument` makes a standalone file of charts.
 */
export function lineChartSvg(spec: LineChartSpec): string {
  const width = spec.width ?? 460;
  const height = spec.height ?? 280;
  const plot = {
    left: MARGIN.left,
    top: MARGIN.top,
    width: width - MARGIN.left - MARGIN.right,
    height: height - MARGIN.top - MARGIN.bottom,
  };
  const all = spec.curves.flatMap((curve) => curve.points);
  // Loops rather than Math.min(...values): dense histories exceed the limit on arguments.
  const extent = (index: 0 | 1, low: number, high: number): [number, number] => {
    let [min, max] = [low, high];
    for (const point of all)
      [min, max] = [Math.min(min, point[index]), Math.max(max, point[index])];
    return [min, max];
  };
  const xScale = niceScale(...extent(0, 0, 1));
  const yScale = spec.yRange
    ? {
        min: spec.yRange[0],
        max: spec.yRange[1],
        ticks: niceScale(spec.yRange[0], spec.yRange[1]).ticks,
      }
    : niceScale(...extent(1, 0, 0));
  const formatY = spec.formatY ?? ((value: number) => String(value));
  const px = (x: number): number =>
    plot.left + ((x - xScale.min) / (xScale.max - xScale.min)) * plot.width;
  const py = (y: number): number =>
    plot.top + plot.height - ((y - yScale.min) / (yScale.max - yScale.min)) * plot.height;
  const round = (value: number): string => value.toFixed(1);

  const parts: string[] = [
    `<svg class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" font-family="system-ui, sans-serif" font-size="12">`,
    `<title>${escapeHtml(spec.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${plot.left}" y="16" font-size="14" font-weight="600" fill="#1a202c">${escapeHtml(spec.title)}</text>`,
  ];
  for (const tick of yScale.ticks) {
    const y = round(py(tick));
    parts.push(
      `<line x1="${plot.left}" x2="${plot.left + plot.width}" y1="${y}" y2="${y}" stroke="#e2e8f0"/>`,
      `<text x="${plot.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#4a5568">${escapeHtml(formatY(tick))}</text>`,
    );
  }
  for (const tick of xScale.ticks) {
    const x = round(px(tick));
    const bottom = plot.top + plot.height;
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${bottom}" y2="${bottom + 5}" stroke="#4a5568"/>`,
      `<text x="${x}" y="${bottom + 18}" text-anchor="middle" fill="#4a5568">${tick}</text>`,
    );
  }
  parts.push(
    `<line x1="${plot.left}" x2="${plot.left}" y1="${plot.top}" y2="${plot.top + plot.height}" stroke="#4a5568"/>`,
    `<line x1="${plot.left}" x2="${plot.left + plot.width}" y1="${plot.top + plot.height}" y2="${plot.top + plot.height}" stroke="#4a5568"/>`,
    `<text x="${plot.left + plot.width / 2}" y="${height - 8}" text-anchor="middle" fill="#1a202c">${escapeHtml(spec.xLabel)}</text>`,
    `<text transform="translate(14 ${plot.top + plot.height / 2}) rotate(-90)" text-anchor="middle" fill="#1a202c">${escapeHtml(spec.yLabel)}</text>`,
  );
  for (const curve of spec.curves) {
    const colour = seriesColour(curve.name);
    const coordinates = curve.points.map(([x, y]) => `${round(px(x))},${round(py(y))}`);
    parts.push(
      `<polyline points="${coordinates.join(' ')}" fill="none" stroke="${colour}" stroke-width="2" stroke-linejoin="round" data-series="${escapeHtml(curve.name)}"/>`,
    );
    if (curve.points.length <= MAX_DOTTED_POINTS) {
      for (const point of coordinates) {
        const [x, y] = point.split(',');
        parts.push(`<circle cx="${x}" cy="${y}" r="2.5" fill="${colour}"/>`);
      }
    }
  }
  parts.push(legend(spec.curves, plot.left + plot.width), '</svg>');
  return parts.join('');
}

/** A row of "— name" entries, right-aligned at `right`, on the title's line. */
function legend(curves: readonly Curve[], right: number): string {
  const entryWidth = (curve: Curve): number => 30 + curve.name.length * 7;
  let x = right - curves.reduce((sum, curve) => sum + entryWidth(curve), 0);
  const entries = curves.map((curve) => {
    const colour = seriesColour(curve.name);
    const entry =
      `<line x1="${x}" x2="${x + 18}" y1="28" y2="28" stroke="${colour}" stroke-width="3"/>` +
      `<text x="${x + 22}" y="28" dominant-baseline="middle" fill="#1a202c">${escapeHtml(curve.name)}</text>`;
    x += entryWidth(curve);
    return entry;
  });
  return `<g class="legend">${entries.join('')}</g>`;
}

/** A standalone SVG file holding charts side by side (each as made by lineChartSvg). */
export function svgDocument(charts: readonly string[], chartWidth: number, height: number): string {
  const width = chartWidth * charts.length;
  const placed = charts.map(
    (chart, index) => `<g transform="translate(${index * chartWidth} 0)">${chart}</g>`,
  );
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${placed.join('')}</svg>\n`
  );
}
