/**
 * The first layer's hot loops, generated once per group width. V8 keeps local variables in
 * registers but not array elements, so each neuron of a group gets its own accumulator local
 * (a0, a1, …); the count must be fixed in the source text, hence one generated function per
 * width (at most MAX_GROUP_WIDTH). Each input byte is read once per group, each weight or Δ value
 * once per non-zero pixel, and nothing is allocated.
 */

/**
 * Z⁽¹⁾ = W⁽¹⁾A⁽⁰⁾ + B⁽¹⁾ for one neuron group over `count` samples from `first` (MATH.md, Forward),
 * reading only non-zero pixels (sample-major form).
 * weights: (W⁽¹⁾)ᵀ/255 of the group, n₀ × width at `weightOffset`; Z: (samples × n₁) at row·zStride + zOffset.
 */
export type InputForwardKernel = (
  rowStart: Int32Array,
  rowPixel: Uint16Array,
  rowValue: Uint8Array,
  first: number,
  count: number,
  weights: Float64Array,
  weightOffset: number,
  biasOffset: number,
  Z: Float64Array,
  zStride: number,
  zOffset: number,
) => void;

/**
 * ∂C/∂W⁽¹⁾ += Δ⁽¹⁾(A⁽⁰⁾)ᵀ·255 for one neuron group over one block (MATH.md, Backward), pixel by
 * pixel over the samples where that pixel is non-zero (pixel-major form); the 1/(255·N) scale is
 * applied once when the chunk sums are added.
 * delta: Δ⁽¹⁾ (block samples × n₁) at sample·deltaStride + deltaOffset; gradient: n₀ × width at gradientOffset.
 */
export type InputBackwardKernel = (
  columnStart: Int32Array,
  columnSample: Uint8Array,
  columnValue: Uint8Array,
  startIndex: number,
  pixelCount: number,
  delta: Float64Array,
  deltaStride: number,
  deltaOffset: number,
  gradient: Float64Array,
  gradientOffset: number,
) => void;

/** `line(k)` for k = 0..width−1, one per line. */
function repeat(width: number, line: (k: number) => string): string {
  return Array.from({ length: width }, (_, k) => line(k)).join('\n');
}

/** Generates the forward kernel for groups of `width` neurons. */
function generateForward(width: number): InputForwardKernel {
  const body = `
    for (let s = 0; s < count; s++) {
      ${repeat(width, (k) => `let a${k} = weights[biasOffset + ${k}];`)}
      const end = rowStart[first + s + 1];
      for (let e = rowStart[first + s]; e < end; e++) {
        const v = rowValue[e];
        const w = weightOffset + rowPixel[e] * ${width};
        ${repeat(width, (k) => `a${k} += v * weights[w + ${k}];`)}
      }
      const z = s * zStride + zOffset;
      ${repeat(width, (k) => `Z[z + ${k}] = a${k};`)}
    }`;
  return new Function(
    'rowStart',
    'rowPixel',
    'rowValue',
    'first',
    'count',
    'weights',
    'weightOffset',
    'biasOffset',
    'Z',
    'zStride',
    'zOffset',
    body,
  ) as InputForwardKernel;
}

/** Generates the backward kernel for groups of `width` neurons. */
function generateBackward(width: number): InputBackwardKernel {
  const body = `
    for (let j = 0; j < pixelCount; j++) {
      const begin = columnStart[startIndex + j];
      const end = columnStart[startIndex + j + 1];
      if (begin === end) continue;
      ${repeat(width, (k) => `let a${k} = 0;`)}
      for (let e = begin; e < end; e++) {
        const v = columnValue[e];
        const d = columnSample[e] * deltaStride + deltaOffset;
        ${repeat(width, (k) => `a${k} += v * delta[d + ${k}];`)}
      }
      const g = gradientOffset + j * ${width};
      ${repeat(width, (k) => `gradient[g + ${k}] += a${k};`)}
    }`;
  return new Function(
    'columnStart',
    'columnSample',
    'columnValue',
    'startIndex',
    'pixelCount',
    'delta',
    'deltaStride',
    'deltaOffset',
    'gradient',
    'gradientOffset',
    body,
  ) as InputBackwardKernel;
}

const forwardKernels = new Map<number, InputForwardKernel>();
const backwardKernels = new Map<number, InputBackwardKernel>();

/** The forward kernel for `width`, generated on first use. */
export function inputForwardKernel(width: number): InputForwardKernel {
  let kernel = forwardKernels.get(width);
  if (kernel === undefined) {
    kernel = generateForward(width);
    forwardKernels.set(width, kernel);
  }
  return kernel;
}

/** The backward kernel for `width`, generated on first use. */
export function inputBackwardKernel(width: number): InputBackwardKernel {
  let kernel = backwardKernels.get(width);
  if (kernel === undefined) {
    kernel = generateBackward(width);
    backwardKernels.set(width, kernel);
  }
  return kernel;
}
