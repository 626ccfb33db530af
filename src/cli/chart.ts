/** Options of a terminal chart. */
export interface ChartOptions {
  readonly title: string;
  /** Rows of the plot area. */
  readonly height?: number;
  /** Most columns of the plot area; longer series are resampled. */
  readonly width?: number;
  /** Formats the y-axis labels. */
  readonly format?: (value: number) => string;
  /**
   * The y range. By default it runs from 0 (or the lowest value, if below 0) to the highest value:
   * the chart never zooms into a narrow band, where noise would look like learning.
   */
  readonly range?: readonly [number, number];
}

/** A named series of (x, y) points, for charts with a legend. */
export interface ChartSeries {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
}

/** Markers of the series of one chart, in order. */
const MARKERS = ['•', '◦', '×', '+'];
/** The marker of a cell where several series fall. */
const SHARED_MARKER = '*';

/** The value of a polyline at x (linear between points; undefined outside them). */
function valueAt(points: readonly (readonly [number, number])[], x: number): number | undefined {
  if (points.length === 0 || x < points[0][0] || x > points[points.length - 1][0]) return undefined;
  const right = points.findIndex(([px]) => px >= x);
  if (right <= 0) return points[Math.max(right, 0)][1];
  const [[x0, y0], [x1, y1]] = [points[right - 1], points[right]];
  return x1 === x0 ? y1 : y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
}

/** The y range of a chart: as given, or from min(0, lowest) to max(0, highest). */
function chartRange(
  values: readonly number[],
  range?: readonly [number, number],
): [number, number] {
  if (range) return [range[0], range[1]];
  const low = values.reduce((min, value) => Math.min(min, value), 0);
  const high = values.reduce((max, value) => Math.max(max, value), 0);
  return [low, high];
}

/**
 * Draws series as text lines: one marker per column at the row its value falls in, the y axis
 * labelled at its top, middle and bottom rows (so the range is stated), the x axis from `xLabels`.
 */
function drawChart(
  columns: readonly (readonly (number | undefined)[])[],
  xLabels: readonly [string, string],
  options: ChartOptions,
  legend: string | undefined,
): string[] {
  const height = options.height ?? 7;
  const format = options.format ?? ((value: number) => value.toPrecision(3));
  const values = columns.flat().filter((value): value is number => value !== undefined);
  const [low, high] = chartRange(values, options.range);
  const span = high - low || 1;
  const width = columns[0]?.length ?? 0;
  const rows = Array.from({ length: height }, () => Array<string>(width).fill(' '));
  const rowOf = (value: number): number =>
    height - 1 - Math.round(((Math.min(Math.max(value, low), high) - low) / span) * (height - 1));
  let overlaps = false;
  columns.forEach((series, index) => {
    series.forEach((value, column) => {
      if (value === undefined) return;
      const cells = rows[rowOf(value)];
      // Where series meet in one cell, a shared marker keeps both visible.
      overlaps ||= cells[column] !== ' ';
      cells[column] = cells[column] === ' ' ? MARKERS[index % MARKERS.length] : SHARED_MARKER;
    });
  });
  // The middle row is labelled when it sits exactly halfway (an odd number of rows).
  const middle = height % 2 === 1 && height >= 5 ? (height - 1) / 2 : -1;
  const labelOf = (row: number): string =>
    row === 0 || row === height - 1 || row === middle
      ? format(low + (span * (height - 1 - row)) / (height - 1))
      : '';
  const labels = rows.map((_, row) => labelOf(row));
  const labelWidth = Math.max(...labels.map((label) => label.length));
  const key =
    legend === undefined
      ? undefined
      : overlaps
        ? `${legend}  ${SHARED_MARKER} ${columns.length === 2 ? 'both' : 'several'}`
        : legend;
  const lines = [key === undefined ? options.title : `${options.title}   ${key}`];
  rows.forEach((cells, row) =>
    lines.push(`${labels[row].padStart(labelWidth)} ┤${cells.join('')}`),
  );
  const gap = Math.max(1, width - xLabels[0].length - xLabels[1].length);
  lines.push(
    `${' '.repeat(labelWidth)} └${'─'.repeat(width)}`,
    `${' '.repeat(labelWidth + 2)}${xLabels[0]}${' '.repeat(gap)}${xLabels[1]}`,
  );
  return lines;
}

/** Samples a series at `width` evenly spaced positions, interpolating linearly between points. */
function resample(values: readonly number[], width: number): number[] {
  if (values.length < 2) return [...values];
  return Array.from(
    { length: width },
    (_, column) =>
      valueAt(
        values.map((value, index) => [index, value] as const),
        (column * (values.length - 1)) / (width - 1),
      ) as number,
  );
}

/**
 * Draws one evenly spaced series as a small chart of text lines, with the y axis from 0 to the
 * highest value unless `options.range` says otherwise, and the x-axis labelled with `xLabels`.
 */
export function lineChart(
  values: readonly number[],
  xLabels: readonly [string, string],
  options: ChartOptions,
): string[] {
  return drawChart([resample(values, options.width ?? 48)], xLabels, options, undefined);
}

/**
 * Draws several series over a shared x axis (e.g. training and validation loss by iteration),
 * each with its own marker, named in a legend after the title.
 */
export function seriesChart(
  series: readonly ChartSeries[],
  xLabel: string,
  options: ChartOptions,
): string[] {
  const xs = series.flatMap((each) => each.points.map(([x]) => x));
  const first = xs.reduce((min, x) => Math.min(min, x), Infinity);
  const last = xs.reduce((max, x) => Math.max(max, x), -Infinity);
  const width = options.width ?? 60;
  const columns = series.map((each) =>
    Array.from({ length: width }, (_, column) =>
      valueAt(each.points, first + ((last - first) * column) / Math.max(width - 1, 1)),
    ),
  );
  const legend = series
    .map((each, index) => `${MARKERS[index % MARKERS.length]} ${each.name}`)
    .join('  ');
  return drawChart(columns, [String(first), `${xLabel} ${last}`], options, legend);
}
