import { MAX_PARAMETER_MAGNITUDE, type Parameters } from '../nn/parameters.js';

/* What model-file readers share: JSON value types and validating readers that report through `fail`. */

/** A parsed JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A parsed JSON object. */
export type JsonObject = { [key: string]: Json };

/** Reports a problem with the file (throws an MnnError naming it). */
export type Fail = (problem: string) => never;

/** The value as a JSON object, or a failure naming `what`. */
export function asObject(value: Json | undefined, what: string, fail: Fail): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return fail(`${what} must be a JSON object`);
  }
  return value;
}

/**
 * Reads W⁽ℓ⁾ (n_ℓ × n_{ℓ−1}) and b⁽ℓ⁾ (n_ℓ) from an object's "weights" and "biases", checking
 * each length before copying; `where` prefixes the keys in messages (e.g. "training.checkpoint.").
 * Numbers beyond `maxMagnitude` (by default a working network's largest weight) are refused.
 */
export function readParameters(
  root: JsonObject,
  layerSizes: number[],
  fail: Fail,
  where = '',
  maxMagnitude = MAX_PARAMETER_MAGNITUDE,
): Parameters {
  const layerCount = layerSizes.length - 1;
  const weights = root.weights;
  const biases = root.biases;
  if (!Array.isArray(weights) || weights.length !== layerCount) {
    return fail(`"${where}weights" must hold ${layerCount} arrays, one per layer`);
  }
  if (!Array.isArray(biases) || biases.length !== layerCount) {
    return fail(`"${where}biases" must hold ${layerCount} arrays, one per layer`);
  }
  const W: Float64Array[] = [];
  const b: Float64Array[] = [];
  for (let l = 1; l <= layerCount; l++) {
    W.push(
      readNumbers(
        weights[l - 1],
        layerSizes[l] * layerSizes[l - 1],
        `"${where}weights"[${l - 1}] (W of layer ${l}, ${layerSizes[l]}×${layerSizes[l - 1]})`,
        fail,
        maxMagnitude,
      ),
    );
    b.push(
      readNumbers(
        biases[l - 1],
        layerSizes[l],
        `"${where}biases"[${l - 1}] (b of layer ${l})`,
        fail,
        maxMagnitude,
      ),
    );
  }
  return { layerSizes, W, b };
}

/** Reads an array of exactly `length` finite numbers, each at most `maxMagnitude` in size. */
export function readNumbers(
  value: Json,
  length: number,
  what: string,
  fail: Fail,
  maxMagnitude = Number.MAX_VALUE,
): Float64Array {
  if (!Array.isArray(value)) return fail(`${what} must be an array of numbers`);
  if (value.length !== length)
    return fail(`${what} has ${value.length} numbers, expected ${length}`);
  const numbers = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const number = value[i];
    if (typeof number !== 'number' || !Number.isFinite(number)) {
      // String(): 1e999 in the file parses to Infinity, which JSON.stringify would show as null.
      const shown = typeof number === 'number' ? String(number) : JSON.stringify(number);
      return fail(`${what}[${i}] is ${shown}, not a finite number`);
    }
    if (Math.abs(number) > maxMagnitude) {
      return fail(
        `${what}[${i}] is ${number.toPrecision(3)}, far beyond a working network's (at most ${maxMagnitude}): it was saved by a training run that diverged; train it again with a smaller learning rate`,
      );
    }
    numbers[i] = number;
  }
  return numbers;
}

/** Whether a JSON value is a whole number of at least `min` (and a safe integer). */
export function isWholeNumber(value: Json | undefined, min: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}

/**
 * Refuses text with control characters (C0, DEL, C1): a model file's strings are printed on
 * terminals, where escape sequences could rewrite the screen or the window title.
 */
export function printable(text: string, what: string, fail: Fail): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is looked for
  if (/[\u0000-\u001f\u007f-\u009f]/.test(text)) fail(`${what} contains control characters`);
  return text;
}
