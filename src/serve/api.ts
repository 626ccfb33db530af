/**
 * The JSON the server sends the page (src/serve/browser imports these types; esbuild drops them).
 * Fractions are in [0, 1], as in every JSON mnn writes.
 */

/** HTML fragments of the model view (made by src/report), placed by the page. */
export interface ModelViewHtml {
  readonly summary: string;
  readonly curves: string;
  readonly test: string;
  readonly weights: string;
}

/** GET /api/model: the model the page shows, or why there is none yet. */
export interface ModelReply {
  /** The model file as the user named it. */
  readonly file: string;
  /** 0 while no version has loaded; grows with each version of the file. */
  readonly revision: number;
  /** Where training stands, e.g. "784-16-10, iteration 300 of 1000, checkpoint (training goes on)". */
  readonly status: string;
  /** When this version was loaded (ISO time). */
  readonly loadedAt?: string;
  /** Why the file on disk is not what is shown (not written yet, unreadable). */
  readonly problem?: string;
  /** Why drawings cannot be predicted with this model, if they cannot. */
  readonly predictProblem?: string;
  readonly view?: ModelViewHtml;
}

/** The activations A⁽ℓ⁾ of one layer for the current drawing. */
export interface LayerActivations {
  /** e.g. "layer 1: 16 ReLU units". */
  readonly name: string;
  readonly values: readonly number[];
  /** Softmax output: values are class probabilities. */
  readonly output: boolean;
}

/** POST /api/predict: what `mnn predict --json` says about the image, and what the network saw. */
export interface PredictionReply {
  /** The model revision that made the prediction. */
  readonly revision: number;
  readonly prediction: string;
  readonly label: number;
  readonly labels: readonly string[];
  readonly probabilities: readonly number[];
  /** The 28×28 bytes after MNIST-style preprocessing (0 background, 255 ink), row-major. */
  readonly pixels: readonly number[];
  readonly width: number;
  readonly height: number;
  readonly layers: readonly LayerActivations[];
}

/** GET /api/gallery: the test images of one confusion-matrix cell. */
export interface GalleryReply {
  readonly count: number;
  readonly html: string;
}

/** Any refused request: one line saying what is wrong. */
export interface ErrorReply {
  readonly error: string;
}

/** The data of a server-sent "model" event: a new version is ready (or a problem appeared). */
export interface ModelEventData {
  readonly revision: number;
}
