import { MnnError } from '../errors.js';
import { decodeImage, MAX_IMAGE_FILE_BYTES } from '../image/decode.js';
import { readRegularFile } from '../io/bounded-read.js';
import { FIELD_SIZE, preprocessDigit } from '../image/preprocess.js';
import { argmaxColumn } from '../matrix/columns.js';
import type { Model } from '../model/model.js';
import { inputFromPixels } from '../nn/input.js';
import { Network } from '../nn/network.js';

/** What a model says about one 28×28 digit. */
export interface DigitPrediction {
  /** Index of the most probable class. */
  readonly label: number;
  /** Its class name (model.labels[label]): a digit, or a clothing name for Fashion models. */
  readonly prediction: string;
  /** A⁽ᴸ⁾ for this digit: every class's probability, in label order. */
  readonly probabilities: number[];
  /** The probability of the predicted class. */
  readonly confidence: number;
  /** Why the prediction should not be trusted, if it should not (see doubtOf). */
  readonly doubt: Doubt | undefined;
}

/** A predicted class with less probability than this is flagged: "low confidence". */
export const LOW_CONFIDENCE = 0.8;
/** Below this no class stands out: the image may show none of the model's classes (noise, a letter). */
export const NO_CLASS_CONFIDENCE = 0.5;

/** Why a prediction should not be trusted. */
export type Doubt = 'low confidence' | 'no class stands out';

/** The doubt a prediction's probability calls for (LOW_CONFIDENCE, NO_CLASS_CONFIDENCE), if any. */
export function doubtOf(confidence: number): Doubt | undefined {
  if (confidence < NO_CLASS_CONFIDENCE) return 'no class stands out';
  return confidence < LOW_CONFIDENCE ? 'low confidence' : undefined;
}

/** What a model says about one image file, with the 28×28 bytes the network saw. */
export interface ImagePrediction extends DigitPrediction {
  readonly file: string;
  readonly pixels: Uint8Array;
}

/** Refuses a model that cannot read 28×28 digits (input size other than 784). */
export function checkDigitModel(model: Model, modelPath: string): void {
  const inputs = model.parameters.layerSizes[0];
  if (inputs !== FIELD_SIZE * FIELD_SIZE) {
    throw new MnnError(
      `${modelPath} takes ${inputs} inputs, but predict feeds 28×28 = 784-pixel digits; use a model trained on MNIST-sized images.`,
    );
  }
}

/**
 * Runs the network on one digit's pixel bytes (0 background, 255 ink, as in a Dataset), scaled
 * as the model's `input.scale` says.
 */
export function classifyDigit(model: Model, pixels: Uint8Array): DigitPrediction {
  const A0 = inputFromPixels(pixels, pixels.length, 0, 1, model.input.scale);
  const AL = new Network(model.parameters).probabilities(A0); // A⁽ᴸ⁾ (n_L × 1)
  if (!AL.data.every(Number.isFinite)) {
    throw new MnnError('the model gives no usable probabilities (not numbers) for this image', {
      hint: 'its weights overflow; train it again with a smaller learning rate',
    });
  }
  const label = argmaxColumn(AL, 0);
  const confidence = AL.data[label];
  return {
    label,
    prediction: model.labels[label],
    probabilities: Array.from(AL.data),
    confidence,
    doubt: doubtOf(confidence),
  };
}

/** A⁽¹⁾ … A⁽ᴸ⁾ of the forward pass over one digit: what each layer makes of it. */
export function digitActivations(model: Model, pixels: Uint8Array): Float64Array[] {
  const A0 = inputFromPixels(pixels, pixels.length, 0, 1, model.input.scale);
  const cache = new Network(model.parameters).forward(A0);
  return cache.A.slice(1).map((A) => Float64Array.from(A.data));
}

/** Decodes an image file's bytes, normalizes the digit like MNIST, and classifies it. */
export function predictImageBytes(model: Model, bytes: Uint8Array, file: string): ImagePrediction {
  const pixels = preprocessDigit(decodeImage(bytes, file));
  return { file, pixels, ...classifyDigit(model, pixels) };
}

/**
 * Reads an image file (a regular file of at most MAX_IMAGE_FILE_BYTES) and predicts its digit; a
 * missing, special or unreadable file is an MnnError.
 */
export function predictImageFile(model: Model, file: string): ImagePrediction {
  const bytes = readRegularFile(file, {
    what: 'image',
    maxBytes: MAX_IMAGE_FILE_BYTES,
    limitReason: 'scale it down or save it compressed',
  });
  return predictImageBytes(model, bytes, file);
}
