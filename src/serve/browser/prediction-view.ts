import type { LayerActivations, PredictionReply } from '../api.js';
import { element, make } from './http.js';

/** Classes listed under the big answer. */
const TOP_K = 3;
/** Cells per row when drawing a hidden layer's activations. */
const CELLS_PER_ROW = 32;

/** "93.1%": a probability as `mnn predict` prints it. */
export function percent(probability: number): string {
  return `${(probability * 100).toFixed(1)}%`;
}

/** Shows the answer: the most probable class, the top 3 with their probabilities. */
export function showPrediction(reply: PredictionReply): void {
  const ranked = reply.probabilities
    .map((probability, label) => ({ label, probability }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, TOP_K);
  const box = element('prediction');
  const top = make('p', 'top1', reply.prediction);
  top.dataset.label = String(reply.label);
  top.append(' ', make('small', '', percent(ranked[0].probability)));
  const list = make('ol', 'top');
  for (const entry of ranked) {
    const item = make('li');
    const meter = make('meter');
    meter.min = 0;
    meter.max = 1;
    meter.value = entry.probability;
    item.append(
      make('span', 'label', reply.labels[entry.label]),
      make('span', 'probability', percent(entry.probability)),
      meter,
    );
    list.append(item);
  }
  box.replaceChildren(top, list);
  drawSeen(reply);
  element('activations').replaceChildren(
    ...reply.layers.map((layer) => layerFigure(layer, reply.labels)),
  );
}

/** Shows a message in place of the answer (no digit found, not an image, no model). */
export function showPredictionProblem(message: string): void {
  element('prediction').replaceChildren(make('p', 'note', message));
}

/** Draws the 28×28 image the network saw, ink dark on white like the pad. */
function drawSeen(reply: PredictionReply): void {
  const canvas = element<HTMLCanvasElement>('seen');
  canvas.width = reply.width;
  canvas.height = reply.height;
  const context = canvas.getContext('2d');
  if (context === null) return;
  const image = context.createImageData(reply.width, reply.height);
  reply.pixels.forEach((ink, i) => {
    image.data.set([255 - ink, 255 - ink, 255 - ink, 255], i * 4);
  });
  context.putImageData(image, 0, 0);
}

/**
 * One layer's activations as a strip of cells, darker for larger values: ReLU units scaled by
 * the layer's largest activation, softmax outputs by probability (0 to 1), labelled by class.
 */
function layerFigure(layer: LayerActivations, labels: readonly string[]): HTMLElement {
  const figure = make('div', 'layer');
  const largest = Math.max(...layer.values);
  const strongest = layer.values.indexOf(largest);
  const caption = layer.output
    ? `${layer.name} (probability of each class; darker is higher)`
    : `${layer.name} (darker is higher; strongest: unit ${strongest + 1} at ${largest.toFixed(2)}, ${layer.values.filter((value) => value === 0).length} at 0)`;
  figure.append(make('p', '', caption));
  figure.append(
    layer.output ? outputCanvas(layer.values, labels) : hiddenCanvas(layer.values, largest),
  );
  return figure;
}

function hiddenCanvas(values: readonly number[], largest: number): HTMLCanvasElement {
  const cell = values.length <= CELLS_PER_ROW ? 22 : 14;
  const columns = Math.min(values.length, CELLS_PER_ROW);
  const canvas = make('canvas');
  canvas.width = columns * cell;
  canvas.height = Math.ceil(values.length / columns) * cell;
  const context = canvas.getContext('2d');
  values.forEach((value, unit) => {
    if (context === null) return;
    const shade = largest > 0 ? value / largest : 0;
    context.fillStyle = orange(shade);
    context.fillRect(
      (unit % columns) * cell,
      Math.floor(unit / columns) * cell,
      cell - 1,
      cell - 1,
    );
  });
  canvas.title = values.map((value, unit) => `unit ${unit + 1}: ${value.toFixed(3)}`).join('\n');
  return canvas;
}

function outputCanvas(values: readonly number[], labels: readonly string[]): HTMLCanvasElement {
  const cell = 30;
  const canvas = make('canvas');
  canvas.width = values.length * cell;
  canvas.height = cell + 16;
  const context = canvas.getContext('2d');
  values.forEach((value, index) => {
    if (context === null) return;
    context.fillStyle = orange(value);
    context.fillRect(index * cell, 0, cell - 2, cell - 2);
    context.fillStyle = '#1a202c';
    context.font = '12px system-ui, sans-serif';
    context.textAlign = 'center';
    context.fillText(labels[index].slice(0, 3), index * cell + cell / 2, cell + 12);
  });
  canvas.title = values.map((value, index) => `${labels[index]}: ${percent(value)}`).join('\n');
  return canvas;
}

/** White for 0 to deep orange for 1. */
function orange(amount: number): string {
  const t = Math.max(0, Math.min(1, amount));
  const mix = (full: number): number => Math.round(255 + (full - 255) * t);
  return `rgb(${mix(192)},${mix(86)},${mix(33)})`;
}
