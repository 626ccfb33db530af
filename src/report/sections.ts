import type { Model } from '../model/model.js';
import { classTableHtml, confusionSvg, type CellLinks } from './confusion.js';
import { DIVERGING_STOPS, pngDataUri, weightColourScale, weightPng } from './images.js';
import { lineChartSvg } from './line-chart.js';
import { escapeHtml, formatCount, formatPercent } from './markup.js';
import type { TestResults } from './test-results.js';
import { trainingCurves, trainingFacts, trainingProgress } from './training.js';

/** Most first-layer units drawn as weight images (each is a small PNG inside the page). */
export const MAX_WEIGHT_IMAGES = 256;

/** The parts of the model view, as HTML fragments the page and the report place. */
export interface ModelView {
  readonly summary: string;
  readonly curves: string;
  readonly test: string;
  readonly weights: string;
}

/**
 * Renders everything known about a model: architecture and training options, history curves,
 * test results (or why there are none), and the first layer's weights.
 */
export function modelView(
  model: Model,
  results: TestResults | { readonly unavailable: string },
  links: CellLinks,
): ModelView {
  return {
    summary: summaryHtml(model),
    curves: curvesHtml(model),
    test: 'unavailable' in results ? note(results.unavailable) : testHtml(results, model, links),
    weights: weightsHtml(model),
  };
}

function note(text: string): string {
  return `<p class="note">${escapeHtml(text)}</p>`;
}

/** Parameters of a network: Σ n_ℓ (n_{ℓ−1} + 1) weights and biases. */
export function parameterCount(layerSizes: readonly number[]): number {
  return layerSizes.slice(1).reduce((sum, n, l) => sum + n * (layerSizes[l] + 1), 0);
}

/** "784 inputs → 16 ReLU → 10 softmax". */
export function architectureText(layerSizes: readonly number[]): string {
  const last = layerSizes.length - 1;
  return layerSizes
    .map((n, l) => (l === 0 ? `${n} inputs` : `${n} ${l === last ? 'softmax' : 'ReLU'}`))
    .join(' → ');
}

function summaryHtml(model: Model): string {
  const { layerSizes } = model.parameters;
  const rows: [string, string][] = [
    ['layers', architectureText(layerSizes)],
    ['parameters', formatCount(parameterCount(layerSizes))],
    ['input', `${model.input.width}×${model.input.height} pixels, each ÷ ${model.input.scale}`],
    ['classes', model.labels.join(', ')],
    ['training', trainingProgress(model.training)],
    ['made by', `${model.createdBy}${model.createdAt ? `, ${model.createdAt}` : ''}`],
  ];
  const facts = model.training ? trainingFacts(model.training) : [];
  const options = facts.map((fact) => [fact.label, fact.value] as [string, string]);
  const record =
    options.length > 0 ? `<div><h3>Training record</h3>${table('training', options)}</div>` : '';
  return `<div class="summary"><div>${table('model', rows)}</div>${record}</div>`;
}

function table(name: string, rows: readonly [string, string][]): string {
  const body = rows
    .map(
      ([label, value]) =>
        `<tr><th scope="row">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
    )
    .join('');
  return `<table class="facts" data-table="${name}"><tbody>${body}</tbody></table>`;
}

function curvesHtml(model: Model): string {
  const curves = model.training ? trainingCurves(model.training.history) : undefined;
  if (curves === undefined) return note('This model file has no training history to plot.');
  const xLabel = curves.xLabel;
  return (
    '<div class="charts">' +
    lineChartSvg({
      title: 'Loss',
      xLabel,
      yLabel: 'mean cross-entropy',
      curves: curves.loss,
      formatY: (value) => String(value),
    }) +
    lineChartSvg({
      title: 'Accuracy',
      xLabel,
      yLabel: 'accuracy',
      curves: curves.accuracy,
      yRange: [0, 1],
      formatY: (value) => formatPercent(value, 0),
    }) +
    '</div>'
  );
}

function testHtml(results: TestResults, model: Model, links: CellLinks): string {
  const correct = Math.round(results.accuracy * results.samples);
  const hint =
    links === 'all'
      ? 'Click a cell to see its test images.'
      : 'Click a red cell to see those mistakes.';
  return (
    `<p class="headline">${escapeHtml(results.data)}: accuracy <strong>${formatPercent(results.accuracy)}</strong> ` +
    `(${formatCount(correct)} of ${formatCount(results.samples)}), mean cross-entropy ${results.loss.toFixed(4)}</p>` +
    '<div class="test-results">' +
    `<div>${classTableHtml(results, model.labels)}</div>` +
    `<figure>${confusionSvg(results, model.labels, links)}<figcaption>${escapeHtml(hint)} Shade: share of the true class (square-root scale).</figcaption></figure>` +
    '</div>'
  );
}

/** A horizontal bar of the diverging scale from −scale to +scale. */
function colourBar(scale: number): string {
  const stops = DIVERGING_STOPS.map(
    ([r, g, b], index) =>
      `<stop offset="${index / (DIVERGING_STOPS.length - 1)}" stop-color="rgb(${r},${g},${b})"/>`,
  ).join('');
  const label = scale.toPrecision(2);
  return (
    '<svg class="colour-bar" width="260" height="34" viewBox="0 0 260 34" role="img" font-family="system-ui, sans-serif" font-size="12">' +
    `<title>weight colour scale from −${label} (blue) through 0 (white) to +${label} (red)</title>` +
    `<defs><linearGradient id="weight-scale">${stops}</linearGradient></defs>` +
    '<rect x="40" y="2" width="180" height="14" fill="url(#weight-scale)" stroke="#a0aec0"/>' +
    `<text x="40" y="30" text-anchor="middle" fill="#4a5568">−${label}</text>` +
    '<text x="130" y="30" text-anchor="middle" fill="#4a5568">0</text>' +
    `<text x="220" y="30" text-anchor="middle" fill="#4a5568">+${label}</text>` +
    '</svg>'
  );
}

function weightsHtml(model: Model): string {
  const { layerSizes, W } = model.parameters;
  const { width, height } = model.input;
  const units = layerSizes[1];
  const inputs = layerSizes[0];
  const scale = weightColourScale(W[0]);
  // With no hidden layer, the first layer's units are the classes.
  const name = (unit: number): string =>
    layerSizes.length === 2 ? model.labels[unit] : `unit ${unit + 1}`;
  const shown = Math.min(units, MAX_WEIGHT_IMAGES);
  const zoom = shown <= 32 ? 3 : 2;
  const figures = Array.from({ length: shown }, (_, unit) => {
    const row = W[0].subarray(unit * inputs, (unit + 1) * inputs);
    const uri = pngDataUri(weightPng(row, width, height, scale));
    return `<figure><img src="${uri}" width="${width * zoom}" height="${height * zoom}" alt="weights of ${escapeHtml(name(unit))}"><figcaption>${escapeHtml(name(unit))}</figcaption></figure>`;
  });
  const more = shown < units ? note(`showing ${shown} of ${units} units`) : '';
  return (
    `<p>Each image is one unit of layer 1: its ${inputs} incoming weights W⁽¹⁾ drawn at their input pixels. ` +
    'Red: ink there raises the unit’s input Z⁽¹⁾; blue: lowers it; white: no effect. ' +
    `One colour scale for all units: ±${scale.toPrecision(2)} (99% of the weights lie within it; larger ones get the full colour).</p>` +
    `${colourBar(scale)}<div class="weights">${figures.join('')}</div>${more}`
  );
}
