import {
  addColumnVector,
  argmaxColumn,
  argmaxColumns,
  columnSoftmax,
  sumColumns,
} from '../matrix/columns.js';
import { scale } from '../matrix/elementwise.js';
import { Matrix } from '../matrix/matrix.js';
import { multiply, multiplyTransposeA, multiplyTransposeB } from '../matrix/products.js';
import { dropoutBackward, dropoutForward, reluBackward, reluForward } from './activations.js';
import { softmaxCrossEntropy, softmaxCrossEntropyBackward } from './cost.js';
import type { Parameters } from './parameters.js';

/**
 * Everything one forward pass keeps for the backward pass, for a fixed number of samples N.
 * Indices follow `Parameters`: Z[ℓ−1] is Z⁽ℓ⁾ and delta[ℓ−1] is Δ⁽ℓ⁾ (ℓ = 1..L), while A[ℓ] is
 * A⁽ℓ⁾ for ℓ = 0..L because A⁽⁰⁾, the input, exists too.
 */
export interface ForwardCache {
  readonly A: Matrix[];
  readonly Z: Matrix[];
  /** Filled by `backward`. */
  readonly delta: Matrix[];
  /** C at the labels given to `forward`, NaN when none were given. */
  loss: number;
  /**
   * Inverted dropout of the last `forward`: R[ℓ−1] holds R⁽ℓ⁾ / (1 − p) for hidden layer ℓ
   * (n_ℓ × N); empty for a pass without dropout.
   */
  R: Matrix[];
}

/**
 * A fully connected network: ReLU hidden layers and a softmax output (docs/math.md), over the
 * `Parameters` it holds (by reference: updating `parameters` in place updates the network).
 */
export class Network {
  /** W⁽ℓ⁾ at index ℓ−1, as matrix views of `parameters.W`. */
  private readonly W: Matrix[];

  constructor(readonly parameters: Parameters) {
    const sizes = parameters.layerSizes;
    this.W = parameters.W.map((weights, i) => new Matrix(sizes[i + 1], sizes[i], weights));
    parameters.b.forEach((biases, i) => {
      if (biases.length !== sizes[i + 1]) {
        throw new RangeError(`b⁽${i + 1}⁾ must have ${sizes[i + 1]} entries, got ${biases.length}`);
      }
    });
  }

  /** L, the number of layers with weights. */
  get layerCount(): number {
    return this.W.length;
  }

  /** Buffers for passes over inputs shaped like A⁽⁰⁾ (n₀ × N); reuse them across passes. */
  createCache(A0: Matrix): ForwardCache {
    const perLayer = () => this.parameters.layerSizes.slice(1).map((n) => Matrix.zeros(n, A0.cols));
    return {
      A: [A0, ...perLayer()],
      Z: perLayer(),
      delta: perLayer(),
      loss: NaN,
      R: [],
    };
  }

  /**
   * Forward pass over the columns of A⁽⁰⁾ (n₀ × N). With labels, also computes C into `cache.loss`
   * through the fused softmax + cross-entropy; without, the output is the plain softmax. With
   * `R` (R[ℓ−1] = R⁽ℓ⁾ / (1 − p) for each hidden layer ℓ), applies inverted dropout (training only).
   */
  forward(
    A0: Matrix,
    labels?: Uint8Array,
    cache = this.createCache(A0),
    R: Matrix[] = [],
  ): ForwardCache {
    const L = this.layerCount;
    cache.A[0] = A0;
    cache.R = R;
    for (let l = 1; l <= L; l++) {
      const Z = cache.Z[l - 1];
      multiply(Z, this.W[l - 1], cache.A[l - 1]); // W⁽ℓ⁾ A⁽ℓ⁻¹⁾
      addColumnVector(Z, Z, this.parameters.b[l - 1]); // Z⁽ℓ⁾ = W⁽ℓ⁾ A⁽ℓ⁻¹⁾ + B⁽ℓ⁾
      if (l < L) reluForward(cache.A[l], Z); // A⁽ℓ⁾ = ReLU(Z⁽ℓ⁾)
      if (l < L && R.length > 0) dropoutForward(cache.A[l], R[l - 1]); // A⁽ℓ⁾ ⊙ R⁽ℓ⁾ / (1 − p)
    }
    const ZL = cache.Z[L - 1];
    if (labels === undefined) {
      columnSoftmax(cache.A[L], ZL); // A⁽ᴸ⁾ = softmax(Z⁽ᴸ⁾)
      cache.loss = NaN;
    } else {
      cache.loss = softmaxCrossEntropy(cache.A[L], ZL, labels); // A⁽ᴸ⁾ and C
    }
    return cache;
  }

