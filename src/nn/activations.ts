import { assertShape, type Matrix } from '../matrix/matrix.js';

/** A = ReLU(Z) = max(0, Z) element-wise (μ⁽ℓ⁾ for hidden layers, docs/math.md, Forward); A may be Z. */
export function reluForward(
  A: Matrix, // (n_ℓ × N)
  Z: Matrix, // (n_ℓ × N)
): void {
  assertShape(A, Z.rows, Z.cols, 'A');
  const a = A.data;
  const z = Z.data;
  // Written as "≤ 0 → 0" rather than "> 0 → z" so a NaN in Z stays NaN and divergence shows.
  for (let i = 0; i < a.length; i++) a[i] = z[i] <= 0 ? 0 : z[i];
}

/** Δ ⊙= ReLU′(Z), with ReLU′(x) = 1 for x > 0 and 0 otherwise, ReLU′(0) = 0 (docs/math.md, Backward). */
export function reluBackward(
  delta: Matrix, // (n_ℓ × N), in: (W⁽ℓ⁺¹⁾)ᵀ Δ⁽ℓ⁺¹⁾, out: Δ⁽ℓ⁾
  Z: Matrix, // (n_ℓ × N)
): void {
  assertShape(delta, Z.rows, Z.cols, 'delta');
  const d = delta.data;
  const z = Z.data;
  for (let i = 0; i < d.length; i++) if (z[i] <= 0) d[i] = 0;
}

/**
 * Inverted dropout, forward: A⁽ℓ⁾ ← A⁽ℓ⁾ ⊙ R⁽ℓ⁾ / (1 − p) (docs/math.md, Beyond the paper), where
 * `R` already holds R⁽ℓ⁾ / (1 − p): 0 for a dropped unit, 1 / (1 − p) for a kept one.
 */
export function dropoutForward(
  A: Matrix, // (n_ℓ × N), in: ReLU(Z⁽ℓ⁾), out: A⁽ℓ⁾
  R: Matrix, // (n_ℓ × N), R⁽ℓ⁾ / (1 − p)
): void {
  assertShape(R, A.rows, A.cols, 'R');
  const a = A.data;
  const r = R.data;
  for (let i = 0; i < a.length; i++) a[i] *= r[i];
}

/**
 * Inverted dropout, backward: Δ⁽ℓ⁾ ⊙= R⁽ℓ⁾ / (1 − p), after `reluBackward`, completing
 * Δ⁽ℓ⁾ = ReLU′(Z⁽ℓ⁾) ⊙ R⁽ℓ⁾ / (1 − p) ⊙ (W⁽ℓ⁺¹⁾)ᵀ Δ⁽ℓ⁺¹⁾ (docs/math.md, Beyond the paper).
 */
export function dropoutBackward(
  delta: Matrix, // (n_ℓ × N), in: ReLU′(Z⁽ℓ⁾) ⊙ (W⁽ℓ⁺¹⁾)ᵀ Δ⁽ℓ⁺¹⁾, out: Δ⁽ℓ⁾
  R: Matrix, // (n_ℓ × N), R⁽ℓ⁾ / (1 − p)
): void {
  assertShape(R, delta.rows, delta.cols, 'R');
  const d = delta.data;
  const r = R.data;
  for (let i = 0; i < d.length; i++) d[i] *= r[i];
}
