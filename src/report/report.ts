import type { Model } from '../model/model.js';
import { galleryHtml } from './gallery.js';
import { escapeHtml } from './markup.js';
import { modelView } from './sections.js';
import { VIEW_CSS } from './style.js';
import type { TestResults } from './test-results.js';

/** Images per mistake cell in a report, so that a weak model's report stays small enough to mail. */
export const REPORT_IMAGES_PER_CELL = 60;

/**
 * The report's own policy: nothing may be fetched (no network, no other file), styles and images
 * are inline. It also documents to a reader that the file is self-contained.
 */
const REPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

/** What a report shows. */
export interface ReportInput {
  readonly model: Model;
  /** The model file's name as the user gave it. */
  readonly modelName: string;
  readonly results: TestResults | { readonly unavailable: string };
  /** e.g. "mnn 0.1.0". */
  readonly generatedBy: string;
  readonly generatedAt: string;
}

/** The test images of every mistake cell (true ≠ predicted), largest cells first. */
function mistakesHtml(results: TestResults, labels: readonly string[]): string {
  const cells = results.confusion
    .flatMap((row, trueClass) => row.map((count, predicted) => ({ trueClass, predicted, count })))
    .filter(({ trueClass, predicted, count }) => trueClass !== predicted && count > 0)
    .sort((a, b) => b.count - a.count);
  if (cells.length === 0) return '<p class="note">No test image is misclassified.</p>';
  const galleries = cells.map(({ trueClass, predicted }) =>
    galleryHtml(results, labels, trueClass, predicted, REPORT_IMAGES_PER_CELL),
  );
  return `<div class="galleries">${galleries.join('')}</div>`;
}

/**
 * One self-contained HTML file: the model, its training curves, test results with the
 * misclassified images, and the first layer's weights. Everything is inline (styles, SVG charts,
 * PNG images as data: URIs) and nothing is fetched, so it opens from disk or an e-mail attachment.
 */
export function renderReport(input: ReportInput): string {
  const { model, results } = input;
  const view = modelView(model, results, 'errors');
  const mistakes = 'unavailable' in results ? '' : mistakesHtml(results, model.labels);
  const panel = (id: string, title: string, body: string): string =>
    `<section class="panel" id="${id}"><h2>${escapeHtml(title)}</h2>${body}</section>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mnn report: ${escapeHtml(input.modelName)}</title>
<style>${VIEW_CSS}</style>
</head>
<body>
<header class="top"><h1>mnn report: ${escapeHtml(input.modelName)}</h1><p>made by ${escapeHtml(input.generatedBy)}, ${escapeHtml(input.generatedAt)}</p></header>
<main>
${panel('model', 'Model', view.summary)}
${panel('curves', 'Training curves', view.curves)}
${panel('test', 'Test results', view.test)}
${mistakes && panel('mistakes', 'Misclassified test images', mistakes)}
${panel('weights', 'Inside the network: first-layer weights', view.weights)}
</main>
</body>
</html>
`;
}
