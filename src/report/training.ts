import { formatPercent } from './markup.js';

/**
 * Reads a model's training record for people. The record grows with new versions of the model
 * format (optimizer, batches, epochs, validation), so it is read by its field names: whatever is
 * there is shown, and nothing here needs to change when fields are added.
 */

/** One line of a chart: a named series of (x, y) points. */
export interface Curve {
  /** "training", "validation" or "test" (or the field's own name for other series). */
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
}

/** The history of a training run as chart series. */
export interface TrainingCurves {
  /** What x counts, as recorded: "iteration", "step" or "epoch". */
  readonly xLabel: string;
  readonly loss: readonly Curve[];
  readonly accuracy: readonly Curve[];
}

/** One row of the training-options table. */
export interface TrainingFact {
  readonly label: string;
  readonly value: string;
}

type Fields = Readonly<Record<string, unknown>>;

/** Fields that can be the x of a history point, preferred in this order (the densest first). */
const X_FIELDS = ['iteration', 'step', 'epoch'] as const;
const SERIES_ORDER = ['training', 'validation', 'test'];

/** The loss and accuracy series of a history; undefined when it has no usable points. */
export function trainingCurves(history: readonly object[]): TrainingCurves | undefined {
  const points = history as readonly Fields[];
  const xField = X_FIELDS.find(
    (field) => points.length > 0 && points.every((point) => typeof point[field] === 'number'),
  );
  if (xField === undefined) return undefined;
  const series = new Map<string, [number, number][]>();
  for (const point of points) {
    const x = point[xField] as number;
    for (const [key, value] of Object.entries(point)) {
      if ((X_FIELDS as readonly string[]).includes(key) || typeof value !== 'number') continue;
      if (!Number.isFinite(value)) continue;
      const values = series.get(key) ?? [];
      values.push([x, value]);
      series.set(key, values);
    }
  }
  const curvesOf = (measure: RegExp): Curve[] =>
    [...series]
      .filter(([key]) => measure.test(key))
      .map(([key, values]) => ({ name: seriesName(key, measure), points: values }))
      .sort((a, b) => seriesRank(a.name) - seriesRank(b.name));
  return { xLabel: xField, loss: curvesOf(/loss/i), accuracy: curvesOf(/accuracy/i) };
}

/** "loss" → "training", "validationAccuracy" → "validation", "testLoss" → "test". */
function seriesName(key: string, measure: RegExp): string {
  const rest = key.replace(measure, '').toLowerCase();
  if (rest === '' || rest === 'train' || rest === 'training') return 'training';
  if (rest === 'val' || rest === 'validation') return 'validation';
  return rest;
}

function seriesRank(name: string): number {
  const rank = SERIES_ORDER.indexOf(name);
  return rank === -1 ? SERIES_ORDER.length : rank;
}

/** Names people read for the fields of today's training record; others are spelled out. */
const FACT_LABELS: Readonly<Record<string, string>> = {
  dataset: 'data',
  samples: 'training samples',
  alpha: 'learning rate α',
  iterations: 'iterations done',
  targetIterations: 'iterations asked for',
  seed: 'seed',
  init: 'initial weights',
  evalEvery: 'history every (iterations)',
  loss: 'training loss',
  trainAccuracy: 'training accuracy',
  testAccuracy: 'test accuracy',
  seconds: 'training time',
  complete: 'complete',
};

/**
 * The options and results in a training record, one row per field. Nested records are
 * flattened under their name: {optimizer: {kind: 'adam', beta1: 0.9}} gives "optimizer: adam"
 * and "optimizer beta1: 0.9".
 */
export function trainingFacts(training: object, within = ''): TrainingFact[] {
  const facts: TrainingFact[] = [];
  for (const [key, value] of Object.entries(training)) {
    if (key === 'history') continue;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      facts.push(
        ...trainingFacts(value, within === '' ? spellOut(key) : `${within} ${spellOut(key)}`),
      );
      continue;
    }
    const text = factValue(key, value);
    if (text === undefined) continue;
    const own = FACT_LABELS[key] ?? spellOut(key);
    const label = within === '' ? own : key === 'kind' ? within : `${within} ${own}`;
    facts.push({ label, value: text });
  }
  return facts;
}

/** "batchSize" → "batch size". */
function spellOut(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

function factValue(key: string, value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value !== 'number') return undefined;
  if (/accuracy/i.test(key)) return formatPercent(value);
  if (key === 'seconds') return `${value.toFixed(1)} s`;
  if (/loss/i.test(key)) return value.toFixed(4);
  return String(value);
}

/** Where training stands, e.g. "iteration 300 of 1000, checkpoint" or "iteration 1000, complete". */
export function trainingProgress(training: object | undefined): string {
  if (training === undefined) return 'no training record';
  const fields = training as Fields;
  const number = (...keys: string[]): number | undefined =>
    keys.map((key) => fields[key]).find((value): value is number => typeof value === 'number');
  const parts: string[] = [];
  const epoch = number('epoch');
  if (epoch !== undefined) {
    const epochs = number('targetEpochs', 'epochs');
    parts.push(epochs === undefined ? `epoch ${epoch}` : `epoch ${epoch} of ${epochs}`);
  }
  const unit = typeof fields.iterations === 'number' ? 'iteration' : 'step';
  const done = number('iterations', 'steps');
  const target = number('targetIterations', 'targetSteps');
  if (done !== undefined) {
    parts.push(
      target === undefined || target === done ? `${unit} ${done}` : `${unit} ${done} of ${target}`,
    );
  }
  parts.push(fields.complete === false ? 'checkpoint (training goes on)' : 'complete');
  return parts.join(', ');
}
