import { pixelsPerSample, type Dataset } from '../data/dataset.js';
import {
  dataSourceFromName,
  dataSourceName,
  loadDataSource,
  type DataSource,
} from '../data/source.js';
import { MnnError } from '../errors.js';
import type { Model } from '../model/model.js';
import type { TestResults } from '../report/test-results.js';
import { classMetrics, evaluate } from '../train/evaluate.js';
import { dataSourceFor } from './data-option.js';

/** A split of a data set, loaded for a model. */
export interface LoadedSplit {
  readonly source: DataSource;
  readonly dataset: Dataset;
  /** The data's name for people ("packaged", a directory). */
  readonly name: string;
}

/** Where a model's evaluation data comes from: --data if given, else what it was trained on. */
export function evaluationSource(model: Model, dataOption: string | undefined): DataSource {
  return dataOption === undefined && model.training
    ? dataSourceFromName(model.training.dataset)
    : dataSourceFor(dataOption);
}

/** Loads one split of a data source. */
export function loadSplit(source: DataSource, split: 'test' | 'train'): LoadedSplit {
  const data = loadDataSource(source, split);
  const dataset = split === 'test' ? data.test : data.train;
  if (!dataset) throw new MnnError(`the data set has no ${split} split.`);
  return { source, dataset, name: data.name };
}

/** Refuses data whose images do not have as many pixels as the model has inputs. */
export function checkImagesFit(model: Model, modelPath: string, split: LoadedSplit): void {
  const inputs = model.parameters.layerSizes[0];
  const pixels = pixelsPerSample(split.dataset);
  if (pixels !== inputs) {
    throw new MnnError(
      `${modelPath} expects ${inputs} inputs but the images of ${split.name} have ${pixels} pixels.`,
    );
  }
}

/**
 * Makes the test for `mnn serve` and `mnn report`: evaluates a model on the test split of its
 * data, keeping which images land in each confusion cell. Each data set is loaded once, so that a
 * served model can be re-tested at every checkpoint.
 */
export function testModelsOn(
  modelPath: string,
  dataOption: string | undefined,
): (model: Model) => TestResults {
  const loaded = new Map<string, LoadedSplit>();
  return (model) => {
    const source = evaluationSource(model, dataOption);
    const key = dataSourceName(source);
    const split = loaded.get(key) ?? loadSplit(source, 'test');
    loaded.set(key, split);
    checkImagesFit(model, modelPath, split);
    return testResults(model, split);
  };
}

/** Evaluates a model on a loaded split and groups the images by confusion cell. */
function testResults(model: Model, split: LoadedSplit): TestResults {
  const { dataset } = split;
  const evaluation = evaluate(model.parameters, dataset, model.input.scale);
  const classes = evaluation.confusion.length;
  const cells = Array.from({ length: classes }, () =>
    Array.from({ length: classes }, () => [] as number[]),
  );
  evaluation.predicted.forEach((predicted, index) => {
    cells[dataset.labels[index]][predicted].push(index);
  });
  const pixels = pixelsPerSample(dataset);
  return {
    data: `${split.source.kind === 'packaged' ? 'MNIST shipped with mnn' : split.name}, test split`,
    samples: evaluation.samples,
    accuracy: evaluation.accuracy,
    loss: evaluation.loss,
    confusion: evaluation.confusion,
    classes: classMetrics(evaluation.confusion),
    cells,
    imageWidth: dataset.cols,
    imageHeight: dataset.rows,
    image: (index) => dataset.images.subarray(index * pixels, (index + 1) * pixels),
  };
}
