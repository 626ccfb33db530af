import { zeroParameters } from '../nn/init.js';
import type { Parameters } from '../nn/parameters.js';
import type { OptimizerSettings } from '../nn/training-settings.js';

/**
 * The update rule and its hyper-parameters (docs/math.md, Beyond the paper). Weight decay λ applies
 * to the weights W only, never to the biases b.
 */
export type { OptimizerSettings };

/** The optimizer names, as the settings' `kind`. */
export type OptimizerKind = OptimizerSettings['kind'];

/** The paper's update: plain gradient descent, no weight decay. */
export const PAPER_OPTIMIZER: OptimizerSettings = { kind: 'gd', weightDecay: 0 };

/**
 * What an optimizer carries from step to step, shaped like the parameters: momentum's velocity V,
 * Adam's moments M and S (all start at 0), and t, the number of steps taken.
 */
export interface OptimizerState {
  t: number;
  readonly V?: Parameters;
  readonly M?: Parameters;
  readonly S?: Parameters;
}

/** The state before the first step: t = 0 and zero arrays for the optimizer's kind. */
export function initialOptimizerState(
  settings: OptimizerSettings,
  layerSizes: readonly number[],
): OptimizerState {
  if (settings.kind === 'momentum') return { t: 0, V: zeroParameters(layerSizes) };
  if (settings.kind === 'adam') {
    return { t: 0, M: zeroParameters(layerSizes), S: zeroParameters(layerSizes) };
  }
  return { t: 0 };
}

/** θ ← θ − α_t (g + λ θ) over one array (λ = 0 for biases). */
function gradientDescentArray(
  theta: Float64Array,
  g: Float64Array,
  alpha: number,
  lambda: number,
): void {
  for (let i = 0; i < theta.length; i++) {
    theta[i] -= alpha * (g[i] + lambda * theta[i]); // θ ← θ − α_t (g + λ W)
  }
}

/** V ← μ V + (g + λ θ), θ ← θ − α_t V over one array (λ = 0 for biases). */
function momentumArray(
  theta: Float64Array,
  g: Float64Array,
  V: Float64Array,
  alpha: number,
  mu: number,
  lambda: number,
): void {
  for (let i = 0; i < theta.length; i++) {
    V[i] = mu * V[i] + (g[i] + lambda * theta[i]); // V ← μ V + (g + λ W)
    theta[i] -= alpha * V[i]; // θ ← θ − α_t V
  }
}

/** Adam's hyper-parameters and this step's bias corrections 1 − β₁ᵗ and 1 − β₂ᵗ. */
interface AdamStep {
  readonly alpha: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly correction1: number;
  readonly correction2: number;
}

/** One AdamW step over one array (λ = 0 for biases). */
function adamArray(
  theta: Float64Array,
  g: Float64Array,
  M: Float64Array,
  S: Float64Array,
  step: AdamStep,
  lambda: number,
): void {
  const { alpha, beta1, beta2, epsilon, correction1, correction2 } = step;
  for (let i = 0; i < theta.length; i++) {
    M[i] = beta1 * M[i] + (1 - beta1) * g[i]; // M ← β₁ M + (1 − β₁) g
    S[i] = beta2 * S[i] + (1 - beta2) * g[i] * g[i]; // S ← β₂ S + (1 − β₂) g ⊙ g
    const mHat = M[i] / correction1; // M̂ = M / (1 − β₁ᵗ)
    const sHat = S[i] / correction2; // Ŝ = S / (1 − β₂ᵗ)
    theta[i] -= alpha * (mHat / (Math.sqrt(sHat) + epsilon) + lambda * theta[i]); // θ ← θ − α_t (M̂ / (√Ŝ + ε) + λ W)
  }
}

/**
 * Plain (stochastic) gradient descent, θ ← θ − α_t (g + λ W) for every W⁽ℓ⁾ and b⁽ℓ⁾ (no λ term
 * for b). With λ = 0 this is the paper's update W⁽ℓ⁾ ← W⁽ℓ⁾ − α ∂C/∂W⁽ℓ⁾.
 */
export function gradientDescentUpdate(
  params: Parameters,
  g: Parameters,
  alpha: number,
  weightDecay = 0,
): void {
  for (let l = 0; l < params.W.length; l++) {
    gradientDescentArray(params.W[l], g.W[l], alpha, weightDecay);
    gradientDescentArray(params.b[l], g.b[l], alpha, 0);
  }
}

/** Heavy-ball momentum (PyTorch's SGD, dampening 0): V ← μ V + (g + λ W), θ ← θ − α_t V. */
export function momentumUpdate(
  params: Parameters,
  g: Parameters,
  V: Parameters,
  alpha: number,
  momentum: number,
  weightDecay: number,
): void {
  for (let l = 0; l < params.W.length; l++) {
    momentumArray(params.W[l], g.W[l], V.W[l], alpha, momentum, weightDecay);
    momentumArray(params.b[l], g.b[l], V.b[l], alpha, momentum, 0);
  }
}

/**
 * Adam with decoupled weight decay (AdamW) at step t ≥ 1: M ← β₁ M + (1 − β₁) g,
 * S ← β₂ S + (1 − β₂) g ⊙ g, M̂ = M / (1 − β₁ᵗ), Ŝ = S / (1 − β₂ᵗ),
 * θ ← θ − α_t (M̂ / (√Ŝ + ε) + λ W). A faster implementation must keep this order of operations.
 */
export function adamUpdate(
  params: Parameters,
  g: Parameters,
  moments: { readonly M: Parameters; readonly S: Parameters },
  t: number,
  alpha: number,
  settings: {
    readonly beta1: number;
    readonly beta2: number;
    readonly epsilon: number;
    readonly weightDecay: number;
  },
): void {
  const { beta1, beta2, epsilon, weightDecay } = settings;
  const step: AdamStep = {
    alpha,
    beta1,
    beta2,
    epsilon,
    correction1: 1 - beta1 ** t,
    correction2: 1 - beta2 ** t,
  };
  const { M, S } = moments;
  for (let l = 0; l < params.W.length; l++) {
    adamArray(params.W[l], g.W[l], M.W[l], S.W[l], step, weightDecay);
    adamArray(params.b[l], g.b[l], M.b[l], S.b[l], step, 0);
  }
}

/** Takes step t + 1 with learning rate α_t: updates `params` and `state` in place. */
export function optimizerStep(
  settings: OptimizerSettings,
  state: OptimizerState,
  params: Parameters,
  g: Parameters,
  alpha: number,
): void {
  state.t++;
  if (settings.kind === 'gd') {
    gradientDescentUpdate(params, g, alpha, settings.weightDecay);
  } else if (settings.kind === 'momentum') {
    momentumUpdate(
      params,
      g,
      requireState(state.V),
      alpha,
      settings.momentum,
      settings.weightDecay,
    );
  } else {
    const moments = { M: requireState(state.M), S: requireState(state.S) };
    adamUpdate(params, g, moments, state.t, alpha, settings);
  }
}

/** The state arrays an optimizer needs; their absence is a bug (initialOptimizerState makes them). */
function requireState(arrays: Parameters | undefined): Parameters {
  if (arrays === undefined) throw new Error('optimizer state does not match the optimizer');
  return arrays;
}
