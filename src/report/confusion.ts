import { escapeHtml, formatPercent } from './markup.js';
import type { TestResults } from './test-results.js';

/** Which cells of the heat map link to their images: every non-empty one, or only the errors. */
export type CellLinks = 'all' | 'errors';

const CELL = 38;
const RIGHT_COLOUR: readonly [number, number, number] = [47, 133, 90];
const WRONG_COLOUR: readonly [number, number, number] = [197, 48, 48];

/** The id of the element that shows a cell's images (the target of the cell's link). */
export function cellAnchor(trueClass: number, predicted: number): string {
  return `cell-${trueClass}-${predicted}`;
}

/** White mixed with `colour` by `amount` ∈ [0, 1], as a CSS colour. */
function tint(colour: readonly [number, number, number], amount: number): string {
  const channel = (value: number): number => Math.round(255 + (value - 255) * amount);
  return `rgb(${channel(colour[0])},${channel(colour[1])},${channel(colour[2])})`;
}

/**
 * The confusion matrix as an SVG heat map: rows are true classes, columns predictions, each cell
 * shows its count and is shaded by its share of the true class (square-root scale, so that rare
 * mistakes stay visible): green on the diagonal, red elsewhere. Cells link to `#cell-t-p`.
 */
export function confusionSvg(
  results: TestResults,
  labels: readonly string[],
  links: CellLinks,
): string {
  const classes = results.confusion.length;
  const short = labels.map((label) => (label.length > 10 ? `${label.slice(0, 9)}…` : label));
  const rotate = short.some((label) => label.length > 2);
  const labelWidth = Math.max(...short.map((label) => label.length)) * 7 + 12;
  const left = 24 + labelWidth;
  const top = 28 + (rotate ? labelWidth : 18);
  const size = classes * CELL;
  const width = left + size + 8;
  const height = top + size + 8;
  const parts = [
    `<svg class="confusion" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" font-family="system-ui, sans-serif" font-size="12">`,
    '<title>confusion matrix: rows are true classes, columns predicted classes</title>',
    `<text x="${left + size / 2}" y="14" text-anchor="middle" font-weight="600" fill="#1a202c">predicted class</text>`,
    `<text transform="translate(12 ${top + size / 2}) rotate(-90)" text-anchor="middle" font-weight="600" fill="#1a202c">true class</text>`,
  ];
  short.forEach((label, index) => {
    const centre = index * CELL + CELL / 2;
    const column = rotate
      ? `<text transform="translate(${left + centre} ${top - 6}) rotate(-60)" fill="#4a5568">${escapeHtml(label)}</text>`
      : `<text x="${left + centre}" y="${top - 8}" text-anchor="middle" fill="#4a5568">${escapeHtml(label)}</text>`;
    parts.push(
      column,
      `<text x="${left - 6}" y="${top + centre}" text-anchor="end" dominant-baseline="middle" fill="#4a5568">${escapeHtml(label)}</text>`,
    );
  });
  results.confusion.forEach((row, trueClass) => {
    const rowTotal = row.reduce((sum, count) => sum + count, 0);
    row.forEach((count, predicted) => {
      const share = rowTotal === 0 ? 0 : count / rowTotal;
      const intensity = Math.sqrt(share);
      const right = trueClass === predicted;
      const x = left + predicted * CELL;
      const y = top + trueClass * CELL;
      const title = `true ${labels[trueClass]}, predicted ${labels[predicted]}: ${count} image${count === 1 ? '' : 's'} (${formatPercent(share, 1)} of true ${labels[trueClass]})`;
      const cell =
        `<title>${escapeHtml(title)}</title>` +
        `<rect x="${x}" y="${y}" width="${CELL - 1}" height="${CELL - 1}" fill="${tint(right ? RIGHT_COLOUR : WRONG_COLOUR, intensity)}"/>` +
        `<text x="${x + CELL / 2}" y="${y + CELL / 2}" text-anchor="middle" dominant-baseline="middle" fill="${intensity > 0.6 ? '#ffffff' : '#1a202c'}">${count}</text>`;
      const linked = count > 0 && (links === 'all' || !right);
      parts.push(
        linked
          ? `<a href="#${cellAnchor(trueClass, predicted)}" class="cell" data-true="${trueClass}" data-predicted="${predicted}">${cell}</a>`
          : `<g class="cell">${cell}</g>`,
      );
    });
  });
  parts.push('</svg>');
  return parts.join('');
}

/** Precision and recall of every class as an HTML table, with a bar (meter) beside each figure. */
export function classTableHtml(results: TestResults, labels: readonly string[]): string {
  const figure = (fraction: number): string =>
    `<td class="number">${formatPercent(fraction)} <meter min="0" max="1" value="${fraction}"></meter></td>`;
  const rows = results.classes.map(
    (scores, index) =>
      `<tr><th scope="row">${escapeHtml(labels[index])}</th>${figure(scores.precision)}${figure(scores.recall)}<td class="number">${scores.support}</td></tr>`,
  );
  return (
    '<table class="classes"><thead><tr><th scope="col">class</th><th scope="col">precision</th>' +
    `<th scope="col">recall</th><th scope="col">test images</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}
