import { MnnError } from '../errors.js';
import type { Model } from '../model/model.js';
import { checkDigitModel, digitActivations, predictImageBytes } from '../predict/predict.js';
import { galleryHtml } from '../report/gallery.js';
import { modelView, type ModelView } from '../report/sections.js';
import type { TestResults } from '../report/test-results.js';
import { trainingProgress } from '../report/training.js';
import type { GalleryReply, LayerActivations, ModelReply, PredictionReply } from './api.js';
import type { ModelVersion } from './model-watch.js';

/** An HTTP status and the JSON body to send with it. */
export interface Reply {
  readonly status: number;
  readonly json: unknown;
}

/** What an MnnError thrown by `run` says (message and hint); anything else is a bug and is rethrown. */
function userProblem(run: () => void): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof MnnError) {
      return error.hint === undefined ? error.message : `${error.message}; ${error.hint}`;
    }
    throw error;
  }
}

/** Tests a model on held-out images; see ServeOptions.testModel. */
export type TestModel = (model: Model) => TestResults;

/**
 * One version of the served model with what the page shows of it: test results (computed once,
 * when the version loads), the model view (rendered on first request), and the answers to the
 * page's requests about it.
 */
export class ServedVersion {
  readonly results: TestResults | { readonly unavailable: string };
  /** Why this model cannot predict drawings, if it cannot (e.g. not 28×28 inputs). */
  readonly predictProblem: string | undefined;
  private view: ModelView | undefined;

  constructor(
    readonly version: ModelVersion,
    private readonly file: string,
    testModel: TestModel | undefined,
  ) {
    let results: ServedVersion['results'] = {
      unavailable: 'No test data was given, so there are no test results.',
    };
    const problem = userProblem(() => {
      if (testModel) results = testModel(version.model);
    });
    this.results = problem === undefined ? results : { unavailable: problem };
    this.predictProblem = userProblem(() => checkDigitModel(version.model, file));
  }

  /** GET /api/model. */
  modelReply(problem: string | undefined): ModelReply {
    const { model, revision, loadedAt } = this.version;
    this.view ??= modelView(model, this.results, 'all');
    return {
      file: this.file,
      problem,
      revision,
      status: `${model.parameters.layerSizes.join('-')}, ${trainingProgress(model.training)}`,
      loadedAt: loadedAt.toISOString(),
      predictProblem: this.predictProblem,
      view: this.view,
    };
  }

  /** GET /api/gallery?true=T&predicted=P: the test images of one confusion cell. */
  galleryReply(query: URLSearchParams): Reply {
    const results = this.results;
    if ('unavailable' in results) {
      return { status: 404, json: { error: 'there are no test results to show images from' } };
    }
    const classes = results.confusion.length;
    const [trueClass, predicted] = [query.get('true'), query.get('predicted')].map((text) =>
      /^\d{1,6}$/.test(text ?? '') ? Number(text) : -1,
    );
    const valid = (index: number): boolean => index >= 0 && index < classes;
    if (!valid(trueClass) || !valid(predicted)) {
      return {
        status: 400,
        json: { error: `true and predicted must be class numbers from 0 to ${classes - 1}` },
      };
    }
    const labels = this.version.model.labels;
    const reply: GalleryReply = {
      count: results.cells[trueClass][predicted].length,
      html: galleryHtml(results, labels, trueClass, predicted),
    };
    return { status: 200, json: reply };
  }

  /** POST /api/predict: the very path of `mnn predict` (decode → preprocess → network). */
  predictReply(bytes: Uint8Array): Reply {
    if (this.predictProblem !== undefined) {
      return { status: 422, json: { error: this.predictProblem } };
    }
    const { model, revision } = this.version;
    let reply: PredictionReply | undefined;
    const problem = userProblem(() => {
      const result = predictImageBytes(model, bytes, 'the image');
      reply = {
        revision,
        prediction: result.prediction,
        label: result.label,
        labels: model.labels,
        probabilities: result.probabilities,
        pixels: Array.from(result.pixels),
        width: model.input.width,
        height: model.input.height,
        layers: layerActivations(model, result.pixels),
      };
    });
    return problem === undefined
      ? { status: 200, json: reply }
      : { status: 422, json: { error: problem } };
  }
}

/** A⁽ℓ⁾ of every layer for a preprocessed digit, named for people. */
function layerActivations(model: Model, pixels: Uint8Array): LayerActivations[] {
  const activations = digitActivations(model, pixels);
  return activations.map((values, index) => {
    const output = index === activations.length - 1;
    const units = `${values.length} ${output ? 'softmax outputs' : 'ReLU units'}`;
    return { name: `layer ${index + 1}: ${units}`, values: Array.from(values), output };
  });
}
