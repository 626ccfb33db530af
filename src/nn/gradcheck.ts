import type { Matrix } from '../matrix/matrix.js';
import { zeroParameters } from './init.js';
import { Network, type ForwardCache } from './network.js';
import type { Parameters } from './parameters.js';
import { Random } from './random.js';

/** A backward pass to check: writes ∂C/∂W⁽ℓ⁾, ∂C/∂b⁽ℓ⁾ into `gradients` after `network.forward`. */
export type BackwardPass = (
  network: Network,
  cache: ForwardCache,
  labels: Uint8Array,
  gradients: Parameters,
) => void;

/** What to check and how closely. */
export interface GradientCheckOptions {
  /** θ. Perturbed in place one entry at a time during the check and restored bit-exactly. */
  readonly parameters: Parameters;
  /** A⁽⁰⁾ (n₀ × N). */
  readonly inputs: Matrix;
  /** One class index per column of `inputs`. */
  readonly labels: Uint8Array;
  /** A fixed dropout mask, R[ℓ−1] = R⁽ℓ⁾ / (1 − p) per hidden layer (docs/math.md): the check holds per mask. */
  readonly dropout?: Matrix[];
  /** The backward pass under test; defaults to `Network.backward`. */
  readonly backward?: BackwardPass;
  /** Finite-difference step; default 1e-5. */
  readonly h?: number;
  /** A check passes when every relative error is below this; default 1e-6. */
  readonly tolerance?: number;
  /** Denominator floor of the relative error (see `relativeError`); default 1e-4. */
  readonly floor?: number;
  /** A W⁽ℓ⁾ or b⁽ℓ⁾ with at most this many entries is checked entirely; default 2000. */
  readonly fullCheckLimit?: number;
  /** Entries drawn from a larger W⁽ℓ⁾ or b⁽ℓ⁾ (distinct, seeded); default 200. */
  readonly sampleCount?: number;
  /** Seed for choosing the sampled entries; default 1. */
  readonly seed?: number;
}

/** The outcome for one array (W⁽ℓ⁾ or b⁽ℓ⁾). */
export interface ArrayCheck {
  /** Largest relative error among the checked entries (0 when none was checked). */
  readonly maxRelativeError: number;
  /** Entries compared. */
  readonly checked: number;
  /** Entries left out because θ ± h moved some Z across a ReLU kink (the difference is meaningless there). */
  readonly skipped: number;
}

/** The outcome for layer ℓ. */
export interface LayerCheck {
  /** ℓ (1-based, as in docs/math.md). */
  readonly layer: number;
  readonly W: ArrayCheck;
  readonly b: ArrayCheck;
}

/** The whole report. */
export interface GradientCheckResult {
  readonly layers: LayerCheck[];
  /** Every relative error is below `tolerance`. */
  readonly passed: boolean;
  readonly tolerance: number;
  readonly h: number;
}

/**
 * Compares the analytic gradients of the backward pass with central differences
 * (C(θ+h) − C(θ−h)) / 2h for every entry of small arrays and a seeded sample of large ones.
 */
export function gradientCheck(options: GradientCheckOptions): GradientCheckResult {
  const { parameters, inputs, labels } = options;
  const h = options.h ?? 1e-5;
  const tolerance = options.tolerance ?? 1e-6;
  const floor = options.floor ?? 1e-4;
  const fullCheckLimit = options.fullCheckLimit ?? 2000;
  const sampleCount = options.sampleCount ?? 200;
  const backward = options.backward ?? defaultBackward;

  const network = new Network(parameters);
  const R = options.dropout ?? [];
  const cache = network.forward(inputs, labels, undefined, R);
  const analytic = zeroParameters(parameters.layerSizes);
  backward(network, cache, labels, analytic);
  const masks = reluMasks(cache);
  const random = new Random(options.seed ?? 1);

  const checkArray = (theta: Float64Array, gradient: Float64Array): ArrayCheck => {
    let maxRelativeError = 0;
    let checked = 0;
    let skipped = 0;
    for (const index of chooseIndices(theta.length, fullCheckLimit, sampleCount, random)) {
      const original = theta[index];
      theta[index] = original + h;
      const plus = network.forward(inputs, labels, cache, R).loss;
      const plusKept = masksMatch(cache, masks);
      const thetaPlus = theta[index];
      theta[index] = original - h;
      const minus = network.forward(inputs, labels, cache, R).loss;
      const minusKept = masksMatch(cache, masks);
      const thetaMinus = theta[index];
      theta[index] = original;
      if (!plusKept || !minusKept) {
        skipped++;
        continue;
      }
      // Divide by the step actually taken: (θ+h) − (θ−h) is not exactly 2h in floating point.
      const numeric = (plus - minus) / (thetaPlus - thetaMinus);
      maxRelativeError = Math.max(maxRelativeError, relativeError(gradient[index], numeric, floor));
      checked++;
    }
    return { maxRelativeError, checked, skipped };
  };

  const layers: LayerCheck[] = [];
  for (let l = 1; l <= network.layerCount; l++) {
    const W = checkArray(parameters.W[l - 1], analytic.W[l - 1]);
    const b = checkArray(parameters.b[l - 1], analytic.b[l - 1]);
    layers.push({ layer: l, W, b });
  }
  const passed = layers.every(
    (layer) => layer.W.maxRelativeError < tolerance && layer.b.maxRelativeError < tolerance,
  );
  return { layers, passed, tolerance, h };
}

/**
 * |a − n| / max(|a|, |n|, floor). Above the floor it is the usual relative error (0 = equal,
 * 1 = off by the larger magnitude). When both values are ~0 a plain ratio would be noise over
 * noise, so the floor turns it into an absolute error: the finite difference itself is only good
 * to about 1e-10 (rounding ε·C/h plus truncation h²·C‴), so differences that small are not
 * errors, and with floor 1e-4 they stay below 1e-6.
 */
export function relativeError(analytic: number, numeric: number, floor: number): number {
  return Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), floor);
}

/** Network.backward, the pass checked by default. */
function defaultBackward(
  network: Network,
  cache: ForwardCache,
  labels: Uint8Array,
  gradients: Parameters,
): void {
  network.backward(cache, labels, gradients);
}

/** All indices of a small array, or `sampleCount` distinct seeded ones of a large one. */
function chooseIndices(
  length: number,
  fullCheckLimit: number,
  sampleCount: number,
  random: Random,
): Uint32Array {
  const indices = new Uint32Array(length);
  for (let i = 0; i < length; i++) indices[i] = i;
  if (length <= fullCheckLimit) return indices;
  // Partial Fisher–Yates shuffle: the first sampleCount entries become a uniform sample.
  const count = Math.min(sampleCount, length);
  for (let i = 0; i < count; i++) {
    const j = i + random.integer(length - i);
    [indices[i], indices[j]] = [indices[j], indices[i]];
  }
  return indices.subarray(0, count);
}

/** Which pre-activations of the hidden layers are positive (where ReLU′ = 1). */
function reluMasks(cache: ForwardCache): Uint8Array[] {
  return cache.Z.slice(0, -1).map((Z) => Uint8Array.from(Z.data, (z) => (z > 0 ? 1 : 0)));
}

/** Whether every hidden pre-activation is still on the same side of the ReLU kink as in `masks`. */
function masksMatch(cache: ForwardCache, masks: Uint8Array[]): boolean {
  return masks.every((mask, layer) => {
    const z = cache.Z[layer].data;
    for (let i = 0; i < mask.length; i++) if ((z[i] > 0 ? 1 : 0) !== mask[i]) return false;
    return true;
  });
}