  /** Backward pass after `forward(A0, labels, cache)`: writes ∂C/∂W⁽ℓ⁾, ∂C/∂b⁽ℓ⁾ into `gradients`. */
  backward(cache: ForwardCache, labels: Uint8Array, gradients: Parameters): void {
    const L = this.layerCount;
    softmaxCrossEntropyBackward(cache.delta[L - 1], cache.A[L], labels); // Δ⁽ᴸ⁾ = A⁽ᴸ⁾ − Y
    for (let l = L; l >= 1; l--) {
      const dW = new Matrix(this.W[l - 1].rows, this.W[l - 1].cols, gradients.W[l - 1]);
      layerGradients(dW, gradients.b[l - 1], cache.delta[l - 1], cache.A[l - 1]);
      if (l > 1) {
        backpropagateDelta(cache.delta[l - 2], this.W[l - 1], cache.delta[l - 1], cache.Z[l - 2]);
        // With dropout: Δ⁽ℓ⁻¹⁾ = ReLU′(Z⁽ℓ⁻¹⁾) ⊙ R⁽ℓ⁻¹⁾ / (1 − p) ⊙ (W⁽ℓ⁾)ᵀ Δ⁽ℓ⁾
        if (cache.R.length > 0) dropoutBackward(cache.delta[l - 2], cache.R[l - 2]);
      }
    }
  }

  /** C at `labels` for the samples in the columns of A⁽⁰⁾. */
  cost(A0: Matrix, labels: Uint8Array): number {
    return this.forward(A0, labels).loss;
  }

  /** A⁽ᴸ⁾: the class probabilities of each sample (n_L × N, one column per sample). */
  probabilities(A0: Matrix): Matrix {
    return this.forward(A0).A[this.layerCount];
  }

  /** The most probable class of each sample. */
  predict(A0: Matrix): Uint32Array {
    const predictions = new Uint32Array(A0.cols);
    argmaxColumns(predictions, this.probabilities(A0));
    return predictions;
  }
}

/** ∂C/∂W⁽ℓ⁾ = (1/N) Δ⁽ℓ⁾ (A⁽ℓ⁻¹⁾)ᵀ and ∂C/∂b⁽ℓ⁾ = (1/N) Σ columns of Δ⁽ℓ⁾ (docs/math.md, Backward). */
export function layerGradients(
  dW: Matrix, // (n_ℓ × n_{ℓ−1}), out
  db: Float64Array, // (n_ℓ), out
  delta: Matrix, // (n_ℓ × N), Δ⁽ℓ⁾
  Aprevious: Matrix, // (n_{ℓ−1} × N), A⁽ℓ⁻¹⁾
): void {
  const N = delta.cols;
  multiplyTransposeB(dW, delta, Aprevious); // Δ⁽ℓ⁾ (A⁽ℓ⁻¹⁾)ᵀ
  scale(dW, dW, 1 / N); // ∂C/∂W⁽ℓ⁾ = (1/N) Δ⁽ℓ⁾ (A⁽ℓ⁻¹⁾)ᵀ
  sumColumns(db, delta); // Σ columns of Δ⁽ℓ⁾
  for (let i = 0; i < db.length; i++) db[i] /= N; // ∂C/∂b⁽ℓ⁾ = (1/N) Σ columns of Δ⁽ℓ⁾
}

/** Δ⁽ℓ⁻¹⁾ = ReLU′(Z⁽ℓ⁻¹⁾) ⊙ (W⁽ℓ⁾)ᵀ Δ⁽ℓ⁾ (docs/math.md, Backward; erratum 4 corrected). */
export function backpropagateDelta(
  deltaPrevious: Matrix, // (n_{ℓ−1} × N), out: Δ⁽ℓ⁻¹⁾
  W: Matrix, // (n_ℓ × n_{ℓ−1}), W⁽ℓ⁾
  delta: Matrix, // (n_ℓ × N), Δ⁽ℓ⁾
  Zprevious: Matrix, // (n_{ℓ−1} × N), Z⁽ℓ⁻¹⁾
): void {
  multiplyTransposeA(deltaPrevious, W, delta); // (W⁽ℓ⁾)ᵀ Δ⁽ℓ⁾
  reluBackward(deltaPrevious, Zprevious); // ReLU′(Z⁽ℓ⁻¹⁾) ⊙ (W⁽ℓ⁾)ᵀ Δ⁽ℓ⁾
}

/** How many columns of A⁽ᴸ⁾ have their largest probability at the sample's label. */
export function countCorrect(
  AL: Matrix, // (n_L × N)
  labels: Uint8Array, // (N)
): number {
  let correct = 0;
  for (let l = 0; l < AL.cols; l++) if (argmaxColumn(AL, l) === labels[l]) correct++;
  return correct;
}
