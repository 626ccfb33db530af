/** Options of a terminal line chart. */
export interface ChartOptions {
  readonly title: string;
  /** Rows of the plot area. */
  readonly height?: number;
  /** Most columns of the plot area; longer series are resampled. */
  readonly width?: number;
  /** Formats the y-axis labels. */
  readonly format?: (value: number) => string;
}

/** Samples a series at `width` evenly spaced positions, interpolating linearly between points. */
function resample(values: readonly number[], width: number): number[] {
  if (values.length < 2) return [...values];
  return Array.from({ length: width }, (_, column) => {
    const position = (column * (values.length - 1)) / (width - 1);
    const left = Math.floor(position);
    const right = Math.min(left + 1, values.length - 1);
    return values[left] + (values[right] - values[left]) * (position - left);
  });
}

/**
 * Draws a series as a small chart of text lines: a dot per column at the row its value falls in,
 * the maximum labelled at the top and the minimum at the bottom, the x-axis labelled with `xLabels`.
 */
export function lineChart(
  values: readonly number[],
  xLabels: readonly [string, string],
  options: ChartOptions,
): string[] {
  const height = options.height ?? 6;
  const format = options.format ?? ((value: number) => value.toPrecision(3));
  const points = resample(values, options.width ?? 48);
  const max = Math.max(...points);
  const min = Math.min(...points);
  const span = max - min || 1;
  const rows = Array.from({ length: height }, () => Array<string>(points.length).fill(' '));
  points.forEach((value, column) => {
    const row = height - 1 - Math.round(((value - min) / span) * (height - 1));
    rows[row][column] = '•';
  });
  const top = format(max);
  const bottom = format(min);
  const labelWidth = Math.max(top.length, bottom.length);
  const lines = [options.title];
  rows.forEach((cells, row) => {
    const label = row === 0 ? top : row === height - 1 ? bottom : '';
    lines.push(`${label.padStart(labelWidth)} ┤${cells.join('')}`);
  });
  const axis = `${' '.repeat(labelWidth)} └${'─'.repeat(points.length)}`;
  const gap = Math.max(1, points.length - xLabels[0].length - xLabels[1].length);
  lines.push(axis, `${' '.repeat(labelWidth + 2)}${xLabels[0]}${' '.repeat(gap)}${xLabels[1]}`);
  return lines;
}
